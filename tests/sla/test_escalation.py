"""Warnings and escalations on SLA clocks: scheduled per step, re-checked when they fire, taken once per
cycle, telling the right people; the sweep takes what was missed.

Time is controlled: tickets move through tickets.services with explicit instants, on the default policy
(office hours Mon–Fri 08:00–16:00 Oslo; P3: response 4 h, resolution 24 h; warning at 75 %; escalations
75 % → assignee, 100 % → group lead, 150 % → service owner). The ticket opens Monday 2 March 2026 09:00:
- response: 75 % Mon 12:00, due Mon 13:00 (breached from 13:00:01), 150 % Mon 15:00;
- resolution: 75 % Wed 11:00, due Thu 09:00 (breached from 09:00:01), 150 % Fri 13:00.
"""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from sla import escalation, tasks
from sla.escalation import Step, fire_step, policy_steps, schedule_steps, sweep_steps, threshold_seconds
from sla.models import ClockKind, SlaClock, SlaClockLog, SlaEscalation, SlaPolicy
from sla.recompute import recompute
from tests.factories import ServiceFactory, UserFactory, make_ticket
from tickets import services
from tickets.models import Notification, PendingReason, Status, Ticket, TicketEvent
from tickets.transitions import Move

OSLO = ZoneInfo("Europe/Oslo")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant in March 2026, Oslo time (UTC+1 before the switch to summer time on the 29th)."""
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=OSLO)


OPENED = at(2, 9)
RESPONSE_WARNING, RESPONSE_BREACH, RESPONSE_150 = at(2, 12), at(2, 13, 0, 1), at(2, 15)
WARNING, DUE, BREACH, LATE = at(4, 11), at(5, 9), at(5, 9, 0, 1), at(6, 13)


class Queue:
    """Stands in for the Huey task: records what schedule_steps queues, runs nothing."""

    def __init__(self):
        self.jobs: list[tuple[int, int, int, dt.datetime]] = []

    def schedule(self, *, args, eta):
        self.jobs.append((*args, eta))

    def of(self, clock) -> list[tuple[int, int, dt.datetime]]:
        return [(percent, cycle, eta) for clock_id, percent, cycle, eta in self.jobs if clock_id == clock.pk]


@pytest.fixture(autouse=True)
def queue(monkeypatch):
    recorder = Queue()
    monkeypatch.setattr(tasks, "escalation_step", recorder)
    return recorder


@pytest.fixture
def first_line(agent):
    return agent.support_groups.get(is_first_line=True)


@pytest.fixture
def lead(first_line):
    user = UserFactory(username="leder1", first_name="Lise", last_name="Leder", roles=["agent"])
    first_line.lead = user
    first_line.save(update_fields=["lead"])
    return user


@pytest.fixture
def owned_service(first_line, service_owner):
    return ServiceFactory(code="skriver", owner=service_owner, support_group=first_line)


@pytest.fixture
def ticket(employee, agent, lead, owned_service):
    """A P3 incident on the service, opened Monday 09:00 and assigned to the agent at 09:00."""
    ticket = open_p3(employee, service=owned_service, now=OPENED)
    ticket = services.ticket_update(
        ticket=ticket, actor=agent, version=None, changes={"assignee": agent}, now=OPENED
    )
    assert ticket.priority == 3
    return ticket


def open_p3(requester, **kwargs):
    """Register a P3 incident (impact 2 × urgency 2) through the ticket services."""
    return make_ticket(requester, impact=2, urgency=2, **kwargs)


def clock_of(ticket, kind=ClockKind.RESOLUTION) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, kind=kind)


def move(ticket, actor, to, now, **fields):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return services.ticket_transition(
        ticket=ticket, actor=actor, move=Move(to=to, **fields), version=None, now=now
    )


def pause(ticket, actor, now):
    return move(ticket, actor, Status.PENDING, now, pending_reason=PendingReason.REQUESTER)


def sla_notifications():
    return Notification.objects.filter(kind__startswith="sla_").order_by("pk")


def notes(ticket):
    return TicketEvent.objects.filter(
        ticket=ticket, type=TicketEvent.Type.NOTE, data__has_key="sla_escalation"
    )


def nb(message: str, **values) -> str:
    """The Bokmål of a message (whatever the catalogue holds when the test runs)."""
    with translation.override("nb"):
        return gettext(message) % values if values else gettext(message)


def escalation_logs(clock):
    return SlaClockLog.objects.filter(clock=clock, event=SlaClockLog.Event.ESCALATION)


# --- Steps and thresholds (pure) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("warning", "escalations", "expected"),
    [
        (
            75,
            [
                {"percent": 75, "notify": "assignee"},
                {"percent": 100, "notify": "group_lead"},
                {"percent": 150, "notify": "service_owner"},
            ],
            [Step(75, ("assignee",)), Step(100, ("group_lead",)), Step(150, ("service_owner",))],
        ),
        # The warning is a step of its own; steps at one percent merge.
        (
            80,
            [
                {"percent": 100, "notify": ["group_lead", "service_owner"]},
                {"percent": 100, "notify": "assignee"},
            ],
            [Step(80, ("assignee",)), Step(100, ("group_lead", "service_owner", "assignee"))],
        ),
        (75, [], [Step(75, ("assignee",))]),
        # Broken entries are left out rather than guessed at.
        (
            75,
            [
                {"percent": "100", "notify": "group_lead"},
                {"percent": 0, "notify": "group_lead"},
                {"percent": 120},
            ],
            [Step(75, ("assignee",))],
        ),
        (75, [{"percent": 120, "notify": "the_ceo"}, "150"], [Step(75, ("assignee",))]),
    ],
)
def test_policy_steps(warning, escalations, expected):
    assert list(policy_steps(warning_percent=warning, escalations=escalations)) == expected


@pytest.mark.parametrize(
    ("target", "percent", "seconds"),
    [
        (14_400, 75, 10_800),
        (10, 75, 8),  # 7.5 s is reached at the 8th second
        (14_400, 100, 14_401),  # breached once elapsed > target
        (14_400, 150, 21_600),
        (1, 150, 2),
        (1, 100, 2),
    ],
)
def test_threshold_seconds(target, percent, seconds):
    assert threshold_seconds(target, percent) == seconds


@pytest.mark.parametrize(
    ("percent", "kind"),
    [(50, "sla_warning"), (99, "sla_warning"), (100, "sla_breach"), (150, "sla_escalation")],
)
def test_step_kind(percent, kind):
    assert Step(percent, ()).kind == kind


# --- Scheduling -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_step_of_each_running_clock_is_queued_at_its_instant(ticket, queue):
    response, resolution = clock_of(ticket, ClockKind.RESPONSE), clock_of(ticket)
    assert resolution.warning_at == WARNING and resolution.due_at == DUE

    assert schedule_steps([response.pk, resolution.pk]) == 6
    assert queue.of(response) == [
        (75, 1, RESPONSE_WARNING),
        (100, 1, RESPONSE_BREACH),
        (150, 1, RESPONSE_150),
    ]
    assert queue.of(resolution) == [(75, 1, WARNING), (100, 1, BREACH), (150, 1, LATE)]


@pytest.mark.django_db
def test_the_services_queue_the_steps_after_commit(
    employee, agent, lead, owned_service, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_p3(employee, service=owned_service, now=OPENED)
    assert queue.of(clock_of(ticket)) == [(75, 1, WARNING), (100, 1, BREACH), (150, 1, LATE)]


@pytest.mark.django_db
def test_steps_taken_and_clocks_not_running_are_not_queued(ticket, agent, queue):
    response, resolution = clock_of(ticket, ClockKind.RESPONSE), clock_of(ticket)
    assert fire_step(resolution.pk, 75, 1, now=WARNING)
    pause(ticket, agent, at(4, 12))
    queue.jobs.clear()

    assert schedule_steps([response.pk, resolution.pk]) == 3
    assert queue.of(resolution) == []
    move(ticket, agent, Status.IN_PROGRESS, at(4, 13))
    schedule_steps([resolution.pk])
    # A new cycle: the warning was reached before the pause, so it is due again at the resume.
    assert queue.of(resolution) == [(75, 2, at(4, 13)), (100, 2, at(5, 10, 0, 1)), (150, 2, at(6, 14))]


@pytest.mark.django_db
def test_a_queue_that_is_down_does_not_undo_the_change(ticket, monkeypatch, caplog):
    class Down:
        def schedule(self, **kwargs):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks, "escalation_step", Down())
    assert schedule_steps([clock_of(ticket).pk]) == 0  # the sweep takes the steps when they are due
    assert "could not be queued" in caplog.text


# --- Taking a step --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_warning_is_taken_once(ticket, agent, django_capture_on_commit_callbacks):
    clock = clock_of(ticket)
    assert not fire_step(clock.pk, 75, 1, now=WARNING - dt.timedelta(seconds=1))  # not there yet

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert fire_step(clock.pk, 75, 1, now=WARNING)
    taken = SlaEscalation.objects.get()
    assert (taken.clock_id, taken.percent, taken.cycle, taken.fired_at) == (clock.pk, 75, 1, WARNING)
    assert list(taken.notified.all()) == [agent]
    notice = sla_notifications().get()
    assert (notice.recipient, notice.kind, notice.created_at) == (agent, "sla_warning", WARNING)
    headline = nb("SLA warning: %(percent)s %% of the resolution time is used", percent=75)
    assert notice.subject == f"[{ticket.number}] {headline}: {ticket.title}"
    assert notice.emailed_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [([agent.email], notice.subject)]
    note = notes(ticket).get()
    assert (note.author, note.is_public, note.created_at) == (None, False, WARNING)
    assert note.body == nb("%(headline)s. Notified: %(names)s.", headline=headline, names="Per Agent")
    assert note.data["sla_escalation"] == {"clock": "resolution", "percent": 75, "cycle": 1}
    log = escalation_logs(clock).get()
    assert (log.at, log.elapsed_seconds, log.data["percent"], log.data["notified"]) == (
        WARNING,
        18 * 3600,
        75,
        [agent.pk],
    )

    # A retry, a duplicate job, a second worker: nothing more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert not fire_step(clock.pk, 75, 1, now=WARNING)
        assert not fire_step(clock.pk, 75, 1, now=WARNING + dt.timedelta(minutes=5))
    assert SlaEscalation.objects.count() == 1
    assert sla_notifications().count() == 1
    assert notes(ticket).count() == 1
    assert escalation_logs(clock).count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_step_is_taken_late_rather_than_never(ticket):
    clock = clock_of(ticket)
    assert fire_step(clock.pk, 75, 1, now=at(4, 15, 30))
    assert escalation_logs(clock).get().elapsed_seconds == 22 * 3600 + 30 * 60


@pytest.mark.django_db
def test_an_email_that_failed_is_sent_by_the_retry(
    ticket, agent, monkeypatch, django_capture_on_commit_callbacks
):
    clock = clock_of(ticket)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(escalation, "send_mail", broken)
    with pytest.raises(ConnectionRefusedError), django_capture_on_commit_callbacks(execute=True):
        fire_step(clock.pk, 75, 1, now=WARNING)
    assert SlaEscalation.objects.count() == 1  # the step is taken; only its email is missing
    assert sla_notifications().get().emailed_at is None

    monkeypatch.undo()
    monkeypatch.setattr(tasks, "escalation_step", Queue())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert not fire_step(clock.pk, 75, 1, now=WARNING + dt.timedelta(seconds=30))
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert sla_notifications().get().emailed_at is not None
    assert notes(ticket).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("stop", ["pause", "resolve"])
def test_a_job_for_a_clock_that_paused_or_stopped_does_nothing(ticket, agent, stop):
    if stop == "pause":
        pause(ticket, agent, at(3, 10))
    else:
        move(ticket, agent, Status.RESOLVED, at(3, 10), resolution_code="solved", resolution_note="Fikset.")
    clock = clock_of(ticket)
    before = (clock.updated_at, clock.breached)

    for percent, now in ((75, WARNING), (100, BREACH), (150, LATE)):
        assert not fire_step(clock.pk, percent, 1, now=now)
    assert SlaEscalation.objects.filter(clock=clock).count() == 0
    assert sla_notifications().count() == 0
    assert notes(ticket).count() == 0
    clock.refresh_from_db()
    assert (clock.updated_at, clock.breached) == before


@pytest.mark.django_db
def test_after_a_resume_the_steps_fire_again_in_the_new_cycle(ticket, agent, queue):
    pause(ticket, agent, at(3, 10))
    move(ticket, agent, Status.IN_PROGRESS, at(3, 12))  # two business hours paused
    clock = clock_of(ticket)
    assert clock.cycle == 2
    schedule_steps([clock.pk])
    assert queue.of(clock) == [(75, 2, at(4, 13)), (100, 2, at(5, 11, 0, 1)), (150, 2, at(6, 15))]

    # The jobs queued in the first cycle are no-ops, even once the clock has got that far.
    assert not fire_step(clock.pk, 75, 1, now=WARNING)
    assert not fire_step(clock.pk, 75, 1, now=at(4, 13))
    assert not fire_step(clock.pk, 75, 2, now=at(4, 12, 59, 59))
    assert fire_step(clock.pk, 75, 2, now=at(4, 13))
    assert not fire_step(clock.pk, 75, 2, now=at(4, 13))
    assert list(SlaEscalation.objects.values_list("percent", "cycle")) == [(75, 2)]


@pytest.mark.django_db
def test_a_longer_target_makes_the_old_job_a_no_op(ticket, agent, queue):
    services.ticket_update(
        ticket=ticket, actor=agent, version=None, changes={"priority": 4}, reason="Kan vente.", now=at(2, 10)
    )
    clock = clock_of(ticket)
    assert (clock.priority, clock.target_seconds, clock.cycle) == (4, 80 * 3600, 1)

    assert not fire_step(clock.pk, 75, 1, now=WARNING)  # the job queued for the P3 target
    assert not fire_step(clock.pk, 100, 1, now=BREACH)
    schedule_steps([clock.pk])
    assert queue.of(clock)[0] == (75, 1, at(11, 13))  # 60 business hours after Monday 09:00
    assert fire_step(clock.pk, 75, 1, now=at(11, 13))
    assert list(SlaEscalation.objects.values_list("percent", flat=True)) == [75]


@pytest.mark.django_db
def test_a_shorter_target_brings_the_step_forward(ticket, agent, queue):
    services.ticket_update(
        ticket=ticket, actor=agent, version=None, changes={"priority": 2}, reason="Haster.", now=at(2, 10)
    )
    clock = clock_of(ticket)
    schedule_steps([clock.pk])
    assert queue.of(clock)[0] == (75, 1, at(2, 15))  # 6 of 8 business hours
    assert fire_step(clock.pk, 75, 1, now=at(2, 15))
    assert not fire_step(clock.pk, 75, 1, now=WARNING)  # the P3 job, later: the step is taken


@pytest.mark.django_db
def test_the_breach_step_marks_the_clock_and_the_ticket_breached(ticket, lead):
    clock = clock_of(ticket)
    assert not fire_step(clock.pk, 100, 1, now=DUE)  # due, and still met: elapsed = target
    assert fire_step(clock.pk, 100, 1, now=BREACH)

    clock.refresh_from_db()
    assert clock.breached and clock.updated_at == BREACH
    assert Ticket.objects.get(pk=ticket.pk).sla_breached
    assert sla_notifications().get().recipient == lead
    assert notes(ticket).get().body.startswith(nb("SLA breached: the resolution time has run out"))
    # The stored clocks are still the ones the timeline gives (sla_recompute agrees).
    assert recompute(check=True).differences == []


@pytest.mark.django_db
def test_a_response_breach_marks_only_its_own_clock(ticket):
    response = clock_of(ticket, ClockKind.RESPONSE)
    assert fire_step(response.pk, 100, 1, now=RESPONSE_BREACH)
    response.refresh_from_db()
    resolution = clock_of(ticket)
    assert response.breached and not resolution.breached
    assert response.updated_at == resolution.updated_at == RESPONSE_BREACH
    assert not Ticket.objects.get(pk=ticket.pk).sla_breached  # the ticket shows the resolution clock
    assert recompute(check=True).differences == []


@pytest.mark.django_db
def test_the_stored_clock_never_goes_back_in_time(ticket):
    response, resolution = clock_of(ticket, ClockKind.RESPONSE), clock_of(ticket)
    assert fire_step(resolution.pk, 75, 1, now=at(4, 14))
    # A job on a worker whose clock is behind: the step is taken (the clock is there), and the stored
    # clocks stay as of the later step.
    assert fire_step(response.pk, 150, 1, now=at(4, 13, 30))
    response.refresh_from_db()
    resolution.refresh_from_db()
    assert response.updated_at == resolution.updated_at == at(4, 14)
    assert recompute(check=True).differences == []


@pytest.mark.django_db
def test_each_step_reaches_its_people_in_their_language(ticket, agent, lead, service_owner):
    service_owner.preferred_language = "en"
    service_owner.save(update_fields=["preferred_language"])
    clock = clock_of(ticket)
    for percent, now in ((75, WARNING), (100, BREACH), (150, LATE)):
        assert fire_step(clock.pk, percent, 1, now=now)

    got = [(n.recipient, n.kind) for n in sla_notifications()]
    assert got == [(agent, "sla_warning"), (lead, "sla_breach"), (service_owner, "sla_escalation")]
    assert {e.percent: list(e.notified.all()) for e in SlaEscalation.objects.all()} == {
        75: [agent],
        100: [lead],
        150: [service_owner],
    }
    english = sla_notifications().get(recipient=service_owner)
    assert english.subject == (
        f"[{ticket.number}] SLA escalation: 150 % of the resolution time is used: {ticket.title}"
    )
    assert "You are told because you own the service the ticket concerns." in english.body
    assert ticket.get_absolute_url() in english.body
    lead_notice = sla_notifications().get(recipient=lead)
    assert nb("You are told because you lead the group that holds the ticket.") in lead_notice.body
    assert nb("Assigned to: %(name)s", name="Per Agent") in lead_notice.body


@pytest.mark.django_db
def test_an_unassigned_ticket_warns_its_group_and_a_missing_lead_passes_the_step_on(employee, first_line):
    colleague = UserFactory(username="agent2", roles=["agent"])
    first_line.memberships.create(user=colleague)
    ticket = open_p3(employee, now=OPENED)  # the first line's queue, no service, no group lead
    clock = clock_of(ticket)
    assert fire_step(clock.pk, 75, 1, now=WARNING)
    assert fire_step(clock.pk, 150, 1, now=LATE)  # service owner → group lead → assignee → group
    got = sorted((n.recipient.username, n.kind) for n in sla_notifications())
    assert got == [
        ("agent", "sla_escalation"),
        ("agent", "sla_warning"),
        ("agent2", "sla_escalation"),
        ("agent2", "sla_warning"),
    ]
    reason = nb("You are told because the ticket is unassigned and waits in your group's queue.")
    assert all(reason in notice.body for notice in sla_notifications())


@pytest.mark.django_db
def test_a_step_no_longer_in_the_policy_is_not_taken(ticket):
    SlaPolicy.objects.filter(service__isnull=True).update(
        escalations=[{"percent": 75, "notify": "assignee"}, {"percent": 100, "notify": "group_lead"}]
    )
    assert not fire_step(clock_of(ticket).pk, 150, 1, now=LATE)
    assert not fire_step(0, 75, 1, now=WARNING)  # a clock that is gone
    assert SlaEscalation.objects.count() == 0


@pytest.mark.django_db
def test_taking_a_step_costs_a_fixed_number_of_queries(ticket, django_assert_max_num_queries):
    clock = clock_of(ticket)
    with django_assert_max_num_queries(32):
        fire_step(clock.pk, 75, 1, now=WARNING)
    with django_assert_max_num_queries(12):
        fire_step(clock.pk, 75, 1, now=WARNING)


# --- The sweep ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_takes_the_missed_steps_once(ticket, employee, owned_service, agent):
    # Registered by phone (answered at once) on Wednesday: nothing of it is due this week.
    quiet = open_p3(employee, created_by=agent, channel="phone", service=owned_service, now=at(4, 11))
    # Wednesday 11:30: the response clock has passed all three steps, the resolution clock its warning.
    assert sweep_steps(now=at(4, 11, 30)) == 4
    taken = sorted(SlaEscalation.objects.values_list("clock__kind", "percent", "cycle"))
    assert taken == [("resolution", 75, 1), ("response", 75, 1), ("response", 100, 1), ("response", 150, 1)]
    assert sweep_steps(now=at(4, 11, 30)) == 0
    assert sweep_steps(now=at(4, 15)) == 0  # nothing more is due
    assert not SlaEscalation.objects.filter(clock__ticket=quiet).exists()
    assert notes(ticket).count() == 4

    # The scheduled job for a step the sweep took is a no-op.
    assert not fire_step(clock_of(ticket).pk, 75, 1, now=WARNING)

    out = StringIO()
    call_command("sla_sweep", f"--now={BREACH.isoformat()}", stdout=out)
    assert out.getvalue().strip() == "1 SLA escalation steps taken"
    assert clock_of(ticket).breached
    assert recompute(check=True).differences == []


@pytest.mark.django_db
def test_the_sweep_leaves_paused_clocks_alone_and_catches_up_after_the_resume(ticket, agent):
    pause(ticket, agent, at(4, 10))
    assert sweep_steps(now=LATE) == 3  # only the response clock, which never pauses
    move(ticket, agent, Status.IN_PROGRESS, at(9, 8))
    assert sweep_steps(now=at(9, 8)) == 0
    # 17 business hours by the pause; the warning (18 h) comes an hour after the resume.
    assert sweep_steps(now=at(9, 9)) == 1
    assert SlaEscalation.objects.get(clock__kind="resolution").cycle == 2


@pytest.mark.django_db
def test_the_sweep_finds_steps_below_the_warning(ticket):
    SlaPolicy.objects.filter(service__isnull=True).update(
        escalations=[{"percent": 25, "notify": "group_lead"}]
    )
    # Monday 11:00: 25 % of the response time (1 h of 4) and nothing near the warning.
    assert sweep_steps(now=at(2, 11)) == 1
    assert SlaEscalation.objects.get().percent == 25


@pytest.mark.django_db
def test_the_sweep_command_rejects_a_bad_instant():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--now"):
        call_command("sla_sweep", "--now=yesterday")
