"""Event management: monitoring and building-automation events become incidents, one per open condition.

An event names its condition with a dedup key. The first event that is neither ``info`` nor ``clear``
opens an incident; later events for the key are counted on the condition's ``Alert`` and reach the
incident's timeline only when they say something new (another severity, an outage, the clear), so a
flood of repeats costs a few queries each and never floods the timeline or the queues' live updates.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import (
    ACTIONABLE_SEVERITIES,
    Alert,
    EventRule,
    EventSeverity,
    MonitoringEvent,
    MonitoringSource,
    Outage,
)
from incidents.services import outage_end, outage_record
from tickets.models import OPEN_STATUSES, Channel, Kind, Priority, ResolutionCode, Status, Ticket
from tickets.services import ticket_create, ticket_process_event, ticket_transition, ticket_update
from tickets.transitions import Move

# The defaults the data migration writes: severity → priority for service criticality 1, 2, 3, 4.
DEFAULT_EVENT_RULES: dict[str, tuple[int, int, int, int]] = {
    EventSeverity.CRITICAL: (1, 1, 2, 3),
    EventSeverity.MAJOR: (2, 2, 3, 3),
    EventSeverity.MINOR: (3, 3, 4, 4),
    EventSeverity.WARNING: (4, 4, 4, 4),
}

# Impact × urgency that the default priority matrix turns into each priority, so an incident's fields
# agree with the priority the event rule gave it.
IMPACT_URGENCY_FOR = {Priority.P1: (1, 1), Priority.P2: (1, 2), Priority.P3: (2, 2), Priority.P4: (3, 3)}

# Worse conditions rank higher; info and clear never raise the rank of a condition.
SEVERITY_RANK = {
    EventSeverity.CRITICAL: 4,
    EventSeverity.MAJOR: 3,
    EventSeverity.MINOR: 2,
    EventSeverity.WARNING: 1,
    EventSeverity.INFO: 0,
    EventSeverity.CLEAR: 0,
}

DETAILS_MAX_BYTES = 16 * 1024
# A sender's clock may run a little ahead of ours.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class IngestResult:
    """What became of an event; ``created`` is False for a repeated delivery of a stored event."""

    event: MonitoringEvent
    created: bool

    @property
    def ticket(self) -> Ticket | None:
        return self.event.ticket

    @property
    def alert(self) -> Alert | None:
        return self.event.alert


def monitoring_source_check(*, user, code: str) -> MonitoringSource | None:
    """Return the user's source with this code (None if it will be registered); refuse anyone else's.

    A source is registered, bound to the sending service account, on its first event.
    """
    source = MonitoringSource.objects.filter(code=code).select_related("service_account").first()
    if source is not None:
        if source.service_account_id != user.pk:
            raise ValidationError({"source": _("This source sends its events with another account.")})
        return source
    if not user.is_service_account:
        raise ValidationError(
            {"source": _("Unknown source. Events from a new source must come from a service account.")}
        )
    return None


def details_check(details) -> dict:
    """Return the details if they are a JSON object of at most 16 KiB."""
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise ValidationError({"details": _("Details must be a JSON object.")})
    size = len(json.dumps(details, ensure_ascii=False).encode())
    if size > DETAILS_MAX_BYTES:
        raise ValidationError(
            {"details": _("Details may be at most %(limit)d bytes of JSON.") % {"limit": DETAILS_MAX_BYTES}}
        )
    return details


def event_rule_for(*, severity: str, criticality: int) -> tuple[int, bool]:
    """Return (priority, auto-resolve on clear) for an actionable severity on a service's criticality."""
    rule = (
        EventRule.objects.filter(severity=severity, criticality=criticality)
        .values_list("priority", "auto_resolve")
        .first()
    )
    if rule is not None:
        return rule
    return DEFAULT_EVENT_RULES[EventSeverity(severity)][criticality - 1], True


def event_ingest(
    *,
    user,
    source: str,
    event_id: str,
    dedup_key: str,
    severity: str,
    summary: str,
    occurred_at: dt.datetime,
    service=None,
    asset=None,
    details: dict | None = None,
    outage: bool = False,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Store a monitoring event once per (source, event_id) and open, update or clear its incident.

    The service is the event's own, or its asset's. A repeated delivery returns the stored outcome.
    """
    now = now or timezone.now()
    if timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": _("Give the time with its UTC offset.")})
    if occurred_at > now + CLOCK_SKEW:
        raise ValidationError({"occurred_at": _("The event cannot have occurred in the future.")})
    if (service is None) == (asset is None):
        raise ValidationError({"service": _("Give either a service or an asset.")})
    if service is None:
        service = asset.item.service
    severity = EventSeverity(severity)
    details = details_check(details)
    event = {
        "event_id": event_id,
        "dedup_key": dedup_key,
        "severity": severity,
        "summary": summary.strip(),
        "details": details,
        "outage": outage,
        "service": service,
        "asset": asset,
        "occurred_at": occurred_at,
        "received_at": now,
    }
    for attempt in (1, 2):
        try:
            # Inside a caller's transaction this takes no savepoint: PostgreSQL slows down sharply with
            # thousands of subtransactions in one transaction (a batch, a test's flood).
            with transaction.atomic(savepoint=False):
                result = _repeat(user=user, code=source, **event)
            if result is not None:
                return result
            with transaction.atomic():
                return _ingest(user=user, code=source, **event)
        except IntegrityError:
            # A concurrent request stored the same event (unique event id) or opened the same condition
            # (one open alert per key), and this attempt was rolled back. Look again, once; inside a
            # caller's transaction there is nothing to look at until the caller rolls back.
            if connection.needs_rollback:
                raise
            known = _stored(source, event_id)
            if known is not None:
                return IngestResult(known, created=False)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _stored(code: str, event_id: str) -> MonitoringEvent | None:
    return (
        MonitoringEvent.objects.filter(source__code=code, event_id=event_id)
        .select_related("ticket", "alert__source")
        .first()
    )


def _repeat(*, user, code: str, **event) -> IngestResult | None:
    """Count a repeat of an open condition's severity, or return None if the event is anything else.

    The common case (a flood) costs three statements: this read, one UPDATE of the count, one INSERT of
    the event; nothing touches the incident. The read is written out because building it with the ORM
    costs more than the other two statements together, for every event of a flood.
    """
    quote = connection.ops.quote_name
    # Only the models' own table names are put into the text; the values are parameters.
    sql = " ".join(
        [
            "SELECT a.id, a.source_id, s.service_account_id, a.ticket_id, t.status, a.severity, a.outage_id,",
            "EXISTS (SELECT 1 FROM",
            quote(MonitoringEvent._meta.db_table),
            "e WHERE e.source_id = a.source_id AND e.event_id = %s)",
            "FROM",
            quote(Alert._meta.db_table),
            "a JOIN",
            quote(MonitoringSource._meta.db_table),
            "s ON s.id = a.source_id JOIN",
            quote(Ticket._meta.db_table),
            "t ON t.id = a.ticket_id WHERE s.code = %s AND a.dedup_key = %s AND a.state = %s",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event["event_id"], code, event["dedup_key"], Alert.State.OPEN.value])
        row = cursor.fetchone()
    if row is None:
        return None
    alert_id, source_id, account_id, ticket_id, ticket_status, severity, outage_id, stored = row
    if account_id != user.pk:
        return None  # refused the long way, where a refusal rolls back only its own savepoint
    if stored:
        return IngestResult(_stored(code, event["event_id"]), created=False)
    if not (
        ticket_status in OPEN_STATUSES
        and event["severity"] in {severity, EventSeverity.INFO}
        and not (event["outage"] and outage_id is None)
    ):
        return None
    # The condition filter makes a concurrent clear win: then this event takes the long way.
    counted = Alert.objects.filter(pk=alert_id, state=Alert.State.OPEN).update(
        count=F("count") + 1, last_seen=Greatest("last_seen", Value(event["occurred_at"]))
    )
    if not counted:
        return None
    stored_event = MonitoringEvent.objects.create(
        source_id=source_id,
        outcome=MonitoringEvent.Outcome.APPENDED,
        alert_id=alert_id,
        ticket_id=ticket_id,
        **event,
    )
    return IngestResult(stored_event, created=True)


def _ingest(
    *,
    user,
    code,
    event_id,
    dedup_key,
    severity,
    summary,
    occurred_at,
    service,
    asset,
    details,
    outage,
    received_at,
) -> IngestResult:
    """Handle any event that is not a plain repeat: open, change, clear a condition, or store the event."""
    now = received_at
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("source", "ticket", "service")
        .filter(source__code=code, dedup_key=dedup_key, state=Alert.State.OPEN)
        .first()
    )
    if alert is not None and alert.source.service_account_id != user.pk:
        raise ValidationError({"source": _("This source sends its events with another account.")})
    if alert is not None and alert.ticket.status not in OPEN_STATUSES:
        # An agent resolved or closed the incident: the condition's next event starts a new one.
        Alert.objects.filter(pk=alert.pk).update(state=Alert.State.CLOSED)
        alert = None
    # Make sure this is no repeated delivery before an incident is opened or changed for it.
    known = _stored(code, event_id)
    if known is not None:
        return IngestResult(known, created=False)
    if alert is not None:
        source = alert.source
    else:
        source = monitoring_source_check(user=user, code=code)
        if source is None:
            source = MonitoringSource.objects.create(
                code=code, name=code, service_account=user, created_at=now
            )
    account = user  # the source's own service account (checked above)

    outcome = MonitoringEvent.Outcome.STORED
    if alert is None and severity in ACTIONABLE_SEVERITIES:
        alert = _open(
            source=source,
            account=account,
            dedup_key=dedup_key,
            severity=severity,
            summary=summary,
            occurred_at=occurred_at,
            service=service,
            asset=asset,
            details=details,
            outage=outage,
            now=now,
        )
        outcome = MonitoringEvent.Outcome.CREATED
    elif alert is not None and severity == EventSeverity.CLEAR:
        _clear(alert=alert, source=source, account=account, summary=summary, occurred_at=occurred_at, now=now)
        outcome = MonitoringEvent.Outcome.CLEARED
    elif alert is not None:
        _append(
            alert=alert,
            account=account,
            severity=severity,
            summary=summary,
            occurred_at=occurred_at,
            outage=outage,
            now=now,
        )
        outcome = MonitoringEvent.Outcome.APPENDED
    event = MonitoringEvent.objects.create(
        source=source,
        event_id=event_id,
        dedup_key=dedup_key,
        severity=severity,
        summary=summary,
        details=details,
        outage=outage,
        service=service,
        asset=asset,
        occurred_at=occurred_at,
        received_at=now,
        outcome=outcome,
        alert=alert,
        ticket=alert.ticket if alert is not None else None,
    )
    return IngestResult(event, created=True)


def _open(
    *, source, account, dedup_key, severity, summary, occurred_at, service, asset, details, outage, now
) -> Alert:
    priority, _auto = event_rule_for(severity=severity, criticality=service.criticality)
    impact, urgency = IMPACT_URGENCY_FOR[Priority(priority)]
    ticket = ticket_create(
        requester=account,
        created_by=account,
        title=summary,
        description=_description(
            source=source,
            dedup_key=dedup_key,
            severity=severity,
            summary=summary,
            occurred_at=occurred_at,
            asset=asset,
            details=details,
        ),
        kind=Kind.INCIDENT,
        service=service,
        impact=impact,
        urgency=urgency,
        channel=Channel.EVENT,
        now=now,
    )
    if ticket.priority != priority:
        # The priority matrix was changed so that it no longer agrees with the event rules: the rule wins.
        ticket = ticket_update(
            ticket=ticket,
            actor=account,
            version=ticket.version,
            changes={"priority": priority},
            reason=_(
                "Priority from the event rules for %(severity)s events on a criticality %(criticality)d service."
            )
            % {"severity": severity, "criticality": service.criticality},
            now=now,
            process=True,
        )
    return Alert.objects.create(
        source=source,
        dedup_key=dedup_key,
        service=service,
        asset=asset,
        ticket=ticket,
        outage=_outage_start(
            ticket=ticket,
            service=service,
            account=account,
            severity=severity,
            start=occurred_at,
            now=now,
        )
        if outage
        else None,
        severity=severity,
        highest_severity=severity,
        count=1,
        first_seen=occurred_at,
        last_seen=occurred_at,
    )


def _append(*, alert, account, severity, summary, occurred_at, outage, now) -> None:
    """Count a further event; only a new severity or an outage's start reaches the timeline."""
    changes = {"count": F("count") + 1, "last_seen": Greatest("last_seen", Value(occurred_at))}
    alert.count += 1  # the row is locked: the stored count is this one
    alert.last_seen = max(alert.last_seen, occurred_at)
    if severity in ACTIONABLE_SEVERITIES and severity != alert.severity:
        ticket_process_event(
            ticket=alert.ticket,
            author=account,
            body=_("Severity changed from %(old)s to %(new)s: %(summary)s")
            % {"old": EventSeverity(alert.severity).label, "new": severity.label, "summary": summary},
            data={
                "monitoring": "severity",
                "from": alert.severity,
                "to": severity,
                "dedup_key": alert.dedup_key,
            },
            now=now,
        )
        changes["severity"] = alert.severity = severity
        if SEVERITY_RANK[severity] > SEVERITY_RANK[EventSeverity(alert.highest_severity)]:
            changes["highest_severity"] = alert.highest_severity = severity
    if outage and alert.outage_id is None:
        changes["outage"] = alert.outage = _outage_start(
            ticket=alert.ticket,
            service=alert.service,
            account=account,
            severity=alert.severity,
            start=occurred_at,
            now=now,
        )
    Alert.objects.filter(pk=alert.pk).update(**changes)


def _clear(*, alert, source, account, summary, occurred_at, now) -> None:
    """End the condition: end its outage, and resolve the incident or note the clear, as the rules say."""
    if alert.outage_id is not None:
        _outage_finish(alert=alert, account=account, end=occurred_at, now=now)
    _priority, auto_resolve = event_rule_for(
        severity=alert.highest_severity, criticality=alert.service.criticality
    )
    if source.auto_resolve is not None:
        auto_resolve = source.auto_resolve
    note = _("Cleared by monitoring (%(source)s): %(summary)s") % {"source": source.code, "summary": summary}
    if auto_resolve:
        ticket_transition(
            ticket=alert.ticket,
            actor=account,
            move=Move(
                to=Status.RESOLVED,
                resolution_code=ResolutionCode.MONITORING_CLEARED,
                resolution_note=note,
            ),
            version=None,
            now=now,
            process=True,
        )
    else:
        ticket_process_event(
            ticket=alert.ticket,
            author=account,
            body=note,
            data={"monitoring": "clear", "dedup_key": alert.dedup_key},
            now=now,
        )
    alert.state = Alert.State.CLEARED
    alert.cleared_at = occurred_at
    alert.count += 1
    alert.last_seen = max(alert.last_seen, occurred_at)
    Alert.objects.filter(pk=alert.pk).update(
        state=alert.state, cleared_at=occurred_at, count=F("count") + 1, last_seen=alert.last_seen
    )


def _outage_start(*, ticket, service, account, severity, start, now) -> Outage:
    """Record the outage the event reports, from its time, as the monitoring process: the source's service
    account is no agent, and the token's events:write scope is what authorised it."""
    start = min(start, now)
    kind = Outage.Severity.DOWN if severity == EventSeverity.CRITICAL else Outage.Severity.DEGRADED
    return outage_record(
        incident=ticket, actor=account, service=service, severity=kind, start=start, now=now, process=True
    )


def _outage_finish(*, alert, account, end, now) -> None:
    outage = alert.outage
    if outage.end is not None:
        return  # an agent ended it already
    # The clear's own time, kept after the start and not in the future, as outage_end requires.
    end = min(max(end, outage.start + dt.timedelta(seconds=1)), now)
    if end <= outage.start:
        return
    outage_end(outage=outage, actor=account, end=end, now=now, process=True)


def _description(*, source, dedup_key, severity, summary, occurred_at, asset, details) -> str:
    lines = [
        summary,
        "",
        f"- {_('Source')}: {source.code}",
        f"- {_('Condition')}: `{dedup_key}`",
        f"- {_('Severity')}: {EventSeverity(severity).label}",
        f"- {_('Occurred')}: {occurred_at.isoformat()}",
    ]
    if asset is not None:
        lines.append(f"- {_('Asset')}: {asset.asset_tag}")
    if details:
        lines += ["", "```json", json.dumps(details, ensure_ascii=False, indent=2, sort_keys=True), "```"]
    return "\n".join(lines)
