"""The ticket endpoints: list, read, create, edit, move, comment on and read the timeline of tickets.

Adapters over tickets.selectors and tickets.services, exactly as the workspace and the portal are: a
user sees through the API what they see in the web UI (an employee their own tickets, never internal
notes), and every write goes through the same domain function, which decides who may do it.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api.filters import TicketApiFilter
from api.models import Scope
from api.pagination import StableCursorPagination
from api.serializers_tickets import (
    ConflictSerializer,
    TicketCommentSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketSerializer,
    TicketTransitionSerializer,
    TicketUpdateSerializer,
)
from catalog import selectors as catalog_selectors
from sla.selectors import ticket_sla, tickets_sla
from tickets import selectors, services
from tickets.models import Channel, Ticket
from tickets.transitions import Move, StaleTicket

LIST_FIELDS = (
    *(name for name in TicketSerializer.Meta.fields if name not in {"url", "sla", *selectors.LIST_RELATED}),
    "service__code",
    "support_group__code",
    "requester__username",
    "assignee__username",
)
NUMBER_PATTERN = r"[A-Za-z]{3}-[0-9]{4}-[0-9]{1,9}"
_ETAG = re.compile(r'^\s*(?:W/)?"?\s*(\d{1,9})\s*"?\s*$')

IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": r'^(\*|(W/)?"?[0-9]{1,9}"?)$'},
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        'The ticket\'s version as read, e.g. "4" (its ETag). A stale version answers 412. '
        "Instead of the header, the body may carry version (a stale one answers 409)."
    ),
)
ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT, description=gettext_lazy('Field errors: {"field": ["message", …]}.')
)
DENIED = OpenApiResponse(description=gettext_lazy("Not allowed for this user or token."))
MISSING = OpenApiResponse(description=gettext_lazy("No such ticket, or not one the user may see."))
STALE = OpenApiResponse(
    ConflictSerializer, description=gettext_lazy("The ticket changed since that version was read.")
)
UNAUTHENTICATED = OpenApiResponse(description=gettext_lazy("No valid token or session."))
COMMON = {401: UNAUTHENTICATED, 403: DENIED}
BAD_CURSOR = OpenApiResponse(description=gettext_lazy("The cursor is not one this list handed out."))
ON_TICKET = {**COMMON, 404: MISSING}
WRITES = {**ON_TICKET, 400: ERRORS, 409: STALE, 412: STALE}


def field_errors(exc: DjangoValidationError, *, default_field: str | None = None) -> dict:
    """Return a domain ValidationError as the API's field errors: {"field": ["message", …]}."""
    general = default_field or api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return {
            (general if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
    return {general: [str(m) for m in exc.messages]}


class StaleVersion(Exception):
    """Raised inside a view to answer 409 (a version in the body) or 412 (an If-Match header)."""

    def __init__(self, stale: StaleTicket, *, status_code: int):
        super().__init__(str(stale))
        self.stale = stale
        self.status_code = status_code


@extend_schema_view(
    list=extend_schema(
        summary="List tickets",
        description=(
            "The tickets the user may see (an employee: their own), newest first, one cursor page at a "
            "time. Each carries its SLA clocks as of now."
        ),
        responses={200: TicketSerializer(many=True), 400: ERRORS, **COMMON, 404: BAD_CURSOR},
    ),
    retrieve=extend_schema(
        summary="Read a ticket",
        responses={200: TicketDetailSerializer, **ON_TICKET},
    ),
)
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "number"
    lookup_value_regex = NUMBER_PATTERN
    pagination_class = StableCursorPagination
    cursor_ordering = ("-id",)
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketApiFilter
    serializer_class = TicketSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_scopes = {"POST": Scope.TICKETS_WRITE, "PATCH": Scope.TICKETS_WRITE}

    def get_queryset(self) -> QuerySet[Ticket]:
        # Only what a list row shows: the long texts and the related rows' other columns stay unread.
        return (
            selectors.tickets_visible_to(user=self.request.user)
            .select_related(*selectors.LIST_RELATED)
            .only(*LIST_FIELDS)
        )

    def get_serializer_class(self):
        if self.action == "list":
            return TicketSerializer
        return TicketDetailSerializer

    # --- Helpers -------------------------------------------------------------------------------------------

    def _ticket(self, number: str) -> Ticket:
        try:
            return selectors.ticket_for_page(user=self.request.user, number=number.upper())
        except Ticket.DoesNotExist:
            raise NotFound(_("No such ticket.")) from None

    def _version(self, request: Request, body_version: int | None) -> tuple[int | None, int]:
        """Return the version the client read (If-Match first, then the body) and the status a stale
        one answers."""
        header = request.headers.get("If-Match")
        if header is not None:
            if header.strip() == "*":
                return None, status.HTTP_412_PRECONDITION_FAILED
            match = _ETAG.match(header)
            if match is None:
                raise serializers.ValidationError(
                    {"If-Match": [_('Send the ticket\'s version, e.g. If-Match: "4".')]}
                )
            return int(match.group(1)), status.HTTP_412_PRECONDITION_FAILED
        return body_version, status.HTTP_409_CONFLICT

    def _detail(self, ticket: Ticket, *, status_code: int = status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_for_page(user=self.request.user, number=ticket.number)
        context = {
            **self.get_serializer_context(),
            "sla": {ticket.pk: ticket_sla(ticket, now=timezone.now())},
        }
        response = Response(TicketDetailSerializer(ticket, context=context).data, status=status_code)
        response["ETag"] = f'"{ticket.version}"'
        if status_code == status.HTTP_201_CREATED:
            response["Location"] = response.data["url"]
        return response

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion):
            current = exc.stale.current
            response = Response(
                {"detail": str(exc.stale.messages[0]), "current_version": current.version},
                status=exc.status_code,
            )
            response["ETag"] = f'"{current.version}"'
            return response
        if isinstance(exc, DjangoValidationError):
            exc = serializers.ValidationError(field_errors(exc))
        return super().handle_exception(exc)

    def _call(self, function, *, status_code: int, default_field: str | None = None, **kwargs):
        """Call one domain function, turning its typed errors into the API's answers."""
        try:
            return function(**kwargs)
        except StaleTicket as exc:
            raise StaleVersion(exc, status_code=status_code) from None
        except PermissionDenied as exc:
            # The domain's own words ("Only agents may write internal notes."), not DRF's generic text.
            raise exceptions.PermissionDenied(str(exc) or None) from None
        except DjangoValidationError as exc:
            raise serializers.ValidationError(field_errors(exc, default_field=default_field)) from None

    # --- Endpoints -------------------------------------------------------------------------------------------

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = {
            **self.get_serializer_context(),
            "sla": tickets_sla([ticket.pk for ticket in page], now=timezone.now()),
        }
        return self.get_paginated_response(TicketSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, number: str = "", **kwargs) -> Response:
        return self._detail(self._ticket(number))

    @extend_schema(
        summary="Create a ticket",
        description=(
            "An employee reports an incident for themselves, as in the portal (title, description, the "
            "service if known, urgency). An agent may also name the requester, group, impact, category "
            "and channel (default api)."
        ),
        request=TicketCreateSerializer,
        responses={201: TicketDetailSerializer, 400: ERRORS, **COMMON},
    )
    def create(self, request: Request) -> Response:
        user = request.user
        if not user.has_perm("tickets.report_incident"):
            raise PermissionDenied
        agent = user.has_perm("tickets.work_on_tickets")
        serializer = TicketCreateSerializer(
            data=request.data,
            services=catalog_selectors.service_list(user=user, state="live"),
            agent=agent,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requester = data.get("requester", user)
        if requester.pk != user.pk and not agent:
            raise PermissionDenied(_("Only agents may register tickets on behalf of others."))
        extra = {name: data[name] for name in ("support_group", "impact", "category") if name in data}
        ticket = self._call(
            services.ticket_create,
            status_code=status.HTTP_409_CONFLICT,
            requester=requester,
            created_by=user,
            title=data["title"],
            description=data["description"],
            service=data.get("service"),
            urgency=int(data["urgency"]),
            channel=data.get("channel", Channel.API),
            **extra,
        )
        return self._detail(ticket, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a ticket",
        description=(
            "Agents only: change the fields the ticket page lets them edit. Send only what changes, with "
            "the version read (If-Match or version); a priority set by hand needs priority_reason."
        ),
        parameters=[IF_MATCH],
        request=TicketUpdateSerializer,
        responses={200: TicketDetailSerializer, **WRITES},
    )
    def partial_update(self, request: Request, number: str = "", **kwargs) -> Response:
        ticket = self._ticket(number)
        if not request.user.has_perm("tickets.work_on_tickets"):
            raise PermissionDenied
        serializer = TicketUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, stale_status = self._version(request, data.pop("version", None))
        if version is None and "If-Match" not in request.headers:
            raise serializers.ValidationError(
                {"version": [_("Send the version you read, in the body or in If-Match.")]}
            )
        reason = data.pop("priority_reason", "")
        updated = self._call(
            services.ticket_update,
            status_code=stale_status,
            ticket=ticket,
            actor=request.user,
            version=version,
            changes=data,
            reason=reason,
        )
        return self._detail(updated)

    @extend_schema(
        summary="Move a ticket to another status",
        description=(
            "Through the same lifecycle and guards as the ticket page: resolved needs resolution_code and "
            "resolution_note, pending needs pending_reason, reopening and cancelling need reason. The "
            "requester may only confirm (closed), reopen (in_progress from resolved) or withdraw (cancelled)."
        ),
        parameters=[IF_MATCH],
        request=TicketTransitionSerializer,
        responses={200: TicketDetailSerializer, **WRITES},
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request: Request, number: str = "") -> Response:
        ticket = self._ticket(number)
        serializer = TicketTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version, stale_status = self._version(request, data.get("version"))
        move = Move(
            to=data["to"],
            pending_reason=data["pending_reason"],
            resolution_code=data["resolution_code"],
            resolution_note=data["resolution_note"],
            reason=data["reason"],
        )
        updated = self._call(
            services.ticket_transition,
            status_code=stale_status,
            default_field="to",
            ticket=ticket,
            actor=request.user,
            move=move,
            version=version,
            with_children=data["resolve_children"],
        )
        return self._detail(updated)

    @extend_schema(
        summary="Reply or add an internal note",
        description=(
            "A public reply (the requester and agents) or, with internal true, an internal note (agents "
            "only). A requester's reply to a ticket waiting for them puts it back in progress."
        ),
        parameters=[IF_MATCH],
        request=TicketCommentSerializer,
        responses={201: TicketEventSerializer, **WRITES},
    )
    @action(detail=True, methods=["post"], url_path="comments")
    def comments(self, request: Request, number: str = "") -> Response:
        ticket = self._ticket(number)
        serializer = TicketCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version, stale_status = self._version(request, data.get("version"))
        event = self._call(
            services.ticket_comment,
            status_code=stale_status,
            ticket=ticket,
            actor=request.user,
            body=data["body"],
            public=not data["internal"],
            version=version,
        )
        event = selectors.timeline(ticket=ticket, user=request.user).get(pk=event.pk)
        context = {**self.get_serializer_context(), "ticket": ticket}
        return Response(TicketEventSerializer(event, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read a ticket's timeline",
        description=(
            "The timeline, oldest first, one cursor page at a time: internal notes and internal events only "
            "for those who see them on the ticket page."
        ),
        filters=False,
        responses={200: TicketEventSerializer(many=True), 400: ERRORS, **ON_TICKET},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="events",
        filter_backends=[],
        cursor_ordering=("created_at", "id"),
    )
    def events(self, request: Request, number: str = "") -> Response:
        ticket = self._ticket(number)
        page = self.paginate_queryset(selectors.timeline(ticket=ticket, user=request.user))
        context = {**self.get_serializer_context(), "ticket": ticket}
        return self.get_paginated_response(TicketEventSerializer(page, many=True, context=context).data)
