"""The change pages: who may see them, the request-for-change form, moves and votes through the views,
standard changes from templates, and fixed query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from changes import services
from changes.models import Change, ChangeApproval, FreezeWindow, StandardChangeTemplate
from changes.transitions import ChangeMove
from tests.changes.conftest import LOW_RISK, MEDIUM_RISK
from tests.factories import ServiceFactory, UserFactory
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
State = Change.State


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _form_data(network, operations, owner, start, **overrides) -> dict:
    data = {
        "kind": "normal",
        "title": "Oppgrader brannmur",
        "description": "Ny fastvare på brannmuren.",
        "reason": "Sikkerhetsoppdatering.",
        "services": [str(network.pk)],
        "support_group": str(operations.pk),
        "owner": str(owner.pk),
        "impact": "2",
        "planned_start": _local(start),
        "planned_end": _local(start + dt.timedelta(hours=2)),
        "causes_downtime": "on",
        "implementation_plan": "Oppgrader.",
        "backout_plan": "Rull tilbake.",
        "test_plan": "",
        **{f"risk_{code}": value for code, value in MEDIUM_RISK.items()},
    }
    data.update(overrides)
    return data


@pytest.fixture
def employee(db):
    return UserFactory(username="ansatt")


def _to_scheduled(change, implementer, change_manager, cab_members):
    change = services.change_move(change=change, actor=implementer, move=ChangeMove(to=State.SUBMITTED))
    change = services.change_move(change=change, actor=change_manager, move=ChangeMove(to=State.ASSESSMENT))
    change = services.change_move(
        change=change, actor=change_manager, move=ChangeMove(to=State.AWAITING_APPROVAL)
    )
    for voter in (change_manager, *cab_members):
        services.approval_decide(change=change, actor=voter, decision="approved")
    change.refresh_from_db()
    return change


# --- Who sees what ---------------------------------------------------------------------------------


def test_an_employee_reaches_no_change_page(client, employee, make_change):
    change = make_change()
    client.force_login(employee)
    assert client.get(reverse("changes:change_list")).status_code == 403
    assert client.get(reverse("changes:change_new")).status_code == 403
    assert client.get(reverse("changes:cab")).status_code == 403
    assert client.get(reverse("changes:standard_catalogue")).status_code == 403
    # Someone else's change, by its URL: not found, as if it did not exist.
    assert client.get(change.get_absolute_url()).status_code == 404
    number = change.ticket.number
    assert client.post(reverse("changes:change_move", args=[number]), {"to": "submitted"}).status_code == 404
    assert (
        client.post(reverse("changes:change_vote", args=[number]), {"decision": "approved"}).status_code
        == 404
    )
    # Nor through the ticket page.
    assert client.get(reverse("tickets:ticket_detail", args=[number])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, make_change):
    response = client.get(reverse("changes:change_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_cab_member_sees_changes_and_the_cab_but_cannot_raise_them(client, cab_members, make_change):
    change = make_change()
    client.force_login(cab_members[0])
    assert client.get(change.get_absolute_url()).status_code == 200
    assert client.get(reverse("changes:cab")).status_code == 200
    assert client.get(reverse("changes:change_new")).status_code == 403


def test_the_ticket_page_of_a_change_leads_to_the_change_page(client, implementer, make_change):
    change = make_change()
    client.force_login(implementer)
    response = client.get(reverse("tickets:ticket_detail", args=[change.ticket.number]))
    assert response.status_code == 302
    assert response["Location"] == change.get_absolute_url()


# --- The form ----------------------------------------------------------------------------------------


def test_raising_a_change_through_the_form(client, implementer, network, operations, soon):
    client.force_login(implementer)
    response = client.post(reverse("changes:change_new"), _form_data(network, operations, implementer, soon))
    change = Change.objects.get()
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    assert change.state == State.DRAFT
    assert (change.risk, change.risk_score) == ("medium", 4)
    assert change.planned_start == soon
    assert [w.service_id for w in change.maintenance_windows.all()] == [network.pk]
    assert change.ticket.title == "Oppgrader brannmur"
    page = client.get(change.get_absolute_url())
    assert page.status_code == 200
    assert b'id="risk-table"' in page.content


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"planned_end": "__before__"}, "planned_end"),
        ({"risk_tested": ""}, "risk_tested"),
        ({"risk_tested": "maybe"}, "risk_tested"),
        ({"services": []}, "services"),
        ({"services": ["999999"]}, "services"),
        ({"title": ""}, "title"),
        ({"kind": "standard"}, "kind"),
        ({"planned_start": "i morgen"}, "planned_start"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(
    client, implementer, network, operations, soon, overrides, field
):
    client.force_login(implementer)
    if overrides.get("planned_end") == "__before__":
        overrides = {"planned_end": _local(soon - dt.timedelta(hours=1))}
    data = _form_data(network, operations, implementer, soon, **overrides)
    response = client.post(reverse("changes:change_new"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Change.objects.exists() and not Ticket.objects.exists()


def test_a_retired_service_cannot_be_chosen(client, implementer, operations, soon):
    retired = ServiceFactory(code="gammel", state="retired", support_group=operations)
    client.force_login(implementer)
    response = client.post(reverse("changes:change_new"), _form_data(retired, operations, implementer, soon))
    assert response.status_code == 400 and "services" in response.context["form"].errors


def test_the_preview_shows_the_risk_and_the_conflicts(client, implementer, network, operations, soon):
    FreezeWindow.objects.create(
        name_nb="Eksamen", name_en="Exams", start=soon - dt.timedelta(days=1), end=soon + dt.timedelta(days=1)
    )
    client.force_login(implementer)
    response = client.post(
        reverse("changes:conflict_check"),
        _form_data(network, operations, implementer, soon),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="risk-preview"' in html and "(score 4)" in html
    assert "Freeze window “Exams”" in html


def test_editing_the_plan_records_it_and_refuses_once_committed(
    client, implementer, make_change, network, operations, soon, change_manager, cab_members
):
    change = make_change()
    client.force_login(implementer)
    later = soon + dt.timedelta(days=1)
    data = _form_data(
        network, operations, implementer, later, title="Ny tittel", version=change.ticket.version
    )
    data.pop("kind")
    response = client.post(reverse("changes:change_edit", args=[change.ticket.number]), data)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.planned_start == later and change.ticket.title == "Ny tittel"
    assert change.maintenance_windows.get().planned_start == later
    assert TicketEvent.objects.filter(
        ticket=change.ticket, type="note", body__contains="Plan updated"
    ).exists()
    _to_scheduled(change, implementer, change_manager, cab_members)
    response = client.get(reverse("changes:change_edit", args=[change.ticket.number]))
    assert response.status_code == 302  # back to the change page, with a message
    response = client.post(reverse("changes:change_edit", args=[change.ticket.number]), data)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.ticket.title == "Ny tittel" and change.state == State.SCHEDULED


# --- Moves and votes -------------------------------------------------------------------------------


def _move(client, change, to, **fields):
    data = {"to": to, **{f"move-{to}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("changes:change_move", args=[change.ticket.number]), data)


def test_moves_through_the_view(client, implementer, change_manager, make_change):
    change = make_change(answers=LOW_RISK)
    client.force_login(implementer)
    assert _move(client, change, "submitted").status_code == 302
    # Assessing is the change manager's.
    response = _move(client, change, "assessment")
    assert response.status_code == 403
    client.force_login(change_manager)
    assert _move(client, change, "assessment").status_code == 302
    assert _move(client, change, "awaiting_approval").status_code == 302
    change.refresh_from_db()
    assert change.state == State.AWAITING_APPROVAL and not change.cab_required
    page = client.get(change.get_absolute_url())
    assert b'name="decision" value="approved"' in page.content


def test_implementing_before_approval_is_refused_with_a_message(client, implementer, make_change):
    change = make_change()
    client.force_login(implementer)
    response = _move(client, change, "implementing")
    assert response.status_code == 409
    assert response.context["actions"]  # the page is shown again with what can be done
    change.refresh_from_db()
    assert change.state == State.DRAFT and change.actual_start is None


def test_closing_needs_an_outcome(client, implementer, change_manager, cab_members, make_change):
    change = _to_scheduled(make_change(), implementer, change_manager, cab_members)
    client.force_login(implementer)
    assert _move(client, change, "implementing").status_code == 302
    assert _move(client, change, "review").status_code == 302
    response = _move(client, change, "closed")
    assert response.status_code == 400
    failed = next(a for a in response.context["actions"] if a["to"] == "closed")["form"]
    assert "outcome" in failed.errors
    change.refresh_from_db()
    assert change.state == State.REVIEW
    assert _move(client, change, "closed", outcome="successful").status_code == 302
    change.refresh_from_db()
    assert change.state == State.CLOSED and change.outcome == "successful"
    assert change.ticket.status == "closed"


def test_an_unknown_target_is_a_400(client, implementer, make_change):
    change = make_change()
    client.force_login(implementer)
    assert (
        client.post(reverse("changes:change_move", args=[change.ticket.number]), {"to": "done"}).status_code
        == 400
    )


def test_a_freeze_window_blocks_until_the_change_manager_overrides_it(
    client, implementer, change_manager, make_change, soon
):
    FreezeWindow.objects.create(
        name_nb="Årsavslutning",
        name_en="Year end",
        start=soon - dt.timedelta(hours=1),
        end=soon + dt.timedelta(days=2),
    )
    change = make_change(answers=LOW_RISK)
    client.force_login(implementer)
    _move(client, change, "submitted")
    client.force_login(change_manager)
    _move(client, change, "assessment")
    page = client.get(change.get_absolute_url())
    assert b'id="conflicts"' in page.content
    response = _move(client, change, "awaiting_approval")
    assert response.status_code == 400
    form = next(a for a in response.context["actions"] if a["to"] == "awaiting_approval")["form"]
    assert "override_reason" in form.errors
    change.refresh_from_db()
    assert change.state == State.ASSESSMENT
    response = _move(client, change, "awaiting_approval", override_reason="Sikkerhetshull; kan ikke vente.")
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == State.AWAITING_APPROVAL and change.override_by == change_manager
    note = TicketEvent.objects.get(ticket=change.ticket, data__override=True)
    assert "Sikkerhetshull; kan ikke vente." in note.body and note.author == change_manager


def test_voting_in_the_cab_view_answers_with_the_card(
    client, implementer, change_manager, cab_members, make_change
):
    change = make_change()
    services.change_move(change=change, actor=implementer, move=ChangeMove(to=State.SUBMITTED))
    services.change_move(change=change, actor=change_manager, move=ChangeMove(to=State.ASSESSMENT))
    services.change_move(change=change, actor=change_manager, move=ChangeMove(to=State.AWAITING_APPROVAL))
    client.force_login(cab_members[0])
    page = client.get(reverse("changes:cab"))
    assert change.ticket.number in page.content.decode()
    url = reverse("changes:change_vote", args=[change.ticket.number])
    response = client.post(url, {"decision": "rejected", "from": "cab"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400  # a rejection needs a comment
    assert ChangeApproval.objects.get(approver=cab_members[0]).decision == "pending"
    response = client.post(url, {"decision": "approved", "from": "cab"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "changeChanged" in response["HX-Trigger"]
    assert response.content.decode().lstrip().startswith(f'<li class="ds-card sd-card" id="cab-{change.pk}"')
    assert ChangeApproval.objects.get(approver=cab_members[0]).decision == "approved"


def test_someone_not_asked_cannot_vote(client, implementer, change_manager, make_change):
    change = make_change(answers=LOW_RISK)
    services.change_move(change=change, actor=implementer, move=ChangeMove(to=State.SUBMITTED))
    services.change_move(change=change, actor=change_manager, move=ChangeMove(to=State.ASSESSMENT))
    services.change_move(change=change, actor=change_manager, move=ChangeMove(to=State.AWAITING_APPROVAL))
    outsider = UserFactory(username="cab3", roles=["cab_member"])  # a CAB member, but the CAB is not needed
    client.force_login(outsider)
    response = client.post(
        reverse("changes:change_vote", args=[change.ticket.number]), {"decision": "approved"}
    )
    assert response.status_code == 403
    assert not ChangeApproval.objects.filter(approver=outsider).exists()


# --- Standard changes ------------------------------------------------------------------------------


@pytest.fixture
def patching(operations, network):
    template = StandardChangeTemplate.objects.create(
        code="patch-klienter",
        name_nb="Månedlig patching",
        name_en="Monthly patching",
        implementer_group=operations,
        implementation_plan="Rull ut oppdateringer.",
        backout_plan="Avinstaller oppdateringen.",
        duration_minutes=90,
        tasks="Varsle brukerne\nRull ut\nKontroller",
    )
    template.services.set([network])
    return template


def test_a_standard_change_is_created_and_scheduled_in_one_step(client, implementer, patching, soon):
    client.force_login(implementer)
    assert patching.name_en in client.get(reverse("changes:standard_catalogue")).content.decode()
    url = reverse("changes:change_from_template", args=[patching.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"planned_start": _local(soon)})
    change = Change.objects.get()
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    assert change.state == State.SCHEDULED and change.kind == "standard" and not change.approvals.exists()
    assert change.planned_end == soon + dt.timedelta(minutes=90)
    assert [task.title for task in change.tasks.all()] == ["Varsle brukerne", "Rull ut", "Kontroller"]


def test_a_conflicting_standard_change_is_not_created(
    client, implementer, patching, soon, make_change, change_manager, cab_members
):
    _to_scheduled(make_change(), implementer, change_manager, cab_members)  # on the network, at the same time
    client.force_login(implementer)
    response = client.post(
        reverse("changes:change_from_template", args=[patching.code]), {"planned_start": _local(soon)}
    )
    assert response.status_code == 400
    assert response.context["conflicts"]
    assert Change.objects.count() == 1


def test_an_unknown_or_retired_template_is_a_404(client, implementer, patching):
    client.force_login(implementer)
    assert client.get(reverse("changes:change_from_template", args=["finnes-ikke"])).status_code == 404
    patching.is_active = False
    patching.save()
    assert client.get(reverse("changes:change_from_template", args=[patching.code])).status_code == 404


# --- Query counts ----------------------------------------------------------------------------------


def _many(make_change, count, soon, network, email_service):
    return [
        make_change(start=soon + dt.timedelta(days=3 * i), services_=[network, email_service])
        for i in range(count)
    ]


def test_the_change_list_runs_a_fixed_number_of_queries(
    client, implementer, make_change, soon, network, email_service, django_assert_num_queries
):
    client.force_login(implementer)
    _many(make_change, 2, soon, network, email_service)
    client.get(reverse("changes:change_list"))  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("changes:change_list")).status_code == 200
    _many(make_change, 8, soon + dt.timedelta(days=60), network, email_service)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("changes:change_list"))
    assert len(response.context["page"].object_list) == 10


def test_the_change_page_runs_a_fixed_number_of_queries(
    client,
    implementer,
    change_manager,
    cab_members,
    make_change,
    network,
    email_service,
    django_assert_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_change(services_=[network])
    big = _to_scheduled(
        make_change(services_=[network, email_service], start=small.planned_start + dt.timedelta(days=5)),
        implementer,
        change_manager,
        cab_members,
    )
    client.force_login(implementer)
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(small.get_absolute_url())
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(big.get_absolute_url())
    assert len(response.context["approvals"]) == 3 and len(response.context["events"]) > 5


def test_an_incident_is_marked_as_caused_by_a_change(client, implementer, make_change, network):
    from tests.factories import make_ticket
    from tickets.models import TicketLink

    change = make_change()
    incident = make_ticket(implementer, title="E-post nede etter oppgradering", service=network)
    other_incident = make_ticket(implementer, title="Skriver")
    client.force_login(implementer)
    url = reverse("tickets:link", args=[incident.number])
    response = client.post(url, {"type": "caused_by", "target": other_incident.number})
    assert response.status_code == 400 and "target" in response.context["link_form"].errors
    assert not TicketLink.objects.exists()
    response = client.post(url, {"type": "caused_by", "target": change.ticket.number})
    assert response.status_code == 302
    assert list(services.caused_incidents(change)) == [incident]
    page = client.get(change.get_absolute_url())
    assert incident.number in page.content.decode()


def _awaiting(make_change, implementer, change_manager, start, **kwargs):
    change = make_change(start=start, **kwargs)
    services.change_move(change=change, actor=implementer, move=ChangeMove(to=State.SUBMITTED))
    services.change_move(change=change, actor=change_manager, move=ChangeMove(to=State.ASSESSMENT))
    services.change_move(
        change=change,
        actor=change_manager,
        move=ChangeMove(to=State.AWAITING_APPROVAL, override_reason="Planlagt samtidig med vilje."),
    )
    return change


def test_the_cab_view_runs_a_fixed_number_of_queries(
    client, implementer, change_manager, make_change, soon, network, email_service, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _awaiting(make_change, implementer, change_manager, soon)
    client.force_login(change_manager)
    client.get(reverse("changes:cab"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("changes:cab"))
    # Four more, two of them overlapping the first on a service that depends on it: conflicts.
    for day in (0, 0, 10, 20):
        _awaiting(
            make_change, implementer, change_manager, soon + dt.timedelta(days=day), services_=[email_service]
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("changes:cab"))
    cards = response.context["cards"]
    assert len(cards) == 5
    # The bulk count agrees with the change page's own conflict list, change by change.
    for card in cards:
        assert card["conflict_count"] == len(selectors_conflicts(card["change"]))
    assert max(card["conflict_count"] for card in cards) >= 2


def selectors_conflicts(change):
    from changes.selectors import change_conflicts

    return change_conflicts(change)
