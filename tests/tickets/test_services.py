"""Writes to tickets through tickets.services: numbers, routing, priorities, the lifecycle and the timeline.

Every test checks the TicketEvent rows the change leaves, since the timeline is the audit trail."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import PriorityRule, SatisfactionRating
from incidents.priority import DEFAULT_MATRIX
from tests.factories import ServiceFactory, make_ticket, move_ticket, resolve_ticket
from tickets import services
from tickets.models import Category, Channel, PendingReason, Priority, Status, Ticket, TicketEvent
from tickets.transitions import Move, TransitionNotAllowed

OSLO = ZoneInfo("Europe/Oslo")
E = TicketEvent.Type


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def timeline(ticket) -> list[TicketEvent]:
    """The ticket's events in the order they were written."""
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("pk"))


def kinds(ticket) -> list[str]:
    return [event.type for event in timeline(ticket)]


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- Creating ---------------------------------------------------------------------------------------


def test_numbers_are_readable_sequential_and_per_kind_and_year(employee, agent):
    now = oslo(2026, 3, 2, 9, 0)
    first = make_ticket(employee, now=now)
    second = make_ticket(employee, now=now)
    request = make_ticket(employee, kind="request", now=now)
    third = make_ticket(employee, now=now)
    assert [first.number, second.number, third.number] == [
        "INC-2026-000001",
        "INC-2026-000002",
        "INC-2026-000003",
    ]
    assert request.number == "REQ-2026-000001"
    assert all(re.fullmatch(r"[A-Z]{3}-\d{4}-\d{6}", t.number) for t in (first, second, third, request))
    created = TicketEvent.objects.get(ticket=first)
    assert (created.type, created.author, created.created_at, created.is_public) == (
        E.CREATED,
        employee,
        now,
        True,
    )
    # The creation also carries the SLA terms the ticket was given (sla.services.clocks_sync).
    assert created.data == {"version": 1, "channel": "portal", "sla": created.data["sla"]}
    assert created.data["sla"]["targets"]["3"] == [
        4 * 3600,
        24 * 3600,
        created.data["sla"]["targets"]["3"][2],
    ]


def test_the_year_in_the_number_is_the_oslo_year(employee, agent):
    # 23:30 UTC on New Year's Eve is already 00:30 on 1 January in Oslo.
    ticket = make_ticket(employee, now=dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC))
    assert ticket.number == "INC-2026-000001"
    assert kinds(ticket) == [E.CREATED]


@pytest.mark.parametrize(("impact", "urgency"), sorted(DEFAULT_MATRIX))
def test_priority_comes_from_the_matrix(employee, agent, impact, urgency):
    ticket = make_ticket(employee, impact=impact, urgency=urgency)
    assert fresh(ticket).priority == DEFAULT_MATRIX[(impact, urgency)]
    assert fresh(ticket).priority_overridden is False
    assert kinds(ticket) == [E.CREATED]


def test_priority_follows_a_changed_matrix_cell(employee, agent):
    PriorityRule.objects.filter(impact=3, urgency=1).update(priority=Priority.P2)
    ticket = make_ticket(employee, impact=3, urgency=1)
    assert fresh(ticket).priority == Priority.P2
    assert kinds(ticket) == [E.CREATED]


def test_a_known_service_routes_to_its_group(employee, agent, service):
    ticket = make_ticket(employee, service=service)
    assert fresh(ticket).support_group == service.support_group
    assert not service.support_group.is_first_line
    assert kinds(ticket) == [E.CREATED]


def test_an_unknown_service_routes_to_the_first_line(employee, first_line):
    ticket = make_ticket(employee, service=None)
    assert fresh(ticket).support_group == first_line
    assert kinds(ticket) == [E.CREATED]


def test_a_phone_call_registered_by_an_agent_has_its_first_response(employee, agent):
    now = oslo(2026, 3, 2, 10, 15)
    phoned = make_ticket(employee, created_by=agent, channel=Channel.PHONE, now=now)
    portal = make_ticket(employee, channel=Channel.PORTAL, now=now)
    emailed = make_ticket(employee, created_by=agent, channel=Channel.EMAIL, now=now)
    assert fresh(phoned).first_response_at == now
    assert fresh(phoned).created_by == agent
    assert fresh(portal).first_response_at is None
    assert fresh(emailed).first_response_at is None  # an email is not a conversation
    event = TicketEvent.objects.get(ticket=phoned)
    assert (event.type, event.author, event.data["channel"]) == (E.CREATED, agent, "phone")


def test_an_employee_cannot_register_for_someone_else(employee, other_employee, agent):
    with pytest.raises(PermissionDenied):
        make_ticket(other_employee, created_by=employee)
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_description_is_rendered_once_as_safe_html(employee, agent):
    ticket = make_ticket(employee, description="Skjer **hver** morgen.")
    assert "<strong>hver</strong>" in fresh(ticket).description_html
    assert kinds(ticket) == [E.CREATED]


# --- Updating ---------------------------------------------------------------------------------------


def test_update_writes_one_event_per_field_with_from_and_to(employee, agent, network_group):
    ticket = make_ticket(employee)
    now = oslo(2026, 3, 2, 11, 0)
    updated = services.ticket_update(
        ticket=ticket,
        actor=agent,
        version=ticket.version,
        changes={"title": "Skriver på 2. etasje", "support_group": network_group, "category": "printing"},
        now=now,
    )
    assert updated.version == 2
    stored = fresh(ticket)
    assert (stored.title, stored.support_group, stored.category) == (
        "Skriver på 2. etasje",
        network_group,
        "printing",
    )
    assert stored.reassignment_count == 1
    assert stored.updated_at == now
    changes = {e.data["field"]: e for e in timeline(ticket) if e.type != E.CREATED}
    assert set(changes) == {"title", "support_group", "category"}
    assert changes["title"].data["from"] == "Utskrift virker ikke"
    assert changes["title"].data["to"] == "Skriver på 2. etasje"
    assert changes["title"].type == E.FIELD
    assert changes["support_group"].type == E.ASSIGNMENT
    assert changes["support_group"].data["to"] == str(network_group)
    assert changes["category"].data["to"] == str(Category.PRINTING.label)
    for event in changes.values():
        # Written with the change: same instant, same version, by the same person, kept internal.
        assert (event.created_at, event.data["version"], event.author) == (now, 2, agent)
        assert event.is_public is False


def test_assigning_a_new_ticket_makes_it_assigned(employee, agent):
    ticket = make_ticket(employee)
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": agent})
    stored = fresh(ticket)
    assert (stored.assignee, stored.status) == (agent, Status.ASSIGNED)
    by_field = {e.data["field"]: e for e in timeline(ticket) if e.type != E.CREATED}
    assert by_field["assignee"].type == E.ASSIGNMENT
    assert by_field["assignee"].data["to"] == str(agent)
    assert by_field["status"].data["from"] == str(Status.NEW.label)
    assert by_field["status"].data["to"] == str(Status.ASSIGNED.label)
    assert by_field["status"].is_public is True


def test_tickets_are_assigned_to_agents_only(employee, other_employee, agent):
    ticket = make_ticket(employee)
    with pytest.raises(ValidationError) as caught:
        services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": other_employee})
    assert "assignee" in caught.value.message_dict
    assert fresh(ticket).assignee is None
    assert fresh(ticket).version == 1
    assert kinds(ticket) == [E.CREATED]


def test_employees_cannot_edit_fields(employee, agent):
    ticket = make_ticket(employee)
    with pytest.raises(PermissionDenied):
        services.ticket_update(ticket=ticket, actor=employee, version=1, changes={"title": "Haster!"})
    assert fresh(ticket).title == "Utskrift virker ikke"
    assert kinds(ticket) == [E.CREATED]


def test_no_change_writes_nothing(employee, agent):
    ticket = make_ticket(employee)
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"title": ticket.title})
    assert fresh(ticket).version == 1
    assert kinds(ticket) == [E.CREATED]


def test_impact_and_urgency_recompute_the_priority(employee, agent):
    ticket = make_ticket(employee, impact=3, urgency=2)
    assert ticket.priority == Priority.P4
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"impact": 1, "urgency": 1})
    assert fresh(ticket).priority == Priority.P1
    assert fresh(ticket).priority_overridden is False
    priority_event = next(e for e in timeline(ticket) if e.data.get("field") == "priority")
    assert priority_event.data["from"] == str(Priority.P4.label)
    assert priority_event.data["to"] == str(Priority.P1.label)


def test_a_priority_set_by_hand_needs_a_reason_and_then_sticks(employee, agent):
    ticket = make_ticket(employee, impact=3, urgency=2)
    with pytest.raises(ValidationError) as caught:
        services.ticket_update(
            ticket=ticket, actor=agent, version=1, changes={"title": "Rektor", "priority": 1}, reason=" "
        )
    assert set(caught.value.message_dict) == {"priority_reason"}
    # Nothing of the refused call was saved, not even the title that came with it.
    assert (fresh(ticket).priority, fresh(ticket).title, fresh(ticket).version) == (4, ticket.title, 1)
    assert kinds(ticket) == [E.CREATED]

    services.ticket_update(
        ticket=ticket, actor=agent, version=1, changes={"priority": 1}, reason="Rektor skal holde tale."
    )
    stored = fresh(ticket)
    assert (stored.priority, stored.priority_overridden) == (Priority.P1, True)
    event = timeline(ticket)[-1]
    assert (event.type, event.data["field"], event.body) == (E.FIELD, "priority", "Rektor skal holde tale.")
    assert "Rektor skal holde tale." in event.body_html

    # A later change of impact does not undo the hand-set priority.
    services.ticket_update(ticket=ticket, actor=agent, version=2, changes={"impact": 2})
    assert fresh(ticket).priority == Priority.P1
    assert [e.data.get("field") for e in timeline(ticket)] == [None, "priority", "impact"]


# --- Status changes ---------------------------------------------------------------------------------


def test_requester_reply_puts_a_ticket_waiting_for_them_back_in_progress(employee, agent):
    ticket = make_ticket(employee)
    move_ticket(ticket, agent, Status.PENDING, pending_reason=PendingReason.REQUESTER)
    assert fresh(ticket).status == Status.PENDING
    assert fresh(ticket).pending_reason == PendingReason.REQUESTER

    reply = services.ticket_comment(ticket=ticket, actor=employee, body="Den står på kontor 214.")
    stored = fresh(ticket)
    assert (stored.status, stored.pending_reason) == (Status.IN_PROGRESS, "")
    events = timeline(ticket)
    assert [e.type for e in events] == [E.CREATED, E.STATUS, E.REPLY, E.STATUS]
    assert events[1].data["to"] == Status.PENDING
    assert events[1].data["pending_reason"] == PendingReason.REQUESTER
    assert events[2] == reply
    assert (reply.author, reply.is_public, reply.body) == (employee, True, "Den står på kontor 214.")
    assert (events[3].data["from"], events[3].data["to"]) == (Status.PENDING, Status.IN_PROGRESS)
    assert events[3].data["version"] == stored.version


def test_replies_do_not_resume_a_ticket_waiting_for_a_supplier(employee, agent):
    ticket = make_ticket(employee)
    move_ticket(ticket, agent, Status.PENDING, pending_reason=PendingReason.SUPPLIER)
    services.ticket_comment(ticket=ticket, actor=employee, body="Noe nytt?")
    services.ticket_comment(ticket=ticket, actor=agent, body="Venter på leverandøren.")
    assert fresh(ticket).status == Status.PENDING
    assert kinds(ticket) == [E.CREATED, E.STATUS, E.REPLY, E.REPLY]


def test_an_agents_first_public_reply_is_the_first_response(employee, agent):
    ticket = make_ticket(employee)
    note_time, reply_time = oslo(2026, 3, 2, 9, 5), oslo(2026, 3, 2, 9, 30)
    services.ticket_comment(ticket=ticket, actor=agent, body="Sjekk skriveren.", public=False, now=note_time)
    assert fresh(ticket).first_response_at is None
    services.ticket_comment(ticket=ticket, actor=agent, body="Vi ser på det.", now=reply_time)
    services.ticket_comment(ticket=ticket, actor=agent, body="Fortsatt i gang.", now=oslo(2026, 3, 2, 10))
    assert fresh(ticket).first_response_at == reply_time
    events = timeline(ticket)
    assert [(e.type, e.is_public) for e in events] == [
        (E.CREATED, True),
        (E.NOTE, False),
        (E.REPLY, True),
        (E.REPLY, True),
    ]


def test_employees_cannot_write_internal_notes_or_comment_on_others_tickets(employee, other_employee, agent):
    ticket = make_ticket(employee)
    with pytest.raises(PermissionDenied):
        services.ticket_comment(ticket=ticket, actor=employee, body="psst", public=False)
    with pytest.raises(PermissionDenied):
        services.ticket_comment(ticket=ticket, actor=other_employee, body="Meg også")
    with pytest.raises(ValidationError):
        services.ticket_comment(ticket=ticket, actor=employee, body="   ")
    assert kinds(ticket) == [E.CREATED]


def test_resolving_needs_a_code_and_a_note(employee, agent):
    ticket = make_ticket(employee)
    with pytest.raises(TransitionNotAllowed) as caught:
        move_ticket(ticket, agent, Status.RESOLVED, resolution_code="solved")
    assert set(caught.value.message_dict) == {"resolution_note"}
    assert fresh(ticket).status == Status.NEW
    assert kinds(ticket) == [E.CREATED]

    now = oslo(2026, 3, 2, 14, 0)
    services.ticket_transition(
        ticket=ticket,
        actor=agent,
        version=1,
        now=now,
        move=Move(to=Status.RESOLVED, resolution_code="workaround", resolution_note="Bruk skriveren i 3."),
    )
    stored = fresh(ticket)
    assert (stored.status, stored.resolution_code, stored.resolved_at) == (Status.RESOLVED, "workaround", now)
    assert stored.resolution_note == "Bruk skriveren i 3."
    assert stored.first_response_at == now
    event = timeline(ticket)[-1]
    assert (event.type, event.is_public, event.body) == (E.STATUS, True, "Bruk skriveren i 3.")
    assert event.data == {
        "from": Status.NEW,
        "to": Status.RESOLVED,
        "pending_reason": "",
        "resolution_code": "workaround",
        "version": 2,
    }


def test_requester_reopens_with_a_reason(employee, other_employee, agent):
    ticket = resolve_ticket(make_ticket(employee), agent)
    with pytest.raises(TransitionNotAllowed) as caught:
        move_ticket(ticket, employee, Status.IN_PROGRESS, reason="")
    assert set(caught.value.message_dict) == {"reason"}
    with pytest.raises(PermissionDenied):
        move_ticket(ticket, other_employee, Status.IN_PROGRESS, reason="Jeg vil også")
    assert fresh(ticket).reopen_count == 0

    move_ticket(ticket, employee, Status.IN_PROGRESS, reason="Skriveren stopper fortsatt.")
    stored = fresh(ticket)
    assert (stored.status, stored.reopen_count) == (Status.IN_PROGRESS, 1)
    event = timeline(ticket)[-1]
    assert (event.type, event.author, event.body) == (E.STATUS, employee, "Skriveren stopper fortsatt.")
    assert (event.data["from"], event.data["to"]) == (Status.RESOLVED, Status.IN_PROGRESS)
    assert kinds(ticket) == [E.CREATED, E.STATUS, E.STATUS]


def test_an_employee_may_not_move_their_ticket_otherwise(employee, agent):
    ticket = make_ticket(employee)
    with pytest.raises(PermissionDenied):
        move_ticket(ticket, employee, Status.RESOLVED, resolution_code="solved", resolution_note="Ordnet")
    assert kinds(ticket) == [E.CREATED]


def test_requester_confirming_closes(employee, agent):
    ticket = resolve_ticket(make_ticket(employee), agent)
    now = oslo(2026, 3, 3, 8, 0)
    services.ticket_transition(
        ticket=ticket, actor=employee, move=Move(to=Status.CLOSED), version=None, now=now
    )
    stored = fresh(ticket)
    assert (stored.status, stored.closed_at) == (Status.CLOSED, now)
    event = timeline(ticket)[-1]
    assert (event.type, event.author, event.data["from"], event.data["to"]) == (
        E.STATUS,
        employee,
        Status.RESOLVED,
        Status.CLOSED,
    )
    with pytest.raises(TransitionNotAllowed):
        services.ticket_comment(ticket=stored, actor=employee, body="Takk!")
    assert kinds(ticket) == [E.CREATED, E.STATUS, E.STATUS]


def test_requester_withdraws_an_open_ticket(employee, agent):
    ticket = make_ticket(employee)
    move_ticket(ticket, employee, Status.CANCELLED, reason="Det løste seg selv.")
    stored = fresh(ticket)
    assert (stored.status, stored.resolution_code, stored.resolution_note) == (
        Status.CANCELLED,
        "cancelled",
        "Det løste seg selv.",
    )
    assert timeline(ticket)[-1].body == "Det løste seg selv."


def test_reopening_a_closed_ticket_creates_a_linked_follow_up(employee, agent, service):
    original = resolve_ticket(make_ticket(employee, service=service), agent)
    original = move_ticket(original, employee, Status.CLOSED)
    with pytest.raises(ValidationError):
        services.ticket_reopen_closed(ticket=original, actor=employee, reason="  ")

    follow_up = services.ticket_reopen_closed(ticket=original, actor=employee, reason="Feilen er tilbake.")
    stored = fresh(follow_up)
    assert stored.pk != original.pk
    assert stored.reopened_from == original
    assert list(original.follow_ups.all()) == [stored]
    assert (stored.status, stored.requester, stored.service, stored.title) == (
        Status.NEW,
        employee,
        service,
        original.title,
    )
    assert original.number in stored.description and "Feilen er tilbake." in stored.description
    assert fresh(original).status == Status.CLOSED
    assert fresh(original).reopen_count == 0
    assert kinds(stored) == [E.CREATED]
    assert kinds(original) == [E.CREATED, E.STATUS, E.STATUS]


def test_only_closed_tickets_get_a_follow_up(employee, agent):
    ticket = resolve_ticket(make_ticket(employee), agent)
    with pytest.raises(TransitionNotAllowed):
        services.ticket_reopen_closed(ticket=ticket, actor=employee, reason="Igjen")
    assert Ticket.objects.count() == 1


# --- Merging and major incidents --------------------------------------------------------------------


def test_merge_closes_the_duplicate_into_the_master(employee, other_employee, agent):
    master = make_ticket(employee, title="Nettet er nede")
    duplicate = make_ticket(other_employee, title="Ingen nett")
    now = oslo(2026, 3, 2, 12, 0)
    services.ticket_merge(duplicate=duplicate, master=master, actor=agent, now=now)
    stored = fresh(duplicate)
    assert (stored.status, stored.duplicate_of, stored.resolution_code) == (
        Status.CLOSED,
        master,
        "duplicate",
    )
    assert stored.resolved_at == stored.closed_at == now
    assert list(master.duplicates.all()) == [stored]
    assert fresh(master).status == Status.NEW

    merged = timeline(duplicate)[-1]
    assert (merged.type, merged.is_public, merged.data["merged_into"]) == (E.STATUS, True, master.number)
    assert master.number in merged.body
    link = timeline(master)[-1]
    assert (link.type, link.is_public, link.data["link"], link.data["other"]) == (
        E.LINK,
        False,
        "duplicate",
        duplicate.number,
    )


def test_merge_is_refused_into_itself_a_closed_master_or_from_a_closed_ticket(employee, agent):
    master = make_ticket(employee)
    other = make_ticket(employee)
    with pytest.raises(ValidationError):
        services.ticket_merge(duplicate=master, master=master, actor=agent)
    closed = move_ticket(resolve_ticket(make_ticket(employee), agent), employee, Status.CLOSED)
    with pytest.raises(ValidationError):
        services.ticket_merge(duplicate=other, master=closed, actor=agent)
    with pytest.raises(TransitionNotAllowed):
        services.ticket_merge(duplicate=closed, master=master, actor=agent)
    with pytest.raises(PermissionDenied):
        services.ticket_merge(duplicate=other, master=master, actor=employee)
    assert fresh(other).status == Status.NEW
    assert kinds(master) == [E.CREATED]
    assert kinds(other) == [E.CREATED]


def test_children_of_a_major_incident_are_resolved_with_it(employee, other_employee, agent):
    parent = make_ticket(employee, title="Storfeil: e-post", impact=1, urgency=1)
    open_child = make_ticket(other_employee, title="E-post virker ikke")
    waiting_child = make_ticket(employee, title="Får ikke sendt")
    done_child = make_ticket(other_employee, title="Outlook henger")
    for child in (open_child, waiting_child, done_child):
        services.ticket_set_parent(child=child, parent=parent, actor=agent)
    move_ticket(waiting_child, agent, Status.PENDING, pending_reason=PendingReason.SUPPLIER)
    resolve_ticket(done_child, agent, code="workaround", note="Bruk webmail.")
    assert [e.data.get("other") for e in timeline(open_child) if e.type == E.LINK] == [parent.number]

    parent = resolve_ticket(parent, agent, code="solved", note="E-posttjeneren er startet på nytt.")
    resolved = services.resolve_children(parent=parent, actor=agent)
    assert {t.pk for t in resolved} == {open_child.pk, waiting_child.pk}
    for child in (open_child, waiting_child):
        stored = fresh(child)
        assert (stored.status, stored.resolution_code, stored.resolution_note) == (
            Status.RESOLVED,
            "solved",
            "E-posttjeneren er startet på nytt.",
        )
        assert timeline(child)[-1].data["to"] == Status.RESOLVED
        assert timeline(child)[-1].body == "E-posttjeneren er startet på nytt."
    assert fresh(done_child).resolution_code == "workaround"
    assert kinds(done_child) == [E.CREATED, E.LINK, E.STATUS]


def test_resolving_with_children_resolves_them_in_the_same_call(employee, other_employee, agent):
    parent = make_ticket(employee, title="Storfeil: nettverk", impact=1, urgency=1)
    child = make_ticket(other_employee, title="Ingen nett på skolen")
    services.ticket_set_parent(child=child, parent=parent, actor=agent)
    services.ticket_transition(
        ticket=parent,
        actor=agent,
        version=None,
        with_children=True,
        move=Move(to=Status.RESOLVED, resolution_code="solved", resolution_note="Svitsjen er byttet."),
    )
    assert (fresh(child).status, fresh(child).resolution_note) == (Status.RESOLVED, "Svitsjen er byttet.")
    # Without the flag the children are left alone.
    other = make_ticket(employee, title="Storfeil: skriver", impact=1, urgency=1)
    kid = make_ticket(other_employee, title="Skriver 3. etg")
    services.ticket_set_parent(child=kid, parent=other, actor=agent)
    resolve_ticket(other, agent)
    assert fresh(kid).status == Status.NEW


def test_a_ticket_cannot_be_its_own_parent(employee, agent):
    ticket = make_ticket(employee)
    with pytest.raises(ValidationError):
        services.ticket_set_parent(child=ticket, parent=ticket, actor=agent)
    assert kinds(ticket) == [E.CREATED]


# --- Rating -----------------------------------------------------------------------------------------


def test_requester_rates_once_from_one_to_five(employee, other_employee, agent):
    ticket = make_ticket(employee)
    with pytest.raises(TransitionNotAllowed):
        services.ticket_rate(ticket=ticket, actor=employee, score=5)
    ticket = resolve_ticket(ticket, agent)
    for score in (0, 6, -1):
        with pytest.raises(ValidationError):
            services.ticket_rate(ticket=ticket, actor=employee, score=score)
    with pytest.raises(PermissionDenied):
        services.ticket_rate(ticket=ticket, actor=other_employee, score=5)
    assert SatisfactionRating.objects.count() == 0
    before = kinds(ticket)

    rating = services.ticket_rate(ticket=ticket, actor=employee, score=4, comment="Rask hjelp.")
    assert (rating.score, rating.comment, rating.ticket) == (4, "Rask hjelp.", ticket)
    with pytest.raises(ValidationError):
        services.ticket_rate(ticket=ticket, actor=employee, score=1)
    assert SatisfactionRating.objects.get(ticket=ticket).score == 4
    event = timeline(ticket)[-1]
    assert (event.type, event.author, event.data["score"], event.body) == (
        E.RATING,
        employee,
        4,
        "Rask hjelp.",
    )
    assert kinds(ticket) == [*before, E.RATING]


@pytest.mark.parametrize("score", [1, 5])
def test_both_ends_of_the_scale_are_accepted(employee, agent, score):
    ticket = resolve_ticket(make_ticket(employee), agent)
    services.ticket_rate(ticket=ticket, actor=employee, score=score)
    assert timeline(ticket)[-1].data["score"] == score


# --- First-contact resolution -----------------------------------------------------------------------


def test_a_phone_call_solved_by_the_first_line_counts_as_first_contact(employee, agent):
    ticket = make_ticket(employee, created_by=agent, channel=Channel.PHONE)
    resolve_ticket(ticket, agent, code="guidance", note="Viste hvordan man bytter standardskriver.")
    assert fresh(ticket).first_contact_resolution is True
    assert kinds(ticket) == [E.CREATED, E.STATUS]


def test_a_portal_ticket_is_not_first_contact(employee, agent):
    ticket = resolve_ticket(make_ticket(employee), agent)
    assert fresh(ticket).first_contact_resolution is False


def test_a_reassigned_call_is_not_first_contact(employee, agent, network_group):
    ticket = make_ticket(employee, created_by=agent, channel=Channel.PHONE)
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"support_group": network_group})
    resolve_ticket(ticket, agent)
    assert fresh(ticket).first_contact_resolution is False
    assert kinds(ticket) == [E.CREATED, E.ASSIGNMENT, E.STATUS]


def test_a_reopened_call_loses_first_contact(employee, agent):
    ticket = resolve_ticket(make_ticket(employee, created_by=agent, channel=Channel.PHONE), agent)
    assert fresh(ticket).first_contact_resolution is True
    move_ticket(ticket, employee, Status.IN_PROGRESS, reason="Nei, fortsatt feil.")
    assert fresh(ticket).first_contact_resolution is False
    resolve_ticket(ticket, agent)
    assert fresh(ticket).first_contact_resolution is False
    assert kinds(ticket) == [E.CREATED, E.STATUS, E.STATUS, E.STATUS]


# --- The closing job --------------------------------------------------------------------------------


def _resolved_at(requester, agent, when):
    ticket = make_ticket(requester, now=when - dt.timedelta(hours=1))
    return services.ticket_transition(
        ticket=ticket,
        actor=agent,
        version=None,
        now=when,
        move=Move(to=Status.RESOLVED, resolution_code="solved", resolution_note="Ordnet."),
    )


def test_resolved_tickets_close_after_five_business_days(employee, agent):
    ticket = _resolved_at(employee, agent, oslo(2025, 3, 3, 10, 0))  # a Monday
    assert services.close_resolved(now=oslo(2025, 3, 10, 9, 59)) == 0
    assert fresh(ticket).status == Status.RESOLVED

    now = oslo(2025, 3, 10, 10, 0)  # the next Monday, five business days on
    assert services.close_resolved(now=now) == 1
    stored = fresh(ticket)
    assert (stored.status, stored.closed_at) == (Status.CLOSED, now)
    event = timeline(ticket)[-1]
    assert (event.type, event.author, event.created_at) == (E.STATUS, None, now)
    assert (event.data["from"], event.data["to"]) == (Status.RESOLVED, Status.CLOSED)
    assert services.close_resolved(now=now + dt.timedelta(days=1)) == 0
    assert kinds(ticket) == [E.CREATED, E.STATUS, E.STATUS]


def test_public_holidays_are_not_business_days(employee, agent):
    # Resolved the Wednesday before Easter 2025: Thursday, Friday and Monday are holidays in Norway.
    ticket = _resolved_at(employee, agent, oslo(2025, 4, 16, 12, 0))
    assert services.close_resolved(now=oslo(2025, 4, 25, 12, 0)) == 0  # only four business days
    assert fresh(ticket).status == Status.RESOLVED
    assert services.close_resolved(now=oslo(2025, 4, 28, 12, 0)) == 1
    assert fresh(ticket).status == Status.CLOSED
    assert kinds(ticket)[-1] == E.STATUS


def test_the_closing_job_leaves_open_and_reopened_tickets_alone(employee, agent):
    resolved_then_reopened = _resolved_at(employee, agent, oslo(2025, 3, 3, 10, 0))
    move_ticket(resolved_then_reopened, employee, Status.IN_PROGRESS, reason="Igjen")
    still_open = make_ticket(employee, now=oslo(2025, 3, 3, 9, 0))
    assert services.close_resolved(now=oslo(2025, 3, 20, 10, 0)) == 0
    assert fresh(resolved_then_reopened).status == Status.IN_PROGRESS
    assert fresh(still_open).status == Status.NEW
    assert kinds(still_open) == [E.CREATED]


# --- Links ------------------------------------------------------------------------------------------


def test_linking_writes_an_internal_event_on_both_tickets_once(employee, agent):
    first, second = make_ticket(employee), make_ticket(employee)
    services.ticket_link(source=first, target=second, actor=agent)
    services.ticket_link(source=first, target=second, actor=agent)  # again: nothing new
    for ticket, other in ((first, second), (second, first)):
        links = [e for e in timeline(ticket) if e.type == E.LINK]
        assert [(e.data["other"], e.is_public) for e in links] == [(other.number, False)]


def test_ticket_create_refuses_an_invalid_impact(employee, agent):
    with pytest.raises(ValidationError) as caught:
        make_ticket(employee, impact=7, urgency=2)
    assert set(caught.value.message_dict) == {"impact"}
    ticket = make_ticket(employee)
    with pytest.raises(ValidationError) as caught:
        services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"urgency": 0})
    assert set(caught.value.message_dict) == {"urgency"}
    assert fresh(ticket).urgency == 2
    assert kinds(ticket) == [E.CREATED]


def test_services_are_routed_even_when_created_by_an_agent(employee, agent):
    svc = ServiceFactory(code="skriver")
    ticket = make_ticket(employee, created_by=agent, channel=Channel.WALK_IN, service=svc)
    assert fresh(ticket).support_group == svc.support_group
    assert fresh(ticket).first_response_at is not None
    assert kinds(ticket) == [E.CREATED]


def test_unassigning_an_assigned_ticket_puts_it_back_to_new(employee, agent, network_group):
    # "Assigned" means someone has it (the lifecycle refuses the move without an assignee), so
    # escalating to another group, which clears the assignee, cannot leave it "assigned" to nobody.
    ticket = make_ticket(employee)
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": agent})
    assert fresh(ticket).status == Status.ASSIGNED
    services.ticket_update(
        ticket=ticket, actor=agent, version=2, changes={"support_group": network_group, "assignee": None}
    )
    stored = fresh(ticket)
    assert (stored.status, stored.assignee, stored.support_group) == (Status.NEW, None, network_group)
    last = {e.data["field"]: e for e in timeline(ticket)[-3:]}
    assert set(last) == {"support_group", "assignee", "status"}
    assert (last["status"].data["from"], last["status"].data["to"]) == (
        str(Status.ASSIGNED.label),
        str(Status.NEW.label),
    )
    assert last["assignee"].data == {"field": "assignee", "from": str(agent), "to": "", "version": 3}
