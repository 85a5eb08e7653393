"""Writes to changes. Every move of a change goes through change_move, from the change page, the CAB view
and the demo seeder alike: lock the change, gather the facts, check the lifecycle's table and guards,
save, keep the change's ticket in step (its status and timeline), and after commit notify approvers.

Permissions: raising and working changes is for agents and the change manager; assessing, sending for
approval, rejecting and overriding conflicts is for the change manager; votes are for the approvers
invited in the current round (the change manager and, when the CAB is needed, the CAB members).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from changes import risk as risk_questions
from changes.models import (
    Change,
    ChangeApproval,
    ChangeKind,
    ChangeTask,
    ChangeType,
    MaintenanceWindow,
    Risk,
    StandardChangeTemplate,
)
from changes.selectors import change_conflicts
from changes.transitions import (
    COMMITTING,
    EDITABLE,
    ChangeMove,
    ChangeTransitionNotAllowed,
    Facts,
    ensure_allowed,
    ticket_status_for,
)
from people import roles
from tickets import services as ticket_services
from tickets.models import Kind, Notification, ResolutionCode, Status, Ticket
from tickets.transitions import Move

State = Change.State

# Moves only the change manager may make.
MANAGER_MOVES = frozenset(
    {
        (State.SUBMITTED, State.ASSESSMENT),
        (State.ASSESSMENT, State.AWAITING_APPROVAL),
        (State.ASSESSMENT, State.REJECTED),
        (State.AWAITING_APPROVAL, State.REJECTED),
    }
)

# The fields change_update may set; the lists are the ones a form gives.
PLAN_FIELDS = (
    "planned_start",
    "planned_end",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "reason",
    "causes_downtime",
)


def _may_work(actor) -> bool:
    return actor is not None and actor.has_perm("changes.work_change")


def _is_manager(actor) -> bool:
    return actor is not None and actor.has_perm("changes.manage_changes")


def policy_for(kind: str) -> ChangeType:
    """Return the approval settings of a kind of change (the defaults when none are stored)."""
    policy = ChangeType.objects.filter(kind=kind).first()
    if policy is not None:
        return policy
    from changes.defaults import TYPES

    return ChangeType(**next(row for row in TYPES if row["kind"] == ChangeKind(kind)))


def _lock(change: Change, version: int | None = None) -> Change:
    locked = Change.objects.select_for_update().select_related("ticket").get(pk=change.pk)
    if version is not None and locked.ticket.version != version:
        raise ChangeTransitionNotAllowed(
            _("Someone else changed %(number)s while you were working on it. Your change was not saved.")
            % {"number": locked.ticket.number}
        )
    return locked


def _facts(change: Change, policy: ChangeType, *, conflicts: int = 0) -> Facts:
    return Facts(
        kind=change.kind,
        approved=change.is_approved,
        needs_approval=policy.needs_approval,
        needs_review=policy.needs_review,
        has_window=bool(
            change.planned_start and change.planned_end and change.planned_end > change.planned_start
        ),
        has_services=change.services.exists(),
        has_plans=bool(change.implementation_plan.strip() and change.backout_plan.strip()),
        conflicts=conflicts,
        override_holds=change.override_holds,
        actual_started=change.actual_start is not None,
    )


def _ticket_move(change: Change, *, actor, reason: str, now: dt.datetime, resolution_note: str = "") -> None:
    """Move the change's ticket to the status the change's new state maps to."""
    status, pending = ticket_status_for(change.state)
    ticket = Ticket.objects.only("pk", "status", "pending_reason", "kind", "requester_id").get(
        pk=change.ticket_id
    )
    if ticket.status == status and ticket.pending_reason == pending:
        if reason:
            ticket_services.ticket_process_event(ticket=ticket, author=actor, body=reason, now=now)
        return
    if status == Status.CLOSED and ticket.status != Status.RESOLVED:
        ticket = ticket_services.ticket_transition(
            ticket=ticket,
            actor=actor,
            move=Move(
                to=Status.RESOLVED,
                resolution_code=ResolutionCode.SOLVED,
                resolution_note=resolution_note or reason or _("The change is closed."),
            ),
            version=None,
            now=now,
            process=True,
        )
        reason = _("The change is closed.")
    ticket_services.ticket_transition(
        ticket=ticket,
        actor=actor,
        move=Move(to=status, pending_reason=pending, reason=reason or _("The change moved on.")),
        version=None,
        now=now,
        process=True,
    )


def _note(change: Change, *, actor, body: str, now: dt.datetime, data: dict | None = None) -> None:
    ticket_services.ticket_process_event(ticket=change.ticket, author=actor, body=body, data=data, now=now)


def _clean_window(start, end) -> None:
    if start and end and end <= start:
        raise ValidationError({"planned_end": _("The planned end must be after the planned start.")})


def _sync_windows(change: Change, *, previous: tuple | None = None) -> None:
    """Keep one maintenance window per affected service while the change is being planned: the planned
    window, unless a window of that service was set apart by hand.

    previous: the change's planned (start, end) before this edit; only the windows that had it follow
    the new window, a window set apart by hand (maintenance_window_set) keeps its own times.
    """
    if not change.causes_downtime or not (change.planned_start and change.planned_end):
        change.maintenance_windows.all().delete()
        return
    wanted = {service.pk for service in change.services.all()}
    change.maintenance_windows.exclude(service_id__in=wanted).delete()
    existing = set(change.maintenance_windows.values_list("service_id", flat=True))
    following = change.maintenance_windows.filter(actual_start__isnull=True)
    if previous is not None:
        following = following.filter(planned_start=previous[0], planned_end=previous[1])
    following.update(planned_start=change.planned_start, planned_end=change.planned_end)
    MaintenanceWindow.objects.bulk_create(
        MaintenanceWindow(
            change=change,
            service_id=service_id,
            planned_start=change.planned_start,
            planned_end=change.planned_end,
        )
        for service_id in sorted(wanted - existing)
    )


def _assess(kind: str, risk_answers: Mapping[str, str] | None) -> tuple[dict, int, str]:
    if kind == ChangeKind.STANDARD:
        # Pre-approved: assessed once, when the template was approved.
        return {}, 0, Risk.LOW
    answers = {key: str(value) for key, value in (risk_answers or {}).items()}
    score, level = risk_questions.assess(answers)
    return answers, score, level


@transaction.atomic
def change_create(
    *,
    actor,
    kind: str,
    title: str,
    description: str = "",
    reason: str = "",
    services: Iterable = (),
    owner=None,
    support_group=None,
    impact: int = 3,
    planned_start: dt.datetime | None = None,
    planned_end: dt.datetime | None = None,
    implementation_plan: str = "",
    backout_plan: str = "",
    test_plan: str = "",
    risk_answers: Mapping[str, str] | None = None,
    causes_downtime: bool = False,
    template: StandardChangeTemplate | None = None,
    tasks: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> Change:
    """Register a change in draft, with its ticket, risk, tasks and maintenance windows."""
    now = now or timezone.now()
    if not (actor is not None and actor.has_perm("changes.raise_change")):
        raise PermissionDenied(_("You may not raise changes."))
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": _("Choose the type of change.")})
    if kind == ChangeKind.STANDARD and template is None:
        raise ValidationError({"template": _("A standard change is made from a standard change template.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the change a title.")})
    _clean_window(planned_start, planned_end)
    services = list(services)
    answers, score, level = _assess(kind, risk_answers)
    ticket = ticket_services.ticket_create(
        requester=actor,
        created_by=actor,
        title=title,
        description=description,
        kind=Kind.CHANGE,
        service=services[0] if services else None,
        support_group=support_group,
        impact=impact,
        urgency=1 if kind == ChangeKind.EMERGENCY else 3,
        category="other",
        now=now,
        on_behalf_checked=True,
    )
    change = Change(
        ticket=ticket,
        kind=kind,
        template=template,
        reason=reason,
        owner=owner or actor,
        planned_start=planned_start,
        planned_end=planned_end,
        implementation_plan=implementation_plan,
        backout_plan=backout_plan,
        test_plan=test_plan,
        risk_answers=answers,
        risk_score=score,
        risk=level,
        causes_downtime=causes_downtime,
    )
    change.save()
    change.services.set(services)
    ChangeTask.objects.bulk_create(
        ChangeTask(change=change, title=title_[:200], position=position)
        for position, title_ in enumerate(task for task in tasks if task.strip())
    )
    _sync_windows(change)
    return change


@transaction.atomic
def change_from_template(
    *,
    actor,
    template: StandardChangeTemplate,
    planned_start: dt.datetime,
    planned_end: dt.datetime | None = None,
    title: str = "",
    now: dt.datetime | None = None,
) -> Change:
    """Create a standard change from its template: the template's services, group, plans and tasks."""
    if not template.is_active:
        raise ValidationError({"template": _("This template is no longer in use.")})
    if planned_start is None:
        raise ValidationError({"planned_start": _("Give the planned start.")})
    planned_end = planned_end or planned_start + dt.timedelta(minutes=template.duration_minutes)
    return change_create(
        actor=actor,
        kind=ChangeKind.STANDARD,
        title=title.strip() or template.name,
        description=template.description,
        services=list(template.services.all()),
        support_group=template.implementer_group,
        planned_start=planned_start,
        planned_end=planned_end,
        implementation_plan=template.implementation_plan,
        backout_plan=template.backout_plan,
        test_plan=template.test_plan,
        causes_downtime=template.causes_downtime,
        template=template,
        tasks=template.task_list,
        now=now,
    )


@transaction.atomic
def change_update(
    *,
    change: Change,
    actor,
    data: Mapping,
    services: Iterable | None = None,
    risk_answers: Mapping[str, str] | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Change:
    """Edit the plan of a change that is still being planned; the timeline records what changed."""
    now = now or timezone.now()
    if not _may_work(actor):
        raise PermissionDenied(_("You may not edit changes."))
    locked = _lock(change, version)
    if locked.state not in EDITABLE:
        raise ChangeTransitionNotAllowed(
            _(
                "A change that is “%(state)s” can no longer be edited. Send it back to assessment to re-plan it."
            )
            % {"state": locked.get_state_display()}
        )
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    start = data.get("planned_start", locked.planned_start)
    end = data.get("planned_end", locked.planned_end)
    _clean_window(start, end)
    previous = (locked.planned_start, locked.planned_end)
    changed = []
    for name, value in data.items():
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if risk_answers is not None and locked.kind != ChangeKind.STANDARD:
        answers, score, level = _assess(locked.kind, risk_answers)
        if answers != locked.risk_answers:
            locked.risk_answers, locked.risk_score, locked.risk = answers, score, level
            changed += ["risk_answers", "risk_score", "risk"]
    locked.save()
    if services is not None:
        services = list(services)
        if {s.pk for s in services} != set(locked.services.values_list("pk", flat=True)):
            locked.services.set(services)
            changed.append("services")
    _sync_windows(locked, previous=previous)
    if changed:
        labels = ", ".join(str(Change._meta.get_field(name).verbose_name) for name in changed)
        _note(
            locked,
            actor=actor,
            body=_("Plan updated: %(fields)s.") % {"fields": labels},
            now=now,
            data={"fields": changed},
        )
    return locked


def _start_approval_round(change: Change, policy: ChangeType, *, actor, now: dt.datetime) -> None:
    User = get_user_model()
    change.approval_round += 1
    change.approved_at = None
    change.cab_required = policy.cab_needed(change.risk)
    managers = list(
        User.objects.filter(is_active=True, groups__name=roles.CHANGE_MANAGER).distinct().order_by("pk")
    )
    if not managers:
        raise ChangeTransitionNotAllowed(_("No change manager is registered to approve the change."))
    invited = [(user, ChangeApproval.Role.MANAGER) for user in managers]
    if change.cab_required:
        members = list(
            User.objects.filter(is_active=True, groups__name=roles.CAB_MEMBER)
            .exclude(pk__in=[user.pk for user in managers])
            .distinct()
            .order_by("pk")
        )
        # Under "all" such a round could never be approved, and Quorum.rejected would turn the first
        # vote, even the change manager's approval, into a rejection.
        if policy.approval_rule == ChangeType.ApprovalRule.ALL and len(members) < policy.cab_quorum:
            raise ChangeTransitionNotAllowed(
                _(
                    "The CAB has %(count)s members, too few to reach its quorum of %(quorum)s. "
                    "Add CAB members or lower the quorum of this type of change."
                )
                % {"count": len(members), "quorum": policy.cab_quorum}
            )
        invited += [(user, ChangeApproval.Role.CAB) for user in members]
    ChangeApproval.objects.bulk_create(
        ChangeApproval(change=change, round=change.approval_round, approver=user, role=role, requested_at=now)
        for user, role in invited
    )
    subject = _("Change %(number)s awaits your approval") % {"number": change.ticket.number}
    Notification.objects.bulk_create(
        Notification(
            recipient=user, ticket=change.ticket, kind="change_approval", subject=subject, created_at=now
        )
        for user, _role in invited
    )


@transaction.atomic
def change_move(
    *,
    change: Change,
    actor,
    move: ChangeMove,
    version: int | None = None,
    actual_start: dt.datetime | None = None,
    actual_end: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Change:
    """Move a change through its lifecycle; the ticket and timeline follow in the same transaction."""
    now = now or timezone.now()
    locked = _lock(change, version)
    to = State(move.to)
    if not _may_work(actor) or ((locked.state, to) in MANAGER_MOVES and not _is_manager(actor)):
        raise PermissionDenied(_("You may not make this change of state."))
    if move.override_reason.strip() and not _is_manager(actor):
        raise PermissionDenied(_("Only the change manager may override scheduling conflicts."))
    policy = policy_for(locked.kind)
    conflicts = change_conflicts(locked) if to in COMMITTING else []
    ensure_allowed(locked.state, move, _facts(locked, policy, conflicts=len(conflicts)))
    previous = locked.state
    if to in COMMITTING and conflicts and move.override_reason.strip() and not locked.override_holds:
        locked.override_reason = move.override_reason.strip()
        locked.override_by = actor
        locked.override_start, locked.override_end = locked.planned_start, locked.planned_end
        listed = "; ".join(_conflict_text(conflict) for conflict in conflicts)
        _note(
            locked,
            actor=actor,
            body=_("Conflict overridden by the change manager: %(reason)s\n\nConflicts: %(conflicts)s")
            % {"reason": locked.override_reason, "conflicts": listed},
            now=now,
            data={"override": True, "conflicts": len(conflicts)},
        )
    locked.state = to
    if to == State.AWAITING_APPROVAL:
        _start_approval_round(locked, policy, actor=actor, now=now)
    if previous in {State.AWAITING_APPROVAL, State.SCHEDULED} and to in {State.ASSESSMENT, State.DRAFT}:
        locked.approved_at = None  # re-planning: the approval lapses, a new round is needed
    if to == State.IMPLEMENTING:
        locked.actual_start = actual_start or now
    if to == State.REVIEW:
        locked.actual_end = actual_end or now
        # Not even at the same instant: the maintenance windows take this as their actual window, and
        # an empty one breaks their constraint (maintenance_actual_end_after_start).
        if locked.actual_end <= locked.actual_start:
            raise ChangeTransitionNotAllowed(
                {"actual_end": _("The implementation must end after it started.")}
            )
        # The downtime as executed replaces the planned one in the availability figures.
        locked.maintenance_windows.update(actual_start=locked.actual_start, actual_end=locked.actual_end)
    if to == State.CLOSED:
        locked.outcome = move.outcome
        if move.review_note.strip():
            locked.review_note = move.review_note.strip()
            locked.reviewed_at, locked.reviewed_by = now, actor
    locked.save()
    text = _move_text(previous, to, move)
    _ticket_move(locked, actor=actor, reason=text, now=now, resolution_note=text)
    return locked


def _conflict_text(conflict) -> str:
    if conflict.is_freeze:
        return _("freeze window “%(name)s”") % {"name": conflict.obj.name}
    return f"{conflict.obj.ticket.number} {conflict.obj.ticket.title}"


def _move_text(previous: str, to: str, move: ChangeMove) -> str:
    label = State(to).label
    parts = [_("Change: %(from)s → %(to)s.") % {"from": State(previous).label, "to": label}]
    # Only a closing move's outcome is checked (and means anything); any other would be a ValueError here.
    if to == State.CLOSED and move.outcome:
        parts.append(_("Outcome: %(outcome)s.") % {"outcome": Change.Outcome(move.outcome).label})
    for text in (move.reason, move.review_note):
        if text.strip():
            parts.append(text.strip())
    return " ".join(str(part) for part in parts)


@dataclass(frozen=True)
class Quorum:
    """Where the current approval round stands."""

    manager_approved: bool
    manager_rejected: bool
    cab_required: bool
    cab_approvals: int
    cab_rejections: int
    cab_invited: int
    cab_quorum: int
    rule: str

    @property
    def cab_met(self) -> bool:
        return not self.cab_required or self.cab_approvals >= self.cab_quorum

    @property
    def approved(self) -> bool:
        if self.rule == ChangeType.ApprovalRule.ANY:
            return self.manager_approved or (self.cab_required and self.cab_met)
        return self.manager_approved and self.cab_met

    @property
    def rejected(self) -> bool:
        if self.manager_rejected:
            return True
        # Under "all", the CAB rejects once too few members are left to reach the quorum.
        cab_cannot_meet = self.cab_required and self.cab_invited - self.cab_rejections < self.cab_quorum
        return self.rule == ChangeType.ApprovalRule.ALL and cab_cannot_meet


def quorum_for(change: Change, policy: ChangeType | None = None, approvals: list | None = None) -> Quorum:
    policy = policy or policy_for(change.kind)
    if approvals is None:
        approvals = list(change.approvals.filter(round=change.approval_round))
    managers = [a for a in approvals if a.role == ChangeApproval.Role.MANAGER]
    cab = [a for a in approvals if a.role == ChangeApproval.Role.CAB]
    Decision = ChangeApproval.Decision
    return Quorum(
        manager_approved=any(a.decision == Decision.APPROVED for a in managers),
        manager_rejected=any(a.decision == Decision.REJECTED for a in managers),
        cab_required=change.cab_required,
        cab_approvals=sum(a.decision == Decision.APPROVED for a in cab),
        cab_rejections=sum(a.decision == Decision.REJECTED for a in cab),
        cab_invited=len(cab),
        cab_quorum=policy.cab_quorum,
        rule=policy.approval_rule,
    )


@transaction.atomic
def approval_decide(
    *, change: Change, actor, decision: str, comment: str = "", now: dt.datetime | None = None
) -> ChangeApproval:
    """Record the actor's vote in the current round; when the votes decide it, move the change on."""
    now = now or timezone.now()
    locked = _lock(change)
    if locked.state != State.AWAITING_APPROVAL:
        raise ChangeTransitionNotAllowed(_("This change is not awaiting approval any more."))
    votes = list(
        ChangeApproval.objects.select_for_update().filter(
            change=locked, round=locked.approval_round, approver=actor
        )
    )
    if not votes:
        raise PermissionDenied(_("You are not an approver of this change."))
    Decision = ChangeApproval.Decision
    if decision not in {Decision.APPROVED, Decision.REJECTED, Decision.INFO}:
        raise ValidationError({"decision": _("Choose approve, reject or request information.")})
    if decision != Decision.APPROVED and not comment.strip():
        raise ValidationError({"comment": _("Say why, so the change owner knows what to do.")})
    for vote in votes:
        vote.decision, vote.comment, vote.decided_at = decision, comment.strip(), now
        vote.save(update_fields=["decision", "comment", "decided_at"])
    vote = votes[0]
    _note(
        locked,
        actor=actor,
        body=_("%(who)s (%(role)s): %(decision)s. %(comment)s")
        % {
            "who": actor.get_full_name() or actor.username,
            "role": vote.get_role_display(),
            "decision": Decision(decision).label,
            "comment": comment.strip(),
        },
        now=now,
        data={"vote": decision, "role": vote.role, "round": locked.approval_round},
    )
    policy = policy_for(locked.kind)
    system_actor = _system_actor(actor)
    if decision == Decision.INFO:
        change_move(
            change=locked, actor=system_actor, move=ChangeMove(to=State.ASSESSMENT, reason=comment), now=now
        )
        return vote
    quorum = quorum_for(locked, policy)
    if quorum.rejected:
        change_move(
            change=locked,
            actor=system_actor,
            move=ChangeMove(to=State.REJECTED, reason=comment or _("The CAB rejected the change.")),
            now=now,
        )
    elif quorum.approved:
        locked.approved_at = now
        locked.save(update_fields=["approved_at"])
        try:
            change_move(change=locked, actor=system_actor, move=ChangeMove(to=State.SCHEDULED), now=now)
        except ChangeTransitionNotAllowed:
            _note(
                locked,
                actor=None,
                body=_("Approved. It is scheduled once its conflicts are resolved or overridden."),
                now=now,
            )
    return vote


def _system_actor(actor):
    """The approval process moves the change on behalf of the vote that decided it: as the change
    manager when they voted, otherwise as the first active change manager (the CAB's chair)."""
    if _is_manager(actor):
        return actor
    User = get_user_model()
    chair = User.objects.filter(is_active=True, groups__name=roles.CHANGE_MANAGER).order_by("pk").first()
    return chair


@transaction.atomic
def task_complete(*, task: ChangeTask, actor, now: dt.datetime | None = None) -> ChangeTask:
    now = now or timezone.now()
    if not _may_work(actor):
        raise PermissionDenied(_("You may not work on changes."))
    locked = ChangeTask.objects.select_for_update().select_related("change").get(pk=task.pk)
    if locked.change.state not in {State.SCHEDULED, State.IMPLEMENTING}:
        raise ChangeTransitionNotAllowed(
            _("Tasks are done while the change is scheduled or being implemented.")
        )
    if locked.done_at is None:
        locked.done_at, locked.done_by = now, actor
        locked.save(update_fields=["done_at", "done_by"])
        _note(locked.change, actor=actor, body=_("Task done: %(task)s") % {"task": locked.title}, now=now)
    return locked


@transaction.atomic
def maintenance_window_set(
    *, change: Change, actor, service, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> MaintenanceWindow:
    """Set one affected service's planned downtime apart from the change's window (planning only)."""
    now = now or timezone.now()
    if not _may_work(actor):
        raise PermissionDenied(_("You may not edit changes."))
    locked = _lock(change)
    if locked.state not in EDITABLE:
        raise ChangeTransitionNotAllowed(_("The maintenance windows can no longer be changed."))
    if not locked.causes_downtime:
        raise ValidationError({"causes_downtime": _("The change causes no downtime.")})
    if not locked.services.filter(pk=service.pk).exists():
        raise ValidationError({"service": _("Choose one of the change's affected services.")})
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    window, _created = MaintenanceWindow.objects.update_or_create(
        change=locked, service=service, defaults={"planned_start": start, "planned_end": end}
    )
    _note(
        locked,
        actor=actor,
        body=_("Maintenance window of %(service)s: %(start)s – %(end)s")
        % {
            "service": service.name,
            "start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
        },
        now=now,
    )
    return window


def caused_incidents(change: Change):
    """Incidents marked as caused by this change (links of type caused-by, incident → change)."""
    from tickets.models import TicketLink

    return Ticket.objects.filter(
        links_out__type=TicketLink.Type.CAUSED_BY, links_out__target_id=change.ticket_id
    ).only("pk", "number", "title", "status")


@transaction.atomic
def change_edit(
    *,
    change: Change,
    actor,
    version: int | None = None,
    title: str,
    description: str,
    owner,
    support_group,
    impact: int,
    plan: Mapping,
    services: Iterable,
    risk_answers: Mapping[str, str] | None,
    now: dt.datetime | None = None,
) -> Change:
    """Edit a change being planned from its form: the ticket's fields and the plan, in one transaction."""
    now = now or timezone.now()
    if not _may_work(actor):
        raise PermissionDenied(_("You may not edit changes."))
    if not title.strip():
        raise ValidationError({"title": _("Give the change a title.")})
    services = list(services)
    locked = change_update(
        change=change,
        actor=actor,
        data=plan,
        services=services,
        risk_answers=risk_answers,
        version=version,
        now=now,
    )
    ticket_services.ticket_update(
        ticket=locked.ticket,
        actor=actor,
        version=None,
        changes={
            "title": title.strip(),
            "description": description,
            "support_group": support_group,
            "impact": impact,
            "service": services[0] if services else None,
        },
        now=now,
        process=True,
    )
    if owner is not None and owner.pk != locked.owner_id:
        locked.owner = owner
        locked.save(update_fields=["owner"])
        _note(locked, actor=actor, body=_("Change owner: %(name)s") % {"name": owner}, now=now)
    return locked


@transaction.atomic
def standard_change_schedule(
    *,
    actor,
    template: StandardChangeTemplate,
    planned_start: dt.datetime,
    planned_end: dt.datetime | None = None,
    title: str = "",
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> Change:
    """Create a standard change from its template and put it on the calendar at once, with no approval.

    All or nothing: when the window conflicts (and the change manager has not overridden it), nothing
    is created and the ChangeTransitionNotAllowed names the conflict.
    """
    now = now or timezone.now()
    change = change_from_template(
        actor=actor,
        template=template,
        planned_start=planned_start,
        planned_end=planned_end,
        title=title,
        now=now,
    )
    return change_move(
        change=change,
        actor=actor,
        move=ChangeMove(to=State.SCHEDULED, override_reason=override_reason),
        now=now,
    )
