"""The incident seed: a year of consistent demo history through the ticket services, idempotent and silent."""

import datetime as dt
from collections import Counter
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Avg
from django.test import TestCase

from incidents.demo_incidents import EXTERNAL_PREFIX
from incidents.models import Outage, SatisfactionRating
from people.models import SupportGroup, SupportGroupMembership, User
from tests.shared_data import shared_data
from tickets.models import (
    OPEN_STATUSES,
    CannedResponse,
    Channel,
    Notification,
    PendingReason,
    Status,
    Ticket,
    TicketEvent,
    TicketSequence,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime.fromisoformat("2026-03-18T14:30:00+01:00")  # a Wednesday afternoon
COUNT = 150


def seed_incidents(*args: str) -> str:
    out = StringIO()
    call_command("seed_incidents", *args, stdout=out)
    return out.getvalue()


# These run before the module's seeding (the `seeded` fixture below is created at its first use).
def test_needs_the_demo_municipality(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_incidents", "--count=20", "--quiet")
    assert not Ticket.objects.exists()


def test_rejects_a_bad_reference_time(db):
    with pytest.raises(CommandError, match="ISO"):
        call_command("seed_incidents", "--now=yesterday")


def test_same_reference_time_same_history_even_on_a_weekend_after_dst():
    """Sunday noon right after the switch to summer time: still consistent, and reproducible."""
    now = dt.datetime.fromisoformat("2026-03-29T12:00:00+02:00")
    call_command("seed_demo", quiet=True, no_incidents=True, no_changes=True)

    def run() -> list[tuple]:
        seed_incidents(f"--now={now.isoformat()}", "--count=60", "--quiet")
        assert_consistent_timelines(now)
        return list(
            demo_tickets()
            .order_by("external_id")
            .values_list("external_id", "title", "opened_at", "status", "priority", "requester__username")
        )

    first = run()
    demo_tickets().delete()
    assert run() == first


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo municipality plus COUNT incidents, seeded once for the module (tests/shared_data.py).

    The incidents' commit is simulated (callbacks run), and the mail sent meanwhile is kept.
    """

    def build():
        call_command("seed_demo", quiet=True, no_incidents=True, no_changes=True)
        sent = len(mail.outbox)
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            output = seed_incidents(f"--now={NOW.isoformat()}", f"--count={COUNT}")
        return SimpleNamespace(output=output, callbacks=callbacks, emails=mail.outbox[sent:])

    yield from shared_data(django_db_blocker, build)


def demo_tickets():
    return Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX)


def assert_consistent_timelines(now: dt.datetime) -> None:
    """Every ticket's fields agree with its timeline, and the timeline runs forward and ends before now."""
    members = set(SupportGroupMembership.objects.values_list("group_id", "user_id"))
    tickets = demo_tickets().prefetch_related("events")
    assert tickets.exists()
    for ticket in tickets:
        events = sorted(ticket.events.all(), key=lambda e: e.pk)
        label = f"{ticket.number} {ticket.status}"
        assert events[0].type == TicketEvent.Type.CREATED, label
        assert events[0].created_at == ticket.opened_at, label
        times = [e.created_at for e in events]
        assert times == sorted(times), label
        assert times[-1] <= now, label
        assert ticket.updated_at >= times[-1], label
        stamps = [ticket.opened_at, ticket.first_response_at, ticket.resolved_at, ticket.closed_at]
        present = [s for s in stamps if s is not None]
        assert present == sorted(present), label
        # Replaying the status events gives the ticket's status.
        status, reason = Status.NEW, ""
        for event in events:
            if event.type == TicketEvent.Type.STATUS:
                status, reason = event.data["to"], event.data.get("pending_reason", "")
            elif event.type == TicketEvent.Type.FIELD and event.data.get("field") == "status":
                status, reason = Status.ASSIGNED, ""  # the only move an edit makes: new → assigned
        assert (status, reason) == (ticket.status, ticket.pending_reason), label
        if ticket.status in {Status.RESOLVED, Status.CLOSED}:
            assert ticket.resolved_at and ticket.first_response_at and ticket.resolution_code, label
            if ticket.duplicate_of_id:
                assert ticket.resolution_code == "duplicate" and ticket.status == Status.CLOSED, label
            else:
                resolved = [e for e in events if e.type == "status" and e.data["to"] == Status.RESOLVED]
                assert resolved and resolved[-1].created_at == ticket.resolved_at, label
        if ticket.status == Status.CLOSED:
            assert ticket.closed_at is not None, label
        else:
            assert ticket.closed_at is None, label
        if ticket.status == Status.PENDING:
            assert ticket.pending_reason in PendingReason.values, label
        if ticket.status in {Status.ASSIGNED, Status.IN_PROGRESS}:
            assert ticket.assignee_id is not None, label
        if ticket.assignee_id:
            assert (ticket.support_group_id, ticket.assignee_id) in members, label


def test_every_status_and_every_kind_of_history_occurs(seeded):
    tickets = demo_tickets()
    assert tickets.count() == COUNT
    statuses = Counter(tickets.values_list("status", flat=True))
    assert set(statuses) == set(Status.values), statuses
    assert all(statuses[s] > 0 for s in Status.values)
    assert statuses[Status.CLOSED] > tickets.count() / 2  # most of a year's incidents are long closed
    pending = set(tickets.filter(status=Status.PENDING).values_list("pending_reason", flat=True))
    # Every reason an incident can wait for; waiting for approval is for service requests only.
    assert pending == set(PendingReason.values) - {PendingReason.APPROVAL}
    assert set(tickets.values_list("priority", flat=True)) == {1, 2, 3, 4}
    assert {Channel.PORTAL, Channel.PHONE, Channel.EMAIL, Channel.CHAT, Channel.WALK_IN} <= set(
        tickets.values_list("channel", flat=True)
    )
    channels = Counter(tickets.values_list("channel", flat=True))
    assert channels.most_common(1)[0][0] == Channel.PORTAL
    assert tickets.filter(reassignment_count__gt=0).exists()  # escalated to another group
    assert tickets.filter(reopen_count__gt=0).exists() or tickets.filter(reopened_from__isnull=False).exists()
    assert tickets.filter(duplicate_of__isnull=False, resolution_code="duplicate").count() >= 2
    assert tickets.filter(parent__isnull=False).count() >= 4  # the major incidents' children
    assert tickets.filter(first_contact_resolution=True).exists()
    assert tickets.filter(priority_overridden=True).exists()
    # Numbers follow the opening time, per year.
    ordered = list(tickets.order_by("opened_at").values_list("number", flat=True))
    assert ordered == sorted(ordered, key=lambda n: (n[4:8], n))
    assert TicketSequence.objects.filter(kind="incident").count() >= 1
    # Norwegian titles, and the summary names the counts.
    assert tickets.filter(title__icontains="logget inn").exists()
    assert f"{COUNT} demo incidents seeded" in seeded.output
    assert "by status:" in seeded.output and "outages:" in seeded.output and "ratings:" in seeded.output


def test_timelines_are_consistent(seeded):
    assert_consistent_timelines(NOW)
    # Agents work office hours: most tickets are opened and most agent events happen 08–16 on weekdays.
    from django.utils import timezone

    opened = [timezone.localtime(t) for t in demo_tickets().values_list("opened_at", flat=True)]
    office = [t for t in opened if t.weekday() < 5 and 8 <= t.hour < 16]
    assert len(office) > 0.7 * len(opened)
    assert len(office) < len(opened)  # and some evenings and weekends


def test_ratings_outages_and_canned_responses(seeded):
    ratings = SatisfactionRating.objects.filter(ticket__in=demo_tickets()).select_related("ticket")
    rated = ratings.count()
    done = demo_tickets().filter(status__in=[Status.RESOLVED, Status.CLOSED]).count()
    assert 0.2 * done <= rated <= 0.5 * done
    for rating in ratings:
        assert rating.ticket.status in {Status.RESOLVED, Status.CLOSED}
        assert rating.ticket.duplicate_of_id is None
        assert rating.created_at >= rating.ticket.resolved_at
    # Skewed positive, but a real spread: some unhappy requesters too (the 1–5 range is a constraint).
    assert ratings.aggregate(avg=Avg("score"))["avg"] > 3.5
    assert {1, 2} & set(ratings.values_list("score", flat=True))
    assert ratings.exclude(comment="").exists()
    assert TicketEvent.objects.filter(type=TicketEvent.Type.RATING).count() == rated

    outages = Outage.objects.select_related("incident", "service")
    assert outages.count() >= 3
    agents = set(SupportGroupMembership.objects.values_list("user_id", flat=True))
    for outage in outages:
        assert outage.end is not None and outage.end > outage.start
        assert outage.incident.priority <= 2
        assert outage.service_id == outage.incident.service_id
        assert outage.end == outage.incident.resolved_at
        assert outage.recorded_by_id in agents
        assert outage.severity in Outage.Severity.values

    for group in SupportGroup.objects.all():
        assert CannedResponse.objects.filter(group=group).count() >= 3, group.code


def test_the_demo_logins_have_content(seeded):
    kari = User.objects.get(username="demo.ansatt")
    own = demo_tickets().filter(requester=kari)
    assert 5 <= own.count() <= 7
    states = set(own.values_list("status", flat=True))
    assert {Status.RESOLVED, Status.PENDING, Status.NEW, Status.CLOSED} <= states
    assert own.filter(status=Status.PENDING, pending_reason=PendingReason.REQUESTER).exists()
    assert own.filter(rating__isnull=False).exists()

    sofie = User.objects.get(username="demo.agent")
    mine = demo_tickets().filter(assignee=sofie, status__in=OPEN_STATUSES)
    assert mine.count() >= 4
    assert demo_tickets().filter(assignee=sofie, status=Status.CLOSED).exists()  # and a history
    first_line = SupportGroup.objects.get(is_first_line=True)
    unassigned = demo_tickets().filter(support_group=first_line, assignee__isnull=True, status=Status.NEW)
    assert unassigned.count() >= 3
    # The open backlog sits in the last weeks.
    recent = NOW - dt.timedelta(days=60)
    open_tickets = demo_tickets().filter(status__in=OPEN_STATUSES)
    assert open_tickets.filter(opened_at__gte=recent).count() >= 0.8 * open_tickets.count()


def test_no_notifications_and_no_emails(seeded):
    assert seeded.callbacks == []  # nothing left to run when the seed's transaction commits
    assert Notification.objects.count() == 0
    assert seeded.emails == []


def snapshot() -> dict:
    fields = [f.attname for f in Ticket._meta.concrete_fields]
    return {
        "tickets": sorted(Ticket.objects.values_list(*fields)),
        "events": TicketEvent.objects.count(),
        "ratings": sorted(
            SatisfactionRating.objects.values_list("ticket_id", "score", "comment", "created_at")
        ),
        "outages": sorted(Outage.objects.values_list("incident_id", "start", "end")),
        "canned": sorted(CannedResponse.objects.values_list("group_id", "title", "body")),
        "sequences": sorted(TicketSequence.objects.values_list("kind", "year", "last")),
        "notifications": Notification.objects.count(),
    }


def test_a_second_run_changes_nothing(seeded):
    before = snapshot()
    output = seed_incidents(f"--now={(NOW + dt.timedelta(days=3)).isoformat()}", "--count=40")
    assert "already there" in output
    assert snapshot() == before
    # seed_demo runs the incident seed at its end (here a no-op), unless told not to.
    out = StringIO()
    call_command("seed_demo", "--no-changes", stdout=out)
    assert "already there" in out.getvalue()
    out = StringIO()
    call_command("seed_demo", "--no-incidents", "--no-changes", stdout=out)
    assert "already there" not in out.getvalue()
    assert snapshot() == before
