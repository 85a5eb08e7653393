"""Warnings and escalations on SLA clocks: each step of the policy is a Huey job at the instant the clock
reaches it, and is taken at most once per clock cycle (docs: /work/shared/spec/sla.md §3).

A job re-checks the clock when it fires: a pause, a stop, a resume (a new cycle) or a priority change
since it was queued makes it a no-op, because the change that moved the clock queued new jobs. The
sweep (`manage.py sla_sweep`, and every five minutes) takes the steps that are due but were missed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sla.calendar import BusinessCalendar, business_calendar
from sla.models import ClockKind, ClockState, SlaClock, SlaClockLog, SlaEscalation, SlaPolicy
from sla.services import Rules, clocks_sync, rules_for, spec_of
from tickets.models import Notification, Ticket

logger = logging.getLogger(__name__)

# Whom a step can notify (a policy's "notify"). When nobody fills the role, the step goes down the line:
# the service owner → the group lead → the assignee → the members of the ticket's group.
ASSIGNEE, GROUP_LEAD, SERVICE_OWNER = "assignee", "group_lead", "service_owner"
NOTIFY_RULES = (ASSIGNEE, GROUP_LEAD, SERVICE_OWNER)
GROUP = "group"  # why someone is told: the ticket is unassigned and waits in their group's queue

# Notification kinds (tickets.models.Notification.kind).
WARNING, BREACH, ESCALATION = "sla_warning", "sla_breach", "sla_escalation"

HEADLINES = {
    (WARNING, ClockKind.RESPONSE): gettext_lazy("SLA warning: %(percent)s %% of the response time is used"),
    (WARNING, ClockKind.RESOLUTION): gettext_lazy(
        "SLA warning: %(percent)s %% of the resolution time is used"
    ),
    (BREACH, ClockKind.RESPONSE): gettext_lazy("SLA breached: the response time has run out"),
    (BREACH, ClockKind.RESOLUTION): gettext_lazy("SLA breached: the resolution time has run out"),
    (ESCALATION, ClockKind.RESPONSE): gettext_lazy(
        "SLA escalation: %(percent)s %% of the response time is used"
    ),
    (ESCALATION, ClockKind.RESOLUTION): gettext_lazy(
        "SLA escalation: %(percent)s %% of the resolution time is used"
    ),
}
REASONS = {
    ASSIGNEE: gettext_lazy("You are told because the ticket is assigned to you."),
    GROUP: gettext_lazy("You are told because the ticket is unassigned and waits in your group's queue."),
    GROUP_LEAD: gettext_lazy("You are told because you lead the group that holds the ticket."),
    SERVICE_OWNER: gettext_lazy("You are told because you own the service the ticket concerns."),
}


# --- Steps (pure) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of a policy: at percent of the target, tell the people of these rules (NOTIFY_RULES)."""

    percent: int
    notify: tuple[str, ...]

    @property
    def kind(self) -> str:
        if self.percent < 100:
            return WARNING
        return BREACH if self.percent == 100 else ESCALATION


def policy_steps(*, warning_percent: int, escalations: Iterable) -> tuple[Step, ...]:
    """Return a policy's steps in order of percent: the warning (the assignee, or the group when nobody
    holds the ticket) and each escalation, one step per percent (rules at the same percent merge).

    Escalations are the policy's JSON, e.g. [{"percent": 100, "notify": "group_lead"}]; "notify" may
    also be a list. Entries without a positive whole percent or a known rule are left out.
    """
    rules: dict[int, list[str]] = {warning_percent: [ASSIGNEE]}
    for entry in escalations or ():
        if not isinstance(entry, dict):
            continue
        percent = entry.get("percent")
        notify = entry.get("notify")
        names = [notify] if isinstance(notify, str) else notify if isinstance(notify, list) else []
        names = [name for name in names if name in NOTIFY_RULES]
        if isinstance(percent, bool) or not isinstance(percent, int) or percent < 1 or not names:
            continue
        merged = rules.setdefault(percent, [])
        merged += [name for name in names if name not in merged]
    return tuple(Step(percent, tuple(names)) for percent, names in sorted(rules.items()))


def threshold_seconds(target_seconds: int, percent: int) -> int:
    """Return the elapsed business seconds at which a clock reaches a step: ⌈target · percent / 100⌉.

    From 100 % on, at least target + 1: a clock is breached only once elapsed > target (met ⇔ elapsed
    ≤ target), so the breach step comes with the first business second after the due instant, and the
    stored clock it marks breached is the one the engine computes for that instant.
    """
    seconds = -(-target_seconds * percent // 100)
    return max(seconds, target_seconds + 1) if percent >= 100 else seconds


def elapsed_at(calendar: BusinessCalendar, clock: SlaClock, now: dt.datetime) -> int:
    """Return a running clock's elapsed business seconds at now, from its stored figures."""
    return clock.elapsed_seconds + calendar.elapsed(clock.resumed_at, now)


def step_instant(calendar: BusinessCalendar, clock: SlaClock, seconds: int) -> dt.datetime:
    """Return when a running clock's elapsed time reaches seconds; the last resume when it already had
    them before (a step reached in an earlier cycle is due again at once in this one)."""
    if seconds <= clock.elapsed_seconds:
        return clock.resumed_at
    return calendar.add(clock.resumed_at, seconds - clock.elapsed_seconds)


# --- Reading policies once per run ----------------------------------------------------------------------


class _PolicyRules:
    """rules_for() and the steps of each policy, read once per run.

    own: the services with a policy of their own, when known; every other service shares the default
    policy's rules (one read for all of them).
    """

    def __init__(self, own: set[int] | None = None):
        self._own = own
        self._rules: dict[int | None, Rules] = {}

    def rules(self, service_id: int | None) -> Rules:
        key = service_id if self._own is None or service_id in self._own else None
        if key not in self._rules:
            self._rules[key] = rules_for(key)
        return self._rules[key]

    @staticmethod
    def steps(rules: Rules) -> tuple[Step, ...]:
        return policy_steps(
            warning_percent=rules.policy.warning_percent, escalations=rules.policy.escalations
        )

    @staticmethod
    def calendar(rules: Rules, clock: SlaClock) -> BusinessCalendar:
        spec = rules.specs.get(clock.calendar_id)
        return business_calendar(spec if spec is not None else spec_of(clock.calendar))


# --- Scheduling -----------------------------------------------------------------------------------------


def schedule_steps(clock_ids: Iterable[int]) -> int:
    """Queue a job for every step of the running clocks that is not taken in their current cycle, at the
    instant the clock reaches it (a past instant runs at once); return how many were queued.

    Called after commit by sla.services.clocks_sync whenever a clock starts, resumes or changes target.
    Jobs of earlier states are left in the queue: they see the clock has moved and do nothing.
    """
    from sla import tasks

    clocks = list(
        SlaClock.objects.filter(pk__in=list(clock_ids), state=ClockState.RUNNING).annotate(
            service_id=F("ticket__service_id")
        )
    )
    if not clocks:
        return 0
    taken = set(
        SlaEscalation.objects.filter(clock__in=clocks, cycle=F("clock__cycle")).values_list(
            "clock_id", "percent"
        )
    )
    policies = _PolicyRules()
    queued = 0
    for clock in clocks:
        rules = policies.rules(clock.service_id)
        calendar = policies.calendar(rules, clock)
        for step in policies.steps(rules):
            if (clock.pk, step.percent) in taken:
                continue
            eta = step_instant(calendar, clock, threshold_seconds(clock.target_seconds, step.percent))
            try:
                tasks.escalation_step.schedule(args=(clock.pk, step.percent, clock.cycle), eta=eta)
            except Exception:
                # This runs after the ticket change has committed: the change stands, and the sweep
                # takes the step when it is due.
                logger.exception(
                    "SLA steps of clock %s could not be queued; the sweep will take them", clock.pk
                )
                return queued
            queued += 1
    return queued


# --- Taking a step --------------------------------------------------------------------------------------


def fire_step(clock_id: int, percent: int, cycle: int, *, now: dt.datetime) -> bool:
    """Take a clock's step if the clock really is at it now; return whether it was taken here.

    Nothing happens unless the clock is running in the job's cycle, the step is in its policy, has not
    been taken in this cycle, and the clock's elapsed time at now has reached it. Taking it notifies the
    people of the step (in-app now, by email after commit), writes an internal note on the ticket's
    timeline and an ESCALATION entry in the clock's log, and brings the stored clocks to now (marking
    them breached from 100 % on) through sla.services.clocks_sync, like any other clock change.
    """
    ticket_id = SlaClock.objects.filter(pk=clock_id).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        return False
    with transaction.atomic():
        # The ticket first, then its clock: the order the ticket services lock them in.
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("assignee", "support_group__lead", "service__owner")
            .get(pk=ticket_id)
        )
        clock = SlaClock.objects.select_for_update().get(pk=clock_id)
        if clock.state != ClockState.RUNNING or clock.cycle != cycle:
            return _catch_up(clock, percent, cycle)
        rules = rules_for(ticket.service_id)
        step = next((s for s in _PolicyRules.steps(rules) if s.percent == percent), None)
        if step is None:
            return False
        elapsed = elapsed_at(_PolicyRules.calendar(rules, clock), clock, now)
        if elapsed < threshold_seconds(clock.target_seconds, percent):
            return False  # early: the clock paused, or its target grew, since the job was queued
        escalation, created = SlaEscalation.objects.get_or_create(
            clock=clock, percent=percent, cycle=cycle, defaults={"fired_at": now}
        )
        if not created:
            return _catch_up(clock, percent, cycle)
        people = recipients(ticket, step.notify)
        escalation.notified.set([person for person, _why in people])
        notifications = _notify(ticket, clock, step, people, now=now)
        _note(ticket, clock, step, people, now=now)
        SlaClockLog.objects.create(
            clock=clock,
            at=now,
            event=SlaClockLog.Event.ESCALATION,
            elapsed_seconds=elapsed,
            due_at=clock.due_at,
            data={
                "percent": percent,
                "cycle": cycle,
                "notified": [person.pk for person, _why in people],
                "priority": clock.priority,
                "target": clock.target_seconds,
            },
        )
        clocks_sync(ticket, now=now)
        ids = [notification.pk for notification in notifications]
        transaction.on_commit(lambda: send_emails(ids))
    return True


def _catch_up(clock: SlaClock, percent: int, cycle: int) -> bool:
    """A step taken before (a retry, a duplicate job): send the emails it could not send then."""
    escalation = SlaEscalation.objects.filter(clock=clock, percent=percent, cycle=cycle).first()
    if escalation is not None:
        kind = Step(percent, ()).kind
        ids = list(
            Notification.objects.filter(
                ticket_id=clock.ticket_id,
                kind=kind,
                created_at=escalation.fired_at,
                recipient__in=escalation.notified.all(),
                emailed_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        if ids:
            transaction.on_commit(lambda: send_emails(ids))
    return False


def recipients(ticket: Ticket, rules: Iterable[str]) -> list[tuple]:
    """Return (person, why) for each active person the rules reach on this ticket, each person once.

    A role nobody fills passes the step down the line: service owner → group lead → assignee → the
    members of the ticket's group, so a step never goes unheard while someone works the ticket.
    """
    found: dict[int, tuple] = {}
    for rule in rules:
        for person, why in _reach(ticket, rule):
            found.setdefault(person.pk, (person, why))
    return list(found.values())


def _reach(ticket: Ticket, rule: str) -> list[tuple]:
    group = ticket.support_group if ticket.support_group_id else None
    if rule == SERVICE_OWNER:
        owner = ticket.service.owner if ticket.service_id else None
        if owner is not None and owner.is_active:
            return [(owner, SERVICE_OWNER)]
        rule = GROUP_LEAD
    if rule == GROUP_LEAD:
        lead = group.lead if group is not None else None
        if lead is not None and lead.is_active:
            return [(lead, GROUP_LEAD)]
        rule = ASSIGNEE
    if rule == ASSIGNEE:
        if ticket.assignee_id and ticket.assignee.is_active:
            return [(ticket.assignee, ASSIGNEE)]
        if group is not None:
            return [(member, GROUP) for member in group.members.filter(is_active=True).order_by("pk")]
    return []


def headline(step: Step, clock: SlaClock) -> str:
    """Return the step's one-line summary in the active language."""
    return HEADLINES[(step.kind, clock.kind)] % {"percent": step.percent}


def _notify(ticket: Ticket, clock: SlaClock, step: Step, people, *, now: dt.datetime) -> list[Notification]:
    notifications = []
    for person, why in people:
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "ticket": ticket,
                "clock": clock,
                "recipient": person,
                "headline": headline(step, clock),
                "why": REASONS[why],
                "base_url": settings.SERVICEDESK_BASE_URL,
            }
            subject = render_to_string("sla/email/subject.txt", context).strip()
            body = render_to_string("sla/email/body.txt", context)
        notifications.append(
            Notification(
                recipient=person, ticket=ticket, kind=step.kind, subject=subject, body=body, created_at=now
            )
        )
    return Notification.objects.bulk_create(notifications)


def _note(ticket: Ticket, clock: SlaClock, step: Step, people, *, now: dt.datetime) -> None:
    from tickets.services import ticket_process_event

    # The timeline is shared by everyone who works the ticket: it is written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        names = ", ".join(person.get_full_name() or person.username for person, _why in people)
        if names:
            body = _("%(headline)s. Notified: %(names)s.") % {
                "headline": headline(step, clock),
                "names": names,
            }
        else:
            body = _("%(headline)s. Nobody could be notified.") % {"headline": headline(step, clock)}
    ticket_process_event(
        ticket=ticket,
        author=None,
        body=body,
        public=False,
        data={"sla_escalation": {"clock": clock.kind, "percent": step.percent, "cycle": clock.cycle}},
        now=now,
    )


def send_emails(notification_ids: list[int]) -> int:
    """Email the notifications not emailed yet (after commit); return how many were sent.

    Each is claimed (emailed_at set) before it is sent, so a retry or a second worker never sends it
    twice; a failed send gives the claim back and raises, for the job's retry to try again.
    """
    sent, failed = 0, None
    for notification in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient"):
        if not notification.recipient.email:
            continue
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            send_mail(notification.subject, notification.body, None, [notification.recipient.email])
        except Exception as exc:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            logger.exception("SLA notification %s could not be emailed", notification.pk)
            failed = exc
        else:
            sent += 1
    if failed is not None:
        raise failed
    return sent


# --- The sweep ------------------------------------------------------------------------------------------


def sweep_steps(*, now: dt.datetime) -> int:
    """Take every step that running clocks have reached by now and that was not taken in their cycle
    (missed while the workers were down, or lost with the queue); return how many were taken.

    Reads the candidates, the steps taken and the policies in a fixed number of queries; each step is
    then taken by fire_step in a transaction of its own, so one failure stops no other.
    """
    policies = list(SlaPolicy.objects.only("service_id", "warning_percent", "escalations"))
    clocks = (
        SlaClock.objects.filter(state=ClockState.RUNNING)
        .annotate(service_id=F("ticket__service_id"))
        .order_by("due_at", "pk")
    )
    # Every step comes at or after the warning unless a policy escalates earlier than it warns.
    if all(
        step.percent >= policy.warning_percent
        for policy in policies
        for step in policy_steps(warning_percent=policy.warning_percent, escalations=policy.escalations)
    ):
        clocks = clocks.filter(Q(warning_at__lte=now) | Q(due_at__lte=now))
    taken = set(
        SlaEscalation.objects.filter(clock__state=ClockState.RUNNING, cycle=F("clock__cycle")).values_list(
            "clock_id", "percent"
        )
    )
    rules = _PolicyRules(own={policy.service_id for policy in policies if policy.service_id})
    fired = 0
    # Read before anything is written: fire_step changes the rows the query reads.
    for clock in list(clocks):
        clock_rules = rules.rules(clock.service_id)
        elapsed = elapsed_at(rules.calendar(clock_rules, clock), clock, now)
        for step in rules.steps(clock_rules):
            if (clock.pk, step.percent) in taken or elapsed < threshold_seconds(
                clock.target_seconds, step.percent
            ):
                continue
            try:
                fired += fire_step(clock.pk, step.percent, clock.cycle, now=now)
            except Exception:
                logger.exception("SLA step %s %% of clock %s could not be taken", step.percent, clock.pk)
    return fired


def record_past_steps(*, now: dt.datetime, ticket_ids=None) -> int:
    """Record the steps that running clocks of an imported history reached before now as taken, at the
    instant each was reached, without notifying anyone: an import (the demo seed) brings its past with
    it, and the sweep must not send a year's worth of overdue escalations. Return how many.

    ticket_ids limits it to those tickets (an import into a live desk must not touch the native clocks,
    whose late steps the sweep still owes)."""
    policies = list(SlaPolicy.objects.only("service_id", "warning_percent", "escalations"))
    rules = _PolicyRules(own={policy.service_id for policy in policies if policy.service_id})
    taken = set(
        SlaEscalation.objects.filter(clock__state=ClockState.RUNNING).values_list(
            "clock_id", "percent", "cycle"
        )
    )
    rows = []
    clocks = SlaClock.objects.filter(state=ClockState.RUNNING).annotate(service_id=F("ticket__service_id"))
    if ticket_ids is not None:
        clocks = clocks.filter(ticket_id__in=list(ticket_ids))
    for clock in clocks:
        clock_rules = rules.rules(clock.service_id)
        calendar = rules.calendar(clock_rules, clock)
        elapsed = elapsed_at(calendar, clock, now)
        for step in rules.steps(clock_rules):
            seconds = threshold_seconds(clock.target_seconds, step.percent)
            if elapsed < seconds or (clock.pk, step.percent, clock.cycle) in taken:
                continue
            rows.append(
                SlaEscalation(
                    clock=clock,
                    percent=step.percent,
                    cycle=clock.cycle,
                    fired_at=max(step_instant(calendar, clock, seconds), clock.updated_at),
                )
            )
    SlaEscalation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
