"""The inbound event's body and the answer to it (docs/events.md describes both with examples)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import Asset, Service
from incidents.events import CLOCK_SKEW, details_check, monitoring_source_check
from incidents.models import Alert, EventSeverity, MonitoringEvent


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that states its UTC offset ("Z" or "+01:00"); a local time is ambiguous."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-03-02T07:15:00+01:00.")
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class EventSerializer(serializers.Serializer):
    source = serializers.SlugField(
        max_length=60,
        help_text=_("The sending system's code, e.g. zabbix or bygg-iot; registered on first use."),
    )
    event_id = serializers.CharField(
        max_length=200, help_text=_("Unique per source: the same event sent again is stored once.")
    )
    dedup_key = serializers.CharField(
        max_length=255, help_text=_("What identifies the condition, e.g. lys/rom-214/armatur-3.")
    )
    service = serializers.SlugField(
        max_length=60, required=False, help_text=_("The service's code; give either service or asset.")
    )
    asset = serializers.CharField(
        max_length=40, required=False, help_text=_("The asset tag; the incident goes to the asset's service.")
    )
    severity = serializers.ChoiceField(choices=EventSeverity.choices)
    summary = serializers.CharField(max_length=200, help_text=_("One line; the incident's title."))
    details = serializers.DictField(
        required=False, help_text=_("Any JSON object, at most 16 KiB; shown on the incident.")
    )
    occurred_at = OffsetDateTimeField(help_text=_("When it happened, with its UTC offset."))
    outage = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("The service is down or degraded from occurred_at; the clear event ends the outage."),
    )

    def validate_source(self, value: str) -> str:
        try:
            monitoring_source_check(user=self.context["request"].user, code=value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["source"]) from None
        return value

    def validate_details(self, value: dict) -> dict:
        try:
            return details_check(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["details"]) from None

    def validate_occurred_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("The event cannot have occurred in the future."))
        return value

    def validate_service(self, value: str) -> Service:
        service = Service.objects.filter(code=value).first()
        if service is None:
            raise serializers.ValidationError(_("Unknown service."))
        return service

    def validate_asset(self, value: str) -> Asset:
        asset = Asset.objects.select_related("item__service").filter(asset_tag=value).first()
        if asset is None:
            raise serializers.ValidationError(_("Unknown asset."))
        return asset

    def validate(self, attrs: dict) -> dict:
        if ("service" in attrs) == ("asset" in attrs):
            message = (
                _("Give either a service or an asset, not both.")
                if "service" in attrs
                else _("Give a service or an asset.")
            )
            raise serializers.ValidationError({"service": [message]})
        return attrs


class EventAlertSerializer(serializers.ModelSerializer):
    """The condition the event belongs to: how many events it has had and how bad it has been."""

    source = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "source",
            "dedup_key",
            "state",
            "severity",
            "highest_severity",
            "count",
            "first_seen",
            "last_seen",
            "cleared_at",
        ]
        read_only_fields = fields


class EventResultSerializer(serializers.Serializer):
    """What became of the event; a repeated delivery gets the first delivery's outcome."""

    status = serializers.ChoiceField(
        choices=MonitoringEvent.Outcome.choices,
        source="event.outcome",
        help_text=_(
            "created: opened an incident; appended: counted on one; cleared: ended one; stored: only stored."
        ),
    )
    ticket = serializers.CharField(
        source="event.ticket.number",
        allow_null=True,
        help_text=_("The incident's number, e.g. INC-2026-000123."),
    )
    alert = EventAlertSerializer(source="event.alert", allow_null=True)
    received_at = serializers.DateTimeField(source="event.received_at")
