"""Serializers of the ticket endpoints: what a ticket, its SLA clocks and its timeline look like in the
API, and the shape of what a client may send. They check types and look up codes and usernames; the
rules (who may do what, which move is allowed) stay in tickets.services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Service
from people import selectors as people_selectors
from people.models import SupportGroup, User
from sla.models import ClockState
from tickets.models import (
    Category,
    Channel,
    Impact,
    PendingReason,
    Priority,
    ResolutionCode,
    Status,
    Ticket,
    TicketEvent,
    Urgency,
)

# The channels an agent may name when registering a ticket through the API (a call they took, or the
# integration itself); the rest (monitoring events, imports) have their own ways in.
API_CHANNELS = [
    (Channel.API.value, Channel.API.label),
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.WALK_IN.value, Channel.WALK_IN.label),
    (Channel.CHAT.value, Channel.CHAT.label),
    (Channel.EMAIL.value, Channel.EMAIL.label),
]
# Fields only those who work tickets may set when creating one (the portal's form has none of them).
AGENT_CREATE_FIELDS = ("support_group", "impact", "category", "channel")
# Keys of a timeline entry's data that are bookkeeping, not part of what the entry says.
INTERNAL_DATA = frozenset({"sla"})


# --- Output -------------------------------------------------------------------------------------------


class SlaClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ClockState.choices)
    target_seconds = serializers.IntegerField(help_text=_("The target in business seconds."))
    elapsed_seconds = serializers.IntegerField(help_text=_("Business seconds elapsed, as of the response."))
    due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the clock runs out; null while paused or stopped.")
    )
    breached = serializers.BooleanField()
    met = serializers.BooleanField(allow_null=True, help_text=_("Null while the clock is not stopped."))


class SlaSerializer(serializers.Serializer):
    response = SlaClockSerializer(required=False)
    resolution = SlaClockSerializer(required=False)


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as the list shows it."""

    service = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    support_group = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    requester = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    external_id = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("The id in the system it was imported from; else null.")
    )
    pending_reason = serializers.ChoiceField(choices=PendingReason.choices, allow_blank=True, read_only=True)
    sla = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "number",
            "url",
            "kind",
            "title",
            "status",
            "pending_reason",
            "priority",
            "impact",
            "urgency",
            "category",
            "channel",
            "external_id",
            "service",
            "support_group",
            "requester",
            "assignee",
            "opened_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "version",
            "sla",
        ]
        read_only_fields = fields

    @extend_schema_field(SlaSerializer(allow_null=True))
    def get_sla(self, ticket: Ticket):
        return self.context.get("sla", {}).get(ticket.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, ticket: Ticket) -> str:
        path = reverse("api:ticket-detail", kwargs={"number": ticket.number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class TicketDetailSerializer(TicketSerializer):
    """One ticket with its texts, resolution and relations."""

    parent = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    reopened_from = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    resolution_code = serializers.ChoiceField(
        choices=ResolutionCode.choices, allow_blank=True, read_only=True
    )

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "description_html",
            "priority_overridden",
            "resolution_code",
            "resolution_note",
            "reassignment_count",
            "reopen_count",
            "parent",
            "duplicate_of",
            "reopened_from",
        ]
        read_only_fields = fields


class AttachmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment) -> str:
        path = reverse(
            "tickets:attachment", kwargs={"number": self.context["ticket"].number, "pk": attachment.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class TicketEventSerializer(serializers.ModelSerializer):
    """One entry on the timeline."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    author_name = serializers.SerializerMethodField()
    data = serializers.JSONField(read_only=True, help_text=_("What changed (from, to, field, version …)."))
    attachments = AttachmentRefSerializer(many=True, read_only=True)

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "type",
            "created_at",
            "author",
            "author_name",
            "is_public",
            "body",
            "body_html",
            "data",
            "attachments",
        ]
        read_only_fields = fields

    def to_representation(self, event: TicketEvent) -> dict:
        data = super().to_representation(event)
        # The SLA policy snapshot is the clocks' bookkeeping; the ticket's `sla` object is the reading.
        data["data"] = {key: value for key, value in (data["data"] or {}).items() if key not in INTERNAL_DATA}
        return data

    def get_author_name(self, event: TicketEvent) -> str:
        if event.author is None:
            return ""
        return event.author.get_full_name() or event.author.username


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


# --- Input ----------------------------------------------------------------------------------------------


class _VersionField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "help_text", _("The ticket's version as read (or send it in the If-Match header instead).")
        )
        super().__init__(**kwargs)


class TicketCreateSerializer(serializers.Serializer):
    """Report an incident (anyone, for themselves) or register one for someone (agents)."""

    title = serializers.CharField(max_length=200, help_text=_("What is wrong, in a few words."))
    description = serializers.CharField(max_length=20000, help_text=_("Markdown."))
    service = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Service.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("A live service's code; leave out or null when unsure."),
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices,
        default=Urgency.MEDIUM,
        help_text=_("How it affects the requester's work: 1 stopped, 2 hard, 3 a nuisance."),
    )
    requester = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text=_("Agents only: the username of the person the ticket is for (default: yourself)."),
    )
    support_group = serializers.SlugRelatedField(
        slug_field="code",
        queryset=SupportGroup.objects.all(),
        required=False,
        help_text=_("Agents only: the group's code (default: the service's group, or the first line)."),
    )
    impact = serializers.ChoiceField(
        choices=Impact.choices, required=False, help_text=_("Agents only (default 3).")
    )
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, help_text=_("Agents only (default other).")
    )
    channel = serializers.ChoiceField(
        choices=API_CHANNELS, required=False, help_text=_("Agents only: how the call came in (default api).")
    )

    def __init__(self, *args, services=None, agent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.agent = agent
        if services is not None:
            self.fields["service"].queryset = services

    def validate(self, attrs):
        if not self.agent:
            errors = {
                name: [_("Only agents may set this field.")] for name in AGENT_CREATE_FIELDS if name in attrs
            }
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class TicketUpdateSerializer(serializers.Serializer):
    """The fields an agent edits on the ticket page; send only those that change."""

    title = serializers.CharField(max_length=200, required=False)
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.none(), required=False, allow_null=True
    )
    support_group = serializers.SlugRelatedField(
        slug_field="code", queryset=SupportGroup.objects.all(), required=False
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("An agent's username, or null for nobody."),
    )
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text=_("Set by hand; needs priority_reason.")
    )
    priority_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    version = _VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.exclude(state=Service.State.RETIRED)
        self.fields["assignee"].queryset = people_selectors.agents()


class TicketTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices, help_text=_("The status to move to."))
    pending_reason = serializers.ChoiceField(
        choices=PendingReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For pending: what the ticket waits for."),
    )
    resolution_code = serializers.ChoiceField(
        choices=ResolutionCode.choices, required=False, allow_blank=True, default=""
    )
    resolution_note = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For resolved: the resolution, for the requester."),
    )
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For reopening and cancelling: why."),
    )
    resolve_children = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Resolving a major incident: resolve its open children too."),
    )
    version = _VersionField()


class TicketCommentSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, help_text=_("Markdown."))
    internal = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("An internal note, not shown to the requester (agents only)."),
    )
    version = _VersionField()
