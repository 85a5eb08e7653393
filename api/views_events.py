"""The inbound event endpoint: monitoring and building-automation systems report conditions here."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.models import Scope
from api.serializers_events import EventResultSerializer, EventSerializer
from incidents.events import event_ingest

LIGHT_FITTING = {
    "source": "bygg-iot",
    "event_id": "bms-2026-03-02-000481",
    "dedup_key": "lys/rom-214/armatur-3",
    "asset": "LYS-214-03",
    "severity": "minor",
    "summary": "Light fitting 3 in room 214 does not respond",
    "details": {"building": "Rådhuset", "room": "214", "driver": "DALI", "fault": "lamp failure"},
    "occurred_at": "2026-03-02T07:15:00+01:00",
}
SWITCH_DOWN = {
    "source": "zabbix",
    "event_id": "zbx-9921734",
    "dedup_key": "nett/sw-radhuset-3etg/port-uplink",
    "service": "nettverk",
    "severity": "critical",
    "summary": "Switch sw-radhuset-3etg: uplink down",
    "details": {"host": "sw-radhuset-3etg", "trigger": "Interface Gi1/0/48 down", "trigger_id": 23117},
    "occurred_at": "2026-03-02T06:02:11Z",
    "outage": True,
}


def _field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in exc.messages]}


class EventIngestView(APIView):
    """Receive one monitoring event (token scope events:write)."""

    required_scopes = {"POST": Scope.EVENTS_WRITE}

    @extend_schema(
        operation_id="events_create",
        tags=["events"],
        summary="Report a monitoring event",
        description=(
            "The first event for a dedup key that is neither info nor clear opens an incident on the "
            "service's group; further events for the key are counted on its alert; a clear resolves it "
            "(or is noted, as the event rules say). The same event_id from a source is stored once: "
            "sending it again answers 200 with the first outcome."
        ),
        request=EventSerializer,
        responses={
            201: OpenApiResponse(EventResultSerializer, description=gettext_lazy("The event was stored.")),
            200: OpenApiResponse(
                EventResultSerializer, description=gettext_lazy("This event was stored before; its outcome.")
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description=gettext_lazy('Field errors: {"field": ["message", …]}.')
            ),
            401: OpenApiResponse(description=gettext_lazy("No valid token or session.")),
            403: OpenApiResponse(description=gettext_lazy("The token lacks the events:write scope.")),
        },
        examples=[
            OpenApiExample("Light fitting (building automation)", value=LIGHT_FITTING, request_only=True),
            OpenApiExample("Network switch down", value=SWITCH_DOWN, request_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = EventSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            result = event_ingest(
                user=request.user,
                source=data["source"],
                event_id=data["event_id"],
                dedup_key=data["dedup_key"],
                severity=data["severity"],
                summary=data["summary"],
                occurred_at=data["occurred_at"],
                service=data.get("service"),
                asset=data.get("asset"),
                details=data.get("details"),
                outage=data["outage"],
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_field_errors(exc)) from None
        return Response(
            EventResultSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
