"""Change enablement through the services: registering a change, its way through assessment, approval
and implementation with the ticket kept in step, CAB quorum, emergency and standard changes, conflicts
with other changes and freeze windows, and editing the plan."""

import datetime as dt
import re

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes import services
from changes.models import (
    Change,
    ChangeApproval,
    ChangeTask,
    ChangeType,
    FreezeWindow,
    MaintenanceWindow,
    Risk,
    StandardChangeTemplate,
)
from changes.selectors import change_conflicts
from changes.transitions import ChangeMove, ChangeTransitionNotAllowed, ticket_status_for
from tests.changes.conftest import HIGH_RISK, LOW_RISK
from tests.factories import ServiceFactory, UserFactory, make_ticket
from tickets import live
from tickets import services as ticket_services
from tickets.models import Kind, Notification, PendingReason, Status, Ticket, TicketEvent, TicketLink
from tickets.transitions import Move, TransitionNotAllowed

S = Change.State
Decision = ChangeApproval.Decision


def move(change, actor, to, *, actual_start=None, actual_end=None, version=None, **kwargs) -> Change:
    """Move the change through the service and refresh the caller's object from the database."""
    services.change_move(
        change=change,
        actor=actor,
        move=ChangeMove(to=to, **kwargs),
        version=version,
        actual_start=actual_start,
        actual_end=actual_end,
    )
    change.refresh_from_db()
    return change


def vote(change, actor, decision=Decision.APPROVED, comment="") -> Change:
    services.approval_decide(change=change, actor=actor, decision=decision, comment=comment)
    change.refresh_from_db()
    return change


def in_step(change: Change) -> Ticket:
    """Assert the change's ticket shows the status its state maps to; return the ticket."""
    change.refresh_from_db()
    ticket = Ticket.objects.get(pk=change.ticket_id)
    assert (ticket.status, ticket.pending_reason) == ticket_status_for(change.state), change.state
    return ticket


def to_approval(change, implementer, manager, **kwargs) -> Change:
    """Submit, assess and send a normal change to its approvers."""
    move(change, implementer, S.SUBMITTED)
    move(change, manager, S.ASSESSMENT)
    return move(change, manager, S.AWAITING_APPROVAL, **kwargs)


def approvers(change, round_=None) -> set[tuple[str, str]]:
    rows = change.approvals.filter(round=round_ or change.approval_round)
    return {(row.approver.username, row.role) for row in rows}


def scheduled(make_change, implementer, manager, **kwargs) -> Change:
    """A low-risk normal change, approved by the change manager alone and so on the calendar."""
    change = make_change(answers=LOW_RISK, **kwargs)
    to_approval(change, implementer, manager)
    change = vote(change, manager)
    assert change.state == S.SCHEDULED
    return change


def nothing_written():
    return not Ticket.objects.exists() and not Change.objects.exists() and not TicketEvent.objects.exists()


@pytest.fixture
def template(operations, email_service):
    template = StandardChangeTemplate.objects.create(
        code="patch-epost",
        name_nb="Månedlig oppdatering av e-post",
        name_en="Monthly email patching",
        description="Sikkerhetsoppdateringer på e-posttjenerne.",
        implementer_group=operations,
        implementation_plan="Oppdater én tjener om gangen.",
        backout_plan="Gjenopprett øyeblikksbildet.",
        test_plan="Send og motta en e-post.",
        causes_downtime=True,
        duration_minutes=90,
        tasks="Ta øyeblikksbilde\n\n  Installer oppdateringer \nTest innlogging\n",
    )
    template.services.set([email_service])
    return template


# --- Registering a change ---------------------------------------------------------------------------


def test_a_normal_change_is_registered_in_draft_with_its_ticket(
    make_change, implementer, operations, network, email_service, soon
):
    change = make_change(services_=[network, email_service])

    assert (change.state, change.kind, change.owner) == (S.DRAFT, "normal", implementer)
    assert (change.risk, change.risk_score, change.cab_required) == (Risk.MEDIUM, 4, False)
    ticket = in_step(change)
    assert ticket.kind == Kind.CHANGE
    assert re.fullmatch(rf"CHG-{timezone.localtime().year}-\d{{6}}", ticket.number)
    assert (ticket.title, ticket.requester, ticket.support_group) == (
        "Oppgrader kjernesvitsj",
        implementer,
        operations,
    )
    assert ticket.service == network
    assert list(ticket.events.values_list("type", flat=True)) == [TicketEvent.Type.CREATED]
    windows = MaintenanceWindow.objects.filter(change=change).order_by("service__code")
    assert [(w.service, w.planned_start, w.planned_end, w.actual_start) for w in windows] == [
        (email_service, soon, soon + dt.timedelta(hours=2), None),
        (network, soon, soon + dt.timedelta(hours=2), None),
    ]


def test_a_change_without_downtime_has_no_maintenance_windows(make_change):
    change = make_change(causes_downtime=False)
    assert change.services.count() == 1
    assert not MaintenanceWindow.objects.exists()


def test_an_emergency_change_is_urgent(make_change):
    change = make_change(kind="emergency")
    assert change.ticket.urgency == 1
    assert make_change().ticket.urgency == 3


@pytest.mark.parametrize("hours", [0, -1], ids=["end-at-start", "end-before-start"])
def test_a_planned_end_before_the_start_is_refused_and_nothing_is_written(make_change, hours):
    with pytest.raises(ValidationError) as caught:
        make_change(hours=hours)
    assert caught.value.message_dict == {"planned_end": ["The planned end must be after the planned start."]}
    assert nothing_written()
    assert not MaintenanceWindow.objects.exists()


def test_bad_risk_answers_are_refused_and_nothing_is_written(make_change):
    with pytest.raises(ValidationError) as caught:
        make_change(answers={**LOW_RISK, "tested": "maybe", "data": ""})
    assert set(caught.value.message_dict) == {"risk_tested", "risk_data"}
    assert nothing_written()


def test_a_standard_change_needs_its_template(make_change):
    with pytest.raises(ValidationError) as caught:
        make_change(kind="standard")
    assert set(caught.value.message_dict) == {"template"}
    assert nothing_written()


@pytest.mark.parametrize("who", ["employee", "cab_member"])
def test_only_agents_and_the_change_manager_raise_changes(make_change, employee, cab_members, who):
    actor = employee if who == "employee" else cab_members[0]
    with pytest.raises(PermissionDenied):
        make_change(actor=actor)
    assert nothing_written()


def test_the_change_manager_raises_changes_without_being_an_agent(make_change, change_manager):
    assert make_change(actor=change_manager).owner == change_manager


# --- The normal path ---------------------------------------------------------------------------------


def test_a_medium_risk_change_goes_through_the_manager_and_the_cab_to_closed(
    make_change, implementer, change_manager, cab_members, network, soon
):
    cab1, cab2 = cab_members
    change = make_change()
    in_step(change)

    move(change, implementer, S.SUBMITTED)
    assert in_step(change).status == Status.NEW and change.state == S.SUBMITTED
    move(change, change_manager, S.ASSESSMENT)
    assert in_step(change).status == Status.IN_PROGRESS

    move(change, change_manager, S.AWAITING_APPROVAL)
    ticket = in_step(change)
    assert (ticket.status, ticket.pending_reason) == (Status.PENDING, PendingReason.APPROVAL)
    assert (change.state, change.cab_required, change.approval_round) == (S.AWAITING_APPROVAL, True, 1)
    assert approvers(change) == {("endring", "manager"), ("cab1", "cab"), ("cab2", "cab")}
    assert set(change.approvals.values_list("decision", flat=True)) == {Decision.PENDING}
    notices = Notification.objects.filter(kind="change_approval", ticket=change.ticket)
    assert {n.recipient.username for n in notices} == {"endring", "cab1", "cab2"}
    assert all(change.ticket.number in n.subject for n in notices)

    vote(change, change_manager)
    assert (change.state, change.approved_at) == (S.AWAITING_APPROVAL, None), "the CAB has not voted"
    vote(change, cab1)
    assert (change.state, change.approved_at) == (S.AWAITING_APPROVAL, None), "one CAB vote of two"
    vote(change, cab2)
    assert change.state == S.SCHEDULED and change.approved_at is not None
    assert in_step(change).status == Status.IN_PROGRESS
    assert set(change.approvals.values_list("decision", flat=True)) == {Decision.APPROVED}
    votes = TicketEvent.objects.filter(
        ticket=change.ticket, type=TicketEvent.Type.NOTE, data__vote="approved"
    )
    assert votes.count() == 3

    started = soon + dt.timedelta(minutes=5)
    move(change, implementer, S.IMPLEMENTING, actual_start=started)
    assert change.actual_start == started
    in_step(change)

    ended = soon + dt.timedelta(hours=1, minutes=40)
    move(change, implementer, S.REVIEW, actual_end=ended)
    assert (change.actual_start, change.actual_end) == (started, ended)
    window = MaintenanceWindow.objects.get(change=change)
    assert (window.actual_start, window.actual_end) == (started, ended)
    assert (window.start, window.end) == (started, ended)
    in_step(change)

    move(change, implementer, S.CLOSED, outcome=Change.Outcome.SUCCESSFUL)
    assert (change.state, change.outcome) == (S.CLOSED, "successful")
    ticket = in_step(change)
    assert ticket.status == Status.CLOSED and ticket.resolved_at is not None and ticket.closed_at is not None
    moves = TicketEvent.objects.filter(ticket=change.ticket, type=TicketEvent.Type.STATUS)
    assert [(e.data["from"], e.data["to"]) for e in moves.order_by("pk")] == [
        ("new", "in_progress"),
        ("in_progress", "pending"),
        ("pending", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]


def test_every_move_is_on_the_timeline_even_when_the_ticket_status_stays(make_change, implementer):
    change = make_change()
    before = TicketEvent.objects.filter(ticket=change.ticket).count()
    move(change, implementer, S.SUBMITTED)  # draft and submitted both show "new"
    event = TicketEvent.objects.filter(ticket=change.ticket).latest("pk")
    assert TicketEvent.objects.filter(ticket=change.ticket).count() == before + 1
    assert (event.type, event.author) == (TicketEvent.Type.NOTE, implementer)
    assert "Draft → Submitted" in event.body


def test_a_move_is_broadcast_after_commit(make_change, implementer, django_capture_on_commit_callbacks):
    change = make_change()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.ticket_group(change.ticket_id), channel)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        move(change, implementer, S.SUBMITTED)
    assert callbacks
    message = async_to_sync(layer.receive)(channel)
    assert message == {"type": "ticket.updated", "id": change.ticket_id}


def test_a_stale_version_is_refused(make_change, implementer):
    change = make_change()
    version = change.ticket.version
    move(change, implementer, S.SUBMITTED)
    with pytest.raises(ChangeTransitionNotAllowed, match="Someone else changed"):
        move(change, implementer, S.DRAFT, version=version)
    assert Change.objects.get(pk=change.pk).state == S.SUBMITTED


def test_a_low_risk_change_is_approved_by_the_change_manager_alone(
    make_change, implementer, change_manager, cab_members
):
    change = to_approval(make_change(answers=LOW_RISK), implementer, change_manager)
    assert change.cab_required is False
    assert approvers(change) == {("endring", "manager")}
    assert Notification.objects.filter(kind="change_approval").count() == 1
    vote(change, change_manager)
    assert change.state == S.SCHEDULED and change.approved_at is not None


def test_a_high_risk_change_goes_to_the_cab(make_change, implementer, change_manager, cab_members):
    change = to_approval(make_change(answers=HIGH_RISK), implementer, change_manager)
    assert (change.risk, change.cab_required) == (Risk.HIGH, True)
    assert approvers(change) == {("endring", "manager"), ("cab1", "cab"), ("cab2", "cab")}


def test_the_cab_alone_does_not_approve_a_normal_change(
    make_change, implementer, change_manager, cab_members
):
    change = to_approval(make_change(), implementer, change_manager)
    for member in cab_members:
        vote(change, member)
    assert change.state == S.AWAITING_APPROVAL and change.approved_at is None
    vote(change, change_manager)
    assert change.state == S.SCHEDULED


@pytest.mark.parametrize(
    ("state", "to"),
    [(S.SUBMITTED, S.ASSESSMENT), (S.ASSESSMENT, S.AWAITING_APPROVAL), (S.ASSESSMENT, S.REJECTED)],
)
def test_only_the_change_manager_assesses_and_sends_for_approval(
    make_change, implementer, change_manager, state, to
):
    change = make_change()
    move(change, implementer, S.SUBMITTED)
    if state == S.ASSESSMENT:
        move(change, change_manager, S.ASSESSMENT)
    with pytest.raises(PermissionDenied):
        move(change, implementer, to, reason="Ikke nødvendig.")
    assert Change.objects.get(pk=change.pk).state == state
    assert not ChangeApproval.objects.exists()


def test_someone_who_may_not_work_changes_moves_nothing(make_change, employee, cab_members):
    change = make_change()
    for actor in (employee, cab_members[0], None):
        with pytest.raises(PermissionDenied):
            move(change, actor, S.SUBMITTED)
    assert Change.objects.get(pk=change.pk).state == S.DRAFT


def test_a_cab_member_not_invited_to_the_round_cannot_vote(
    make_change, implementer, change_manager, cab_members, employee
):
    change = to_approval(make_change(answers=LOW_RISK), implementer, change_manager)
    for outsider in (cab_members[0], employee, implementer):
        with pytest.raises(PermissionDenied):
            services.approval_decide(change=change, actor=outsider, decision=Decision.APPROVED)
    assert set(change.approvals.values_list("decision", flat=True)) == {Decision.PENDING}
    change.refresh_from_db()
    assert change.state == S.AWAITING_APPROVAL


def test_no_votes_once_the_change_is_no_longer_awaiting_approval(
    make_change, implementer, change_manager, cab_members
):
    change = scheduled(make_change, implementer, change_manager)
    with pytest.raises(ChangeTransitionNotAllowed, match="not awaiting approval"):
        services.approval_decide(
            change=change, actor=change_manager, decision=Decision.REJECTED, comment="Nei"
        )
    assert Change.objects.get(pk=change.pk).state == S.SCHEDULED


def test_a_vote_must_be_one_of_the_decisions(make_change, implementer, change_manager, cab_members):
    change = to_approval(make_change(), implementer, change_manager)
    with pytest.raises(ValidationError) as caught:
        services.approval_decide(change=change, actor=change_manager, decision="pending")
    assert set(caught.value.message_dict) == {"decision"}


@pytest.mark.parametrize("decision", [Decision.REJECTED, Decision.INFO])
def test_rejecting_or_asking_for_information_needs_a_comment(
    make_change, implementer, change_manager, cab_members, decision
):
    change = to_approval(make_change(), implementer, change_manager)
    with pytest.raises(ValidationError) as caught:
        services.approval_decide(change=change, actor=change_manager, decision=decision, comment="  ")
    assert set(caught.value.message_dict) == {"comment"}
    assert set(change.approvals.values_list("decision", flat=True)) == {Decision.PENDING}


def test_the_change_manager_rejects_the_change_and_its_ticket_is_cancelled(
    make_change, implementer, change_manager, cab_members
):
    change = to_approval(make_change(), implementer, change_manager)
    vote(change, change_manager, Decision.REJECTED, "For stor risiko i eksamensperioden.")
    assert change.state == S.REJECTED and change.approved_at is None
    ticket = in_step(change)
    assert ticket.status == Status.CANCELLED
    assert "For stor risiko i eksamensperioden." in ticket.resolution_note


def test_asking_for_information_sends_it_back_and_resubmitting_starts_a_new_round(
    make_change, implementer, change_manager, cab_members
):
    cab1, cab2 = cab_members
    change = to_approval(make_change(), implementer, change_manager)
    vote(change, change_manager)
    vote(change, cab1, Decision.INFO, "Hvilken firmwareversjon?")
    assert change.state == S.ASSESSMENT and change.approved_at is None
    in_step(change)
    assert TicketEvent.objects.filter(
        ticket=change.ticket, body__contains="Hvilken firmwareversjon?"
    ).exists()

    move(change, change_manager, S.AWAITING_APPROVAL)
    assert change.approval_round == 2
    assert approvers(change, 2) == approvers(change, 1)
    old = dict(change.approvals.filter(round=1).values_list("approver__username", "decision"))
    assert old == {"endring": Decision.APPROVED, "cab1": Decision.INFO, "cab2": Decision.PENDING}
    assert set(change.approvals.filter(round=2).values_list("decision", flat=True)) == {Decision.PENDING}

    # The change manager's approval of round 1 does not count in round 2.
    vote(change, cab1)
    vote(change, cab2)
    assert change.state == S.AWAITING_APPROVAL
    vote(change, change_manager)
    assert change.state == S.SCHEDULED


def test_the_cab_rejects_once_too_few_members_are_left_to_approve(
    make_change, implementer, change_manager, cab_members
):
    UserFactory(username="cab3", roles=["cab_member"])
    change = to_approval(make_change(), implementer, change_manager)
    assert len(approvers(change)) == 4
    vote(change, cab_members[0], Decision.REJECTED, "Mangler testplan.")
    assert change.state == S.AWAITING_APPROVAL, "two of three can still approve"
    vote(change, cab_members[1], Decision.REJECTED, "Enig, mangler testplan.")
    assert change.state == S.REJECTED
    assert in_step(change).status == Status.CANCELLED


# --- Emergency changes --------------------------------------------------------------------------------


def test_an_emergency_change_is_approved_by_the_manager_alone_and_reviewed_before_closing(
    make_change, implementer, change_manager, cab_members, soon
):
    change = make_change(kind="emergency")
    move(change, implementer, S.SUBMITTED)
    move(change, implementer, S.AWAITING_APPROVAL)  # straight to the approvers, no assessment
    assert change.cab_required is True
    assert approvers(change) == {("endring", "manager"), ("cab1", "cab"), ("cab2", "cab")}
    vote(change, change_manager)
    assert change.state == S.SCHEDULED

    move(change, implementer, S.IMPLEMENTING, actual_start=soon)
    move(change, implementer, S.REVIEW, actual_end=soon + dt.timedelta(minutes=30))
    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, implementer, S.CLOSED, outcome=Change.Outcome.SUCCESSFUL)
    assert "retrospective review" in caught.value.message_dict["review_note"][0]
    change.refresh_from_db()
    assert change.state == S.REVIEW and change.reviewed_by is None

    move(
        change,
        change_manager,
        S.CLOSED,
        outcome=Change.Outcome.SUCCESSFUL,
        review_note="  Lærdom: varsle før.  ",
    )
    assert change.state == S.CLOSED
    assert (change.review_note, change.reviewed_by) == ("Lærdom: varsle før.", change_manager)
    assert change.reviewed_at is not None
    assert in_step(change).status == Status.CLOSED


def test_the_cab_quorum_alone_approves_an_emergency_change(
    make_change, implementer, change_manager, cab_members
):
    change = make_change(kind="emergency", answers=LOW_RISK)
    move(change, implementer, S.SUBMITTED)
    move(change, implementer, S.AWAITING_APPROVAL)
    vote(change, cab_members[0])
    assert change.state == S.AWAITING_APPROVAL
    vote(change, cab_members[1])
    assert change.state == S.SCHEDULED


def test_an_emergency_change_is_not_implemented_before_approval(make_change, implementer, change_manager):
    change = make_change(kind="emergency")
    move(change, implementer, S.SUBMITTED)
    move(change, implementer, S.AWAITING_APPROVAL)
    with pytest.raises(ChangeTransitionNotAllowed):
        move(change, implementer, S.IMPLEMENTING)
    assert Change.objects.get(pk=change.pk).state == S.AWAITING_APPROVAL


# --- Standard changes -----------------------------------------------------------------------------------


def test_a_standard_change_from_its_template_is_scheduled_without_approval(
    template, implementer, operations, email_service, soon, change_manager
):
    change = services.change_from_template(actor=implementer, template=template, planned_start=soon)
    assert (change.kind, change.state, change.template) == ("standard", S.DRAFT, template)
    assert change.ticket.title == "Monthly email patching"  # in the language of the one raising it
    assert list(change.services.all()) == [email_service]
    assert change.ticket.support_group == operations
    assert (change.planned_start, change.planned_end) == (soon, soon + dt.timedelta(minutes=90))
    assert (change.implementation_plan, change.backout_plan, change.test_plan) == (
        "Oppdater én tjener om gangen.",
        "Gjenopprett øyeblikksbildet.",
        "Send og motta en e-post.",
    )
    assert (change.risk, change.risk_answers) == (Risk.LOW, {})
    assert list(change.tasks.values_list("title", "position")) == [
        ("Ta øyeblikksbilde", 0),
        ("Installer oppdateringer", 1),
        ("Test innlogging", 2),
    ]
    assert MaintenanceWindow.objects.get(change=change).service == email_service

    move(change, implementer, S.SCHEDULED)
    assert change.state == S.SCHEDULED and change.approved_at is None
    assert (change.approval_round, ChangeApproval.objects.count()) == (0, 0)
    assert not Notification.objects.filter(kind="change_approval").exists()
    in_step(change)

    for task in change.tasks.all():
        services.task_complete(task=task, actor=implementer)
    assert not change.tasks.filter(done_at__isnull=True).exists()
    assert set(change.tasks.values_list("done_by", flat=True)) == {implementer.pk}
    notes = TicketEvent.objects.filter(ticket=change.ticket, body__startswith="Task done:")
    assert notes.count() == 3

    move(change, implementer, S.IMPLEMENTING)
    assert change.state == S.IMPLEMENTING and change.actual_start is not None


def test_a_standard_change_takes_the_end_it_is_given(template, implementer, soon):
    change = services.change_from_template(
        actor=implementer, template=template, planned_start=soon, planned_end=soon + dt.timedelta(hours=3)
    )
    assert change.planned_end == soon + dt.timedelta(hours=3)


def test_a_template_no_longer_in_use_makes_no_changes(template, implementer, soon):
    template.is_active = False
    template.save()
    with pytest.raises(ValidationError) as caught:
        services.change_from_template(actor=implementer, template=template, planned_start=soon)
    assert set(caught.value.message_dict) == {"template"}
    assert nothing_written()


def test_a_task_is_done_once_while_the_change_is_on_the_calendar(template, implementer, change_manager, soon):
    change = services.change_from_template(actor=implementer, template=template, planned_start=soon)
    task = change.tasks.first()
    with pytest.raises(ChangeTransitionNotAllowed):
        services.task_complete(task=task, actor=implementer)
    assert ChangeTask.objects.get(pk=task.pk).done_at is None
    move(change, implementer, S.SCHEDULED)
    first = services.task_complete(task=task, actor=implementer)
    again = services.task_complete(task=task, actor=change_manager)
    assert again.done_at == first.done_at and again.done_by == implementer
    assert TicketEvent.objects.filter(ticket=change.ticket, body__startswith="Task done:").count() == 1


def test_someone_who_may_not_work_changes_does_not_tick_tasks(template, implementer, employee, soon):
    change = services.change_from_template(actor=implementer, template=template, planned_start=soon)
    move(change, implementer, S.SCHEDULED)
    with pytest.raises(PermissionDenied):
        services.task_complete(task=change.tasks.first(), actor=employee)


def test_a_scheduled_standard_change_goes_back_to_draft(template, implementer, soon):
    change = services.change_from_template(actor=implementer, template=template, planned_start=soon)
    move(change, implementer, S.SCHEDULED)
    move(change, implementer, S.DRAFT, reason="Leverandøren har flyttet vinduet.")
    assert change.state == S.DRAFT
    in_step(change)


# --- Conflicts and freeze windows ------------------------------------------------------------------------


@pytest.mark.parametrize(("theirs", "mine"), [("email", "network"), ("network", "email")])
def test_a_change_on_a_dependent_service_at_the_same_time_conflicts_both_ways(
    make_change, implementer, change_manager, network, email_service, soon, theirs, mine
):
    by_name = {"network": network, "email": email_service}
    other = scheduled(make_change, implementer, change_manager, services_=[by_name[theirs]])
    change = make_change(services_=[by_name[mine]], start=soon + dt.timedelta(hours=1))
    conflicts = change_conflicts(change)
    assert [(c.kind, c.obj.pk) for c in conflicts] == [("change", other.pk)]
    assert conflicts[0].services == [email_service]  # where their impacts meet


def test_a_change_on_an_unrelated_service_or_at_another_time_does_not_conflict(
    make_change, implementer, change_manager, operations, network, soon
):
    scheduled(make_change, implementer, change_manager)
    printing = ServiceFactory(code="utskrift", support_group=operations)
    assert change_conflicts(make_change(services_=[printing])) == []
    assert change_conflicts(make_change(start=soon + dt.timedelta(hours=2))) == []  # starts as it ends


def test_a_change_conflicts_only_with_changes_on_the_calendar(make_change, implementer, change_manager, soon):
    draft = make_change()
    change = make_change()
    assert change_conflicts(change) == []
    move(draft, implementer, S.SUBMITTED)
    move(draft, change_manager, S.ASSESSMENT)
    assert change_conflicts(change) == []
    move(draft, change_manager, S.AWAITING_APPROVAL)
    assert [c.obj.pk for c in change_conflicts(change)] == [draft.pk]


def test_an_overlapping_change_blocks_sending_for_approval(make_change, implementer, change_manager, soon):
    other = scheduled(make_change, implementer, change_manager)
    change = make_change(start=soon + dt.timedelta(minutes=30))
    move(change, implementer, S.SUBMITTED)
    move(change, change_manager, S.ASSESSMENT)
    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, change_manager, S.AWAITING_APPROVAL)
    assert set(caught.value.message_dict) == {"override_reason"}
    move(change, change_manager, S.AWAITING_APPROVAL, override_reason="Samme team gjør begge.")
    note = TicketEvent.objects.filter(ticket=change.ticket, data__override=True).get()
    assert "Samme team gjør begge." in note.body and other.ticket.number in note.body


@pytest.fixture
def freeze(soon):
    def make(*services_):
        window = FreezeWindow.objects.create(
            name_nb="Eksamensperiode",
            name_en="Exam weeks",
            start=soon - dt.timedelta(days=1),
            end=soon + dt.timedelta(days=1),
            reason="Ingen endringer under eksamen.",
        )
        window.services.set(services_)
        return window

    return make


def assessed(make_change, implementer, manager, **kwargs) -> Change:
    change = make_change(**kwargs)
    move(change, implementer, S.SUBMITTED)
    return move(change, manager, S.ASSESSMENT)


@pytest.mark.parametrize("covers", ["all", "affected", "dependant"])
def test_a_freeze_window_blocks_sending_for_approval_until_the_manager_overrides_it(
    make_change, implementer, change_manager, network, email_service, freeze, covers
):
    window = freeze(*{"all": [], "affected": [network], "dependant": [email_service]}[covers])
    change = assessed(make_change, implementer, change_manager)
    assert [c.obj for c in change_conflicts(change)] == [window]

    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, change_manager, S.AWAITING_APPROVAL)
    assert set(caught.value.message_dict) == {"override_reason"}
    change.refresh_from_db()
    assert change.state == S.ASSESSMENT and not change.approvals.exists()

    move(change, change_manager, S.AWAITING_APPROVAL, override_reason="Sikkerhetshull, kan ikke vente.")
    assert change.state == S.AWAITING_APPROVAL
    assert (change.override_reason, change.override_by) == ("Sikkerhetshull, kan ikke vente.", change_manager)
    assert (change.override_start, change.override_end) == (change.planned_start, change.planned_end)
    assert change.override_holds
    note = TicketEvent.objects.filter(ticket=change.ticket, data__override=True).get()
    assert (note.type, note.author, note.is_public) == (TicketEvent.Type.NOTE, change_manager, False)
    assert "Sikkerhetshull, kan ikke vente." in note.body and "Exam weeks" in note.body

    # The override holds for the window it was given for: the approval schedules the change.
    for approval in change.approvals.select_related("approver"):
        vote(change, approval.approver)
    assert change.state == S.SCHEDULED
    assert TicketEvent.objects.filter(ticket=change.ticket, data__override=True).count() == 1


def test_a_freeze_window_of_another_service_does_not_block(
    make_change, implementer, change_manager, operations, freeze
):
    freeze(ServiceFactory(code="utskrift", support_group=operations))
    change = assessed(make_change, implementer, change_manager)
    assert change_conflicts(change) == []
    move(change, change_manager, S.AWAITING_APPROVAL)


def test_a_freeze_window_blocks_scheduling_a_standard_change(
    template, implementer, change_manager, soon, freeze
):
    freeze()
    change = services.change_from_template(actor=implementer, template=template, planned_start=soon)
    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, implementer, S.SCHEDULED)
    assert set(caught.value.message_dict) == {"override_reason"}
    with pytest.raises(PermissionDenied):
        move(change, implementer, S.SCHEDULED, override_reason="Avtalt med skolene.")
    assert change.state == S.DRAFT
    move(change, change_manager, S.SCHEDULED, override_reason="Avtalt med skolene.")
    assert (change.state, change.override_by) == (S.SCHEDULED, change_manager)
    assert TicketEvent.objects.filter(ticket=change.ticket, data__override=True).count() == 1


def test_the_implementer_cannot_override_a_conflict(make_change, implementer, change_manager, freeze):
    freeze()
    change = make_change(kind="emergency")
    move(change, implementer, S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        move(change, implementer, S.AWAITING_APPROVAL, override_reason="Haster.")
    change.refresh_from_db()
    assert (change.state, change.override_reason) == (S.SUBMITTED, "")
    assert not TicketEvent.objects.filter(ticket=change.ticket, data__override=True).exists()


def test_the_override_lapses_when_the_planned_window_changes(
    make_change, implementer, change_manager, cab_members, freeze, soon
):
    freeze()
    change = assessed(make_change, implementer, change_manager)
    move(change, change_manager, S.AWAITING_APPROVAL, override_reason="Sikkerhetshull.")
    vote(change, change_manager, Decision.INFO, "Kan det gjøres en time senere?")
    assert change.state == S.ASSESSMENT

    # Still the same window: the override holds, and is not recorded again.
    services.change_update(change=change, actor=implementer, data={"reason": "Sikkerhetshull i firmware."})
    move(change, change_manager, S.AWAITING_APPROVAL)
    assert TicketEvent.objects.filter(ticket=change.ticket, data__override=True).count() == 1
    vote(change, change_manager, Decision.INFO, "En time senere, takk.")

    later = {"planned_start": soon + dt.timedelta(hours=1), "planned_end": soon + dt.timedelta(hours=3)}
    change = services.change_update(change=change, actor=implementer, data=later)
    assert not change.override_holds
    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, change_manager, S.AWAITING_APPROVAL)
    assert set(caught.value.message_dict) == {"override_reason"}
    move(change, change_manager, S.AWAITING_APPROVAL, override_reason="Fortsatt sikkerhetshull.")
    assert TicketEvent.objects.filter(ticket=change.ticket, data__override=True).count() == 2
    assert change.override_start == soon + dt.timedelta(hours=1)


# --- Editing the plan -------------------------------------------------------------------------------------


def test_editing_the_plan_records_what_changed_and_moves_the_windows(
    make_change, implementer, network, email_service, soon
):
    change = make_change()
    later = {
        "planned_start": soon + dt.timedelta(days=1),
        "planned_end": soon + dt.timedelta(days=1, hours=1),
    }
    change = services.change_update(
        change=change, actor=implementer, data={**later, "backout_plan": change.backout_plan}
    )
    assert (change.planned_start, change.planned_end) == (later["planned_start"], later["planned_end"])
    note = TicketEvent.objects.filter(ticket=change.ticket, type=TicketEvent.Type.NOTE).get()
    assert note.data["fields"] == ["planned_start", "planned_end"]
    assert note.body == "Plan updated: planned start, planned end."
    assert (note.author, note.is_public) == (implementer, False)
    window = MaintenanceWindow.objects.get(change=change)
    assert (window.planned_start, window.planned_end) == (later["planned_start"], later["planned_end"])

    change = services.change_update(
        change=change, actor=implementer, data={}, services=[network, email_service]
    )
    assert set(MaintenanceWindow.objects.filter(change=change).values_list("service", flat=True)) == {
        network.pk,
        email_service.pk,
    }
    change = services.change_update(change=change, actor=implementer, data={"causes_downtime": False})
    assert not MaintenanceWindow.objects.filter(change=change).exists()


def test_an_edit_that_changes_nothing_writes_nothing(make_change, implementer, network):
    change = make_change()
    before = TicketEvent.objects.count()
    services.change_update(
        change=change,
        actor=implementer,
        data={"reason": change.reason, "planned_start": change.planned_start},
        services=[network],
    )
    assert TicketEvent.objects.count() == before


def test_changed_risk_answers_are_assessed_again(make_change, implementer):
    change = make_change()
    change = services.change_update(change=change, actor=implementer, data={}, risk_answers=HIGH_RISK)
    assert (change.risk, change.risk_score, change.risk_answers) == (Risk.HIGH, 16, HIGH_RISK)
    note = TicketEvent.objects.filter(ticket=change.ticket, type=TicketEvent.Type.NOTE).get()
    assert note.data["fields"] == ["risk_answers", "risk_score", "risk"]
    with pytest.raises(ValidationError) as caught:
        services.change_update(change=change, actor=implementer, data={}, risk_answers={"users": "few"})
    assert "risk_tested" in caught.value.message_dict
    assert Change.objects.get(pk=change.pk).risk == Risk.HIGH


def test_an_edit_with_the_end_before_the_start_is_refused(make_change, implementer, soon):
    change = make_change()
    with pytest.raises(ValidationError) as caught:
        services.change_update(change=change, actor=implementer, data={"planned_end": soon})
    assert set(caught.value.message_dict) == {"planned_end"}
    assert Change.objects.get(pk=change.pk).planned_end == soon + dt.timedelta(hours=2)


def test_an_edit_of_a_field_that_is_not_part_of_the_plan_is_refused(make_change, implementer):
    change = make_change()
    with pytest.raises(ValidationError, match="Unknown fields: risk, state"):
        services.change_update(change=change, actor=implementer, data={"state": "scheduled", "risk": "low"})
    assert Change.objects.get(pk=change.pk).state == S.DRAFT


def test_someone_who_may_not_work_changes_edits_nothing(make_change, employee):
    change = make_change()
    with pytest.raises(PermissionDenied):
        services.change_update(change=change, actor=employee, data={"reason": "Fordi."})
    assert Change.objects.get(pk=change.pk).reason == ""


@pytest.mark.parametrize("state", [S.AWAITING_APPROVAL, S.SCHEDULED, S.IMPLEMENTING])
def test_the_plan_is_fixed_once_the_change_awaits_approval(
    make_change, implementer, change_manager, soon, state
):
    change = to_approval(make_change(answers=LOW_RISK), implementer, change_manager)
    if state != S.AWAITING_APPROVAL:
        vote(change, change_manager)
    if state == S.IMPLEMENTING:
        move(change, implementer, S.IMPLEMENTING)
    assert change.state == state
    with pytest.raises(ChangeTransitionNotAllowed, match="can no longer be edited"):
        services.change_update(
            change=change, actor=change_manager, data={"planned_start": soon - dt.timedelta(hours=1)}
        )
    assert Change.objects.get(pk=change.pk).planned_start == soon
    with pytest.raises(ChangeTransitionNotAllowed):
        services.maintenance_window_set(
            change=change, actor=change_manager, service=change.services.get(), start=soon, end=soon
        )


def test_a_maintenance_window_set_apart_by_hand_survives_other_edits(
    make_change, implementer, network, email_service, soon
):
    change = make_change(services_=[network, email_service])
    night = (soon + dt.timedelta(hours=1), soon + dt.timedelta(hours=4))
    window = services.maintenance_window_set(
        change=change, actor=implementer, service=network, start=night[0], end=night[1]
    )
    assert (window.planned_start, window.planned_end) == night
    assert MaintenanceWindow.objects.filter(change=change).count() == 2
    note = TicketEvent.objects.filter(ticket=change.ticket, body__startswith="Maintenance window of").get()
    assert "Network" in note.body

    services.change_update(change=change, actor=implementer, data={"reason": "Ny firmware."})
    window.refresh_from_db()
    assert (window.planned_start, window.planned_end) == night

    # Moving the change's window moves the windows that followed it, not the one set apart.
    later = soon + dt.timedelta(days=1)
    services.change_update(
        change=change,
        actor=implementer,
        data={"planned_start": later, "planned_end": later + dt.timedelta(hours=2)},
    )
    window.refresh_from_db()
    assert (window.planned_start, window.planned_end) == night
    email = MaintenanceWindow.objects.get(change=change, service=email_service)
    assert (email.planned_start, email.planned_end) == (later, later + dt.timedelta(hours=2))


def test_a_maintenance_window_is_set_only_for_an_affected_service_that_goes_down(
    make_change, implementer, email_service, soon
):
    change = make_change()
    end = soon + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        services.maintenance_window_set(
            change=change, actor=implementer, service=email_service, start=soon, end=end
        )
    assert set(caught.value.message_dict) == {"service"}
    with pytest.raises(ValidationError) as caught:
        services.maintenance_window_set(
            change=change, actor=implementer, service=change.services.get(), start=end, end=soon
        )
    assert set(caught.value.message_dict) == {"end"}
    quiet = make_change(causes_downtime=False)
    with pytest.raises(ValidationError) as caught:
        services.maintenance_window_set(
            change=quiet, actor=implementer, service=quiet.services.get(), start=soon, end=end
        )
    assert set(caught.value.message_dict) == {"causes_downtime"}


# --- The change's ticket on the ticket core ------------------------------------------------------------


def test_a_change_ticket_moves_only_through_the_change_process(make_change, implementer):
    change = make_change()
    for to, extra in [
        (Status.IN_PROGRESS, {}),
        (Status.CANCELLED, {"reason": "Feil sak."}),
        (Status.RESOLVED, {"resolution_code": "solved", "resolution_note": "Ferdig."}),
    ]:
        with pytest.raises(TransitionNotAllowed, match="its own lifecycle"):
            ticket_services.ticket_transition(
                ticket=change.ticket, actor=implementer, move=Move(to=to, **extra), version=None
            )
    assert in_step(change).status == Status.NEW


def test_the_closing_job_leaves_change_tickets_alone(make_change, implementer, employee, agent):
    long_ago = timezone.now() - dt.timedelta(days=30)
    change = make_change()
    ticket_services.ticket_transition(
        ticket=change.ticket,
        actor=implementer,
        move=Move(to=Status.RESOLVED, resolution_code="solved", resolution_note="Ferdig."),
        version=None,
        now=long_ago,
        process=True,
    )
    incident = make_ticket(employee, now=long_ago)
    ticket_services.ticket_transition(
        ticket=incident,
        actor=agent,
        move=Move(to=Status.RESOLVED, resolution_code="solved", resolution_note="Løst."),
        version=None,
        now=long_ago,
    )

    assert ticket_services.close_resolved() == 1
    assert Ticket.objects.get(pk=incident.pk).status == Status.CLOSED
    assert Ticket.objects.get(pk=change.ticket_id).status == Status.RESOLVED


def test_incidents_caused_by_a_change_are_found(make_change, implementer, employee):
    change = make_change()
    caused = make_ticket(employee, title="E-post er nede")
    related = make_ticket(employee, title="Treg e-post")
    ticket_services.ticket_link(
        source=caused, target=change.ticket, actor=implementer, type_=TicketLink.Type.CAUSED_BY
    )
    ticket_services.ticket_link(source=related, target=change.ticket, actor=implementer)
    other = make_change()
    elsewhere = make_ticket(employee, title="Utskrift virker ikke")
    ticket_services.ticket_link(
        source=elsewhere, target=other.ticket, actor=implementer, type_=TicketLink.Type.CAUSED_BY
    )
    assert list(services.caused_incidents(change)) == [caused]
    assert list(services.caused_incidents(other)) == [elsewhere]
    assert list(services.caused_incidents(make_change())) == []


# --- Found while testing ----------------------------------------------------------------------------------


def test_a_cab_too_small_for_its_quorum_is_named_before_the_round_starts(
    make_change, implementer, change_manager, cab_members
):
    """Under "all", a round the CAB cannot carry used to start, and the manager's approval rejected it."""
    ChangeType.objects.filter(kind="normal").update(cab_quorum=3)
    change = assessed(make_change, implementer, change_manager)
    with pytest.raises(ChangeTransitionNotAllowed, match="too few to reach its quorum of 3"):
        move(change, change_manager, S.AWAITING_APPROVAL)
    assert (change.state, change.approval_round) == (S.ASSESSMENT, 0)
    assert (
        not ChangeApproval.objects.exists()
        and not Notification.objects.filter(kind="change_approval").exists()
    )

    UserFactory(username="cab3", roles=["cab_member"])
    move(change, change_manager, S.AWAITING_APPROVAL)
    vote(change, change_manager)
    assert change.state == S.AWAITING_APPROVAL


def test_an_emergency_round_starts_with_a_small_cab_as_the_manager_alone_may_approve(
    make_change, implementer, change_manager, cab_members
):
    ChangeType.objects.filter(kind="emergency").update(cab_quorum=3)
    change = make_change(kind="emergency")
    move(change, implementer, S.SUBMITTED)
    move(change, implementer, S.AWAITING_APPROVAL)
    vote(change, change_manager)
    assert change.state == S.SCHEDULED


def test_an_implementation_must_end_after_it_started(
    make_change, implementer, change_manager, cab_members, soon
):
    """An end equal to the start used to break the maintenance window's constraint (a 500)."""
    change = scheduled(make_change, implementer, change_manager)
    move(change, implementer, S.IMPLEMENTING, actual_start=soon)
    for end in (soon, soon - dt.timedelta(minutes=1)):
        with pytest.raises(ChangeTransitionNotAllowed) as caught:
            move(change, implementer, S.REVIEW, actual_end=end)
        assert set(caught.value.message_dict) == {"actual_end"}
    assert change.state == S.IMPLEMENTING
    assert MaintenanceWindow.objects.get(change=change).actual_start is None


def test_an_approval_that_meets_a_new_conflict_waits_for_the_change_manager(
    make_change, implementer, change_manager, cab_members, freeze
):
    change = to_approval(make_change(answers=LOW_RISK), implementer, change_manager)
    freeze()  # announced while the change awaited its approval
    vote(change, change_manager)
    assert change.state == S.AWAITING_APPROVAL and change.approved_at is not None
    assert TicketEvent.objects.filter(
        ticket=change.ticket, body__startswith="Approved. It is scheduled"
    ).exists()
    in_step(change)

    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, implementer, S.SCHEDULED)
    assert set(caught.value.message_dict) == {"override_reason"}
    move(change, change_manager, S.SCHEDULED, override_reason="Avtalt med eksamenskontoret.")
    assert change.state == S.SCHEDULED


def test_re_planning_a_scheduled_change_lapses_its_approval(
    make_change, implementer, change_manager, cab_members
):
    change = scheduled(make_change, implementer, change_manager)
    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, implementer, S.ASSESSMENT)
    assert set(caught.value.message_dict) == {"reason"}
    move(change, implementer, S.ASSESSMENT, reason="Leverandøren er forsinket.")
    assert (change.state, change.approved_at) == (S.ASSESSMENT, None)
    in_step(change)
    with pytest.raises(ChangeTransitionNotAllowed):
        move(change, change_manager, S.SCHEDULED)
    move(change, change_manager, S.AWAITING_APPROVAL)
    assert change.approval_round == 2


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.ASSESSMENT, S.AWAITING_APPROVAL, S.SCHEDULED])
def test_a_change_is_cancelled_with_a_reason_until_it_is_implemented(
    make_change, implementer, change_manager, cab_members, state
):
    change = make_change(answers=LOW_RISK)
    path = [(implementer, S.SUBMITTED), (change_manager, S.ASSESSMENT), (change_manager, S.AWAITING_APPROVAL)]
    steps = {S.DRAFT: 0, S.SUBMITTED: 1, S.ASSESSMENT: 2, S.AWAITING_APPROVAL: 3, S.SCHEDULED: 3}
    for actor, to in path[: steps[state]]:
        move(change, actor, to)
    if state == S.SCHEDULED:
        vote(change, change_manager)
    assert change.state == state
    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        move(change, implementer, S.CANCELLED)
    assert set(caught.value.message_dict) == {"reason"}
    move(change, implementer, S.CANCELLED, reason="Behovet er borte.")
    assert change.state == S.CANCELLED
    ticket = in_step(change)
    assert ticket.status == Status.CANCELLED
    assert ticket.resolution_note == f"Change: {state.label} → Cancelled. Behovet er borte."


def test_an_outcome_given_with_another_move_is_ignored(make_change, implementer):
    """The outcome is checked only when closing; on another move it used to raise a ValueError (a 500)."""
    change = move(make_change(), implementer, S.SUBMITTED, outcome="great")
    assert (change.state, change.outcome) == (S.SUBMITTED, "")
    note = TicketEvent.objects.filter(ticket=change.ticket, type=TicketEvent.Type.NOTE).latest("pk")
    assert note.body == "Change: Draft → Submitted."


def test_the_outcome_is_on_the_timeline_when_the_change_closes(
    make_change, implementer, change_manager, cab_members, soon
):
    change = scheduled(make_change, implementer, change_manager)
    move(change, implementer, S.IMPLEMENTING, actual_start=soon)
    move(change, implementer, S.REVIEW, actual_end=soon + dt.timedelta(hours=1))
    move(change, implementer, S.CLOSED, outcome=Change.Outcome.BACKED_OUT, review_note="Rullet tilbake.")
    closing = TicketEvent.objects.filter(ticket=change.ticket, type=TicketEvent.Type.STATUS).latest("pk")
    resolving = TicketEvent.objects.get(ticket=change.ticket, data__to="resolved")
    assert closing.data["to"] == "closed"
    assert resolving.body == "Change: In review → Closed. Outcome: Backed out. Rullet tilbake."
    assert change.review_note == "Rullet tilbake." and change.reviewed_by == implementer


def test_sending_for_approval_costs_the_same_queries_however_large_the_cab(
    make_change, implementer, change_manager, cab_members, soon
):
    def send(start) -> tuple[int, int]:
        """Return (approvers invited, queries) of sending a fresh change for approval."""
        change = make_change(start=start)
        move(change, implementer, S.SUBMITTED)
        move(change, change_manager, S.ASSESSMENT)
        with CaptureQueriesContext(connection) as queries:
            services.change_move(change=change, actor=change_manager, move=ChangeMove(to=S.AWAITING_APPROVAL))
        return change.approvals.count(), len(queries)

    invited, small = send(soon)
    assert invited == 3
    for n in range(4):
        UserFactory(username=f"cab-extra-{n}", roles=["cab_member"])
    assert send(soon + dt.timedelta(days=1)) == (7, small)
