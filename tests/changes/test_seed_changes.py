"""The change seed: a year of changes of every kind and outcome, a present with a CAB agenda, and every
change in step with its ticket, its approvals and the calendar."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from changes import demo_changes
from changes.demo_changes import CHANGE_MANAGER, EXTERNAL_PREFIX, TEMPLATES
from changes.models import (
    Change,
    ChangeApproval,
    ChangeKind,
    FreezeWindow,
    MaintenanceWindow,
    StandardChangeTemplate,
)
from changes.selectors import awaiting_cab, change_conflicts
from changes.services import caused_incidents
from changes.transitions import ON_CALENDAR, ticket_status_for
from incidents.models import Outage
from tests.shared_data import shared_data
from tickets.models import Kind, Notification, Status, Ticket, TicketEvent, TicketSequence

pytestmark = pytest.mark.django_db

NOW = dt.datetime.fromisoformat("2026-11-18T14:30:00+01:00")  # a Wednesday afternoon, a month before year end
State = Change.State
Outcome = Change.Outcome
Decision = ChangeApproval.Decision


def seed_changes(*args: str) -> str:
    out = StringIO()
    call_command("seed_changes", *args, stdout=out)
    return out.getvalue()


def planned() -> list[tuple]:
    """What the generator plans for NOW: (kind, title, planned start, planned end) per change."""
    generator = demo_changes.Generator(now=NOW, count=demo_changes.DEFAULT_COUNT)
    generator.plan()
    rows = []
    for script in generator.scripts:
        create = script.steps[0].kwargs
        title = create.get("title") or create["template"].name_nb
        rows.append((script.kind, title, create.get("planned_start"), create.get("planned_end")))
    return sorted(rows, key=repr)


def seeded_rows() -> list[tuple]:
    rows = Change.objects.values_list("kind", "ticket__title", "planned_start", "planned_end")
    return sorted(rows, key=repr)


def demo_changes_qs():
    return Change.objects.filter(ticket__external_id__startswith=EXTERNAL_PREFIX).select_related("ticket")


# Runs before the module's seeding (the `seeded` fixture below is created at its first use).
def test_needs_the_municipality_first():
    with pytest.raises(CommandError, match="seed_demo"):
        seed_changes("--quiet")
    assert not Change.objects.exists()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo municipality and the changes up to NOW, seeded once for the module.

    Seeding takes several seconds, so it is done once (tests/shared_data.py). The plan is made twice
    before the seeding, to show it is deterministic.
    """

    def build():
        call_command("seed_demo", quiet=True, no_incidents=True, no_orders=True, no_changes=True)
        plans = (planned(), planned())
        return {"output": seed_changes(f"--now={NOW.isoformat()}"), "plans": plans}

    yield from shared_data(django_db_blocker, build)


def test_a_year_of_changes_of_every_kind_state_and_outcome(seeded):
    assert "demo changes seeded in" in seeded["output"]
    assert "by kind:" in seeded["output"] and "outcomes:" in seeded["output"]
    changes = list(demo_changes_qs().prefetch_related("approvals"))
    assert 130 <= len(changes) <= 170
    assert {c.kind for c in changes} == set(ChangeKind.values)
    assert {c.state for c in changes} == set(State.values)
    assert {c.outcome for c in changes if c.outcome} == set(Outcome.values)
    # Most of the year is done; spread over the twelve months and the next six weeks.
    closed = [c for c in changes if c.state == State.CLOSED]
    assert len(closed) > len(changes) / 2
    starts = [c.planned_start for c in changes if c.planned_start]
    assert NOW - dt.timedelta(days=366) <= min(starts) and max(starts) <= NOW + dt.timedelta(days=60)
    assert sum(start > NOW for start in starts) >= 10
    for change in closed:
        label = f"{change.ticket.number} {change.kind} {change.outcome}"
        assert change.outcome and change.actual_start and change.actual_end, label
        assert change.actual_start <= change.actual_end < NOW, label
        if change.kind == ChangeKind.EMERGENCY or change.outcome in {Outcome.FAILED, Outcome.BACKED_OUT}:
            assert change.review_note and change.reviewed_by_id and change.reviewed_at, label
    for change in changes:
        if change.state in {State.CANCELLED, State.REJECTED, State.CLOSED}:
            continue
        assert not change.outcome, change.ticket.number
    # Emergency changes are approved by the change manager alone, within the hour.
    for change in changes:
        if change.kind != ChangeKind.EMERGENCY:
            continue
        approved = [a for a in change.approvals.all() if a.decision == Decision.APPROVED]
        assert [a.approver.username for a in approved] == [CHANGE_MANAGER], change.ticket.number
        assert change.approved_at - change.ticket.opened_at < dt.timedelta(hours=1)


def test_standard_changes_come_from_templates_with_monthly_patching(seeded):
    assert set(StandardChangeTemplate.objects.values_list("code", flat=True)) == {
        t["code"] for t in TEMPLATES
    }
    standard = demo_changes_qs().filter(kind=ChangeKind.STANDARD)
    assert set(standard.values_list("template__code", flat=True)) == {t["code"] for t in TEMPLATES}
    assert not ChangeApproval.objects.filter(change__in=standard).exists()
    assert not standard.filter(
        state__in=[State.SUBMITTED, State.ASSESSMENT, State.AWAITING_APPROVAL]
    ).exists()
    local = timezone.localtime(NOW)
    for code in ("patch-windows-klienter", "patch-servere"):
        patching = standard.filter(template__code=code)
        months = {
            (timezone.localtime(start).year, timezone.localtime(start).month)
            for start in patching.filter(state=State.CLOSED).values_list("planned_start", flat=True)
        }
        for back in range(1, 12):
            year, month = divmod(local.year * 12 + local.month - 1 - back, 12)
            assert (year, month + 1) in months, (code, year, month + 1)
        assert patching.filter(state=State.SCHEDULED, planned_start__gt=NOW).exists(), code
    servers = standard.filter(template__code="patch-servere", state=State.CLOSED)
    assert all(c.causes_downtime and c.maintenance_windows.count() == 4 for c in servers)


def test_the_present_has_a_cab_agenda_and_work_in_every_state(seeded):
    changes = demo_changes_qs()
    implementing = changes.get(state=State.IMPLEMENTING)
    assert implementing.actual_start <= NOW < implementing.planned_end
    assert 0 < implementing.tasks.filter(done_at__isnull=False).count() < implementing.tasks.count()
    in_review = changes.get(state=State.REVIEW)
    assert in_review.actual_end < NOW and not in_review.outcome
    assert changes.filter(state=State.DRAFT).count() >= 2
    assert changes.filter(state=State.SUBMITTED).exists()
    assert changes.filter(state=State.ASSESSMENT).count() >= 2
    assert changes.filter(state=State.SCHEDULED, planned_start__gt=NOW).count() >= 5
    # The CAB agenda: planned for the next two to four weeks; the change manager has not voted yet.
    agenda = list(awaiting_cab(start=NOW, end=NOW + dt.timedelta(days=30)))
    assert len(agenda) >= 4
    voted = 0
    for change in agenda:
        votes = [a for a in change.approvals.all() if a.round == change.approval_round]
        manager = [a for a in votes if a.approver.username == CHANGE_MANAGER]
        assert [a.decision for a in manager] == [Decision.PENDING], change.ticket.number
        voted += any(a.decision == Decision.APPROVED for a in votes)
        assert NOW + dt.timedelta(days=5) <= change.planned_start <= NOW + dt.timedelta(days=30)
    assert voted >= 2
    assert any(change.approval_round == 2 for change in agenda)  # back from a request for information
    assert changes.filter(state=State.AWAITING_APPROVAL, cab_required=False).exists()
    assert ChangeApproval.objects.filter(decision=Decision.INFO).count() >= 2
    # Nobody was notified of the history, the pending votes included (as in the other seeds).
    assert not Notification.objects.filter(ticket__external_id__startswith=EXTERNAL_PREFIX).exists()


def test_failed_changes_caused_incidents_with_outages(seeded):
    failed = list(demo_changes_qs().filter(outcome__in=[Outcome.FAILED, Outcome.BACKED_OUT]))
    assert len(failed) >= 1
    for change in failed:
        incidents = list(caused_incidents(change))
        assert incidents, change.ticket.number
        for incident in incidents:
            incident = Ticket.objects.get(pk=incident.pk)
            assert incident.kind == Kind.INCIDENT and incident.status == Status.CLOSED
            assert incident.service_id in set(change.services.values_list("pk", flat=True))
            assert change.actual_start <= incident.opened_at < change.ticket.closed_at
            assert incident.number in change.review_note
            outage = Outage.objects.get(incident=incident)
            assert outage.service_id == incident.service_id and outage.end == incident.resolved_at
            assert incident.events.filter(type=TicketEvent.Type.LINK).exists()


def test_freeze_and_maintenance_windows_on_the_calendar(seeded):
    freezes = {f.name_nb: f for f in FreezeWindow.objects.prefetch_related("services")}
    assert set(freezes) == {"Eksamensperiode", "Årsavslutning"}
    exam, year_end = freezes["Eksamensperiode"], freezes["Årsavslutning"]
    assert exam.end <= NOW < year_end.end  # the last exam weeks, and the year end ahead
    assert {s.code for s in exam.services.all()} == {"nettverk-skole", "skole-laeringsplattform"}
    assert not year_end.services.exists()  # every service
    windows = MaintenanceWindow.objects.filter(change__ticket__external_id__startswith=EXTERNAL_PREFIX)
    assert windows.count() >= 30
    for change in demo_changes_qs().filter(causes_downtime=True, planned_start__isnull=False):
        mine = list(change.maintenance_windows.all())
        assert {w.service_id for w in mine} == set(change.services.values_list("pk", flat=True))
        for window in mine:
            assert (window.planned_start, window.planned_end) == (change.planned_start, change.planned_end)
            if change.state in {State.REVIEW, State.CLOSED}:
                assert (window.actual_start, window.actual_end) == (change.actual_start, change.actual_end)
            else:
                assert window.actual_start is None
    assert windows.filter(actual_start__isnull=False).count() >= 20
    # Nothing on the calendar collides, except the two conflicts the change manager overrode on purpose.
    overridden = list(demo_changes_qs().exclude(override_reason=""))
    assert len(overridden) == 2
    assert all(c.override_holds and c.override_by.username == CHANGE_MANAGER for c in overridden)
    assert any(c.kind == ChangeKind.EMERGENCY and c.planned_start < exam.end for c in overridden)
    on_calendar = demo_changes_qs().filter(state__in=ON_CALENDAR - {State.CLOSED})
    for change in on_calendar.exclude(override_reason=""):
        assert change_conflicts(change), change.ticket.number
    for change in on_calendar.filter(override_reason=""):
        others = {c.obj.pk for c in change_conflicts(change) if not c.is_freeze}
        assert others <= {c.pk for c in overridden}, change.ticket.number


def test_every_change_is_in_step_with_its_ticket(seeded):
    changes = list(demo_changes_qs().select_related("ticket__assignee").prefetch_related("ticket__events"))
    for change in changes:
        ticket = change.ticket
        label = f"{ticket.number} {change.state}"
        assert ticket.kind == Kind.CHANGE, label
        assert (ticket.status, ticket.pending_reason) == ticket_status_for(change.state), label
        events = sorted(ticket.events.all(), key=lambda e: e.pk)
        assert events[0].type == TicketEvent.Type.CREATED and events[0].created_at == ticket.opened_at, label
        times = [e.created_at for e in events]
        assert times == sorted(times) and times[-1] < NOW, label
        assert ticket.updated_at == times[-1], label
        if change.state in {State.SCHEDULED, State.IMPLEMENTING, State.REVIEW, State.CLOSED}:
            assert ticket.assignee_id == change.owner_id, label
            assert change.approved_at is not None or change.kind == ChangeKind.STANDARD, label
    # Numbers follow the time the changes were raised, and continue the sequence.
    highest: dict[int, int] = {}
    for change in sorted(changes, key=lambda c: c.ticket.opened_at):
        year, number = map(int, re.match(r"^CHG-(\d{4})-(\d{6})$", change.ticket.number).groups())
        assert number > highest.get(year, 0), change.ticket.number
        highest[year] = number
    for year, number in highest.items():
        assert TicketSequence.objects.get(kind=Kind.CHANGE, year=year).last == number


def test_seeding_is_deterministic_and_idempotent(seeded):
    first, second = seeded["plans"]
    assert first == second
    assert seeded_rows() == first
    counts = [m.objects.count() for m in (Change, Ticket, TicketEvent, ChangeApproval, MaintenanceWindow)]
    assert "in place; nothing to do" in seed_changes(f"--now={NOW.isoformat()}")
    call_command("seed_demo", quiet=True, no_incidents=True, no_orders=True)
    assert [
        m.objects.count() for m in (Change, Ticket, TicketEvent, ChangeApproval, MaintenanceWindow)
    ] == counts
    assert FreezeWindow.objects.count() == 2
