"""Writes for incident management beyond the ticket core: outage records."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Outage
from incidents.rules import records_outages_of
from tickets import live
from tickets.models import Kind, Ticket, TicketEvent


@transaction.atomic
def outage_record(
    *,
    incident: Ticket,
    actor,
    service,
    severity: str,
    start: dt.datetime,
    end: dt.datetime | None = None,
    now: dt.datetime | None = None,
    process: bool = False,
) -> Outage:
    """Record that a service was down or degraded from start to end (end may follow later).

    process=True: an owning process records it (monitoring events, as their source's service account),
    which the caller has authorised; people need the agent or service-owner permission."""
    now = now or timezone.now()
    if not (process or actor.has_perm("tickets.work_on_tickets") or records_outages_of.test(actor, service)):
        raise PermissionDenied(_("Only agents, the service's owner and administrators may record outages."))
    if incident.kind != Kind.INCIDENT:
        raise ValidationError(_("Outages are recorded on incidents."))
    if start > now:
        raise ValidationError({"start": _("The outage cannot start in the future.")})
    if end is not None and end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    if end is not None and end > now:
        raise ValidationError(
            {"end": _("The end cannot be in the future; leave it empty while the outage lasts.")}
        )
    outage = Outage(
        incident=incident,
        service=service,
        severity=severity,
        start=start,
        end=end,
        recorded_by=actor,
        recorded_at=now,
    )
    outage.full_clean()
    outage.save()
    TicketEvent.objects.create(
        ticket=incident,
        type=TicketEvent.Type.FIELD,
        author=actor,
        created_at=now,
        is_public=False,
        data={
            "field": "outage",
            "from": "",
            "to": f"{service.code} {severity} {start.isoformat()}" + (f" – {end.isoformat()}" if end else ""),
            "version": incident.version,
        },
    )
    transaction.on_commit(lambda: live.ticket_changed(incident.pk))
    return outage


@transaction.atomic
def outage_end(
    *, outage: Outage, actor, end: dt.datetime, now: dt.datetime | None = None, process: bool = False
) -> Outage:
    """Close an open outage record (process=True: for an owning process, as in outage_record)."""
    now = now or timezone.now()
    # The agent test first: it needs no service, so the incident page's path costs no extra query.
    if not (
        process or actor.has_perm("tickets.work_on_tickets") or records_outages_of.test(actor, outage.service)
    ):
        raise PermissionDenied(_("Only agents, the service's owner and administrators may record outages."))
    locked = Outage.objects.select_for_update().get(pk=outage.pk)
    if locked.end is not None:
        raise ValidationError({"end": _("This outage has already ended.")})
    if end <= locked.start or end > now:
        raise ValidationError({"end": _("The end must be after the start and not in the future.")})
    locked.end = end
    locked.save(update_fields=["end"])
    TicketEvent.objects.create(
        ticket_id=locked.incident_id,
        type=TicketEvent.Type.FIELD,
        author=actor,
        created_at=now,
        is_public=False,
        data={"field": "outage", "from": "", "to": f"{locked.service_id} ended {end.isoformat()}"},
    )
    transaction.on_commit(lambda: live.ticket_changed(locked.incident_id))
    return locked
