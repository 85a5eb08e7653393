"""The busy pages run a fixed, small number of queries however many rows or events there are."""

import pytest
from django.urls import reverse

from tests.factories import ServiceFactory, UserFactory, checked_png, make_ticket, resolve_ticket
from tickets import services
from tickets.models import QueuePreference, SavedFilter, TicketLink
from tickets.tables import OPTIONAL_COLUMNS

QUEUE_BUDGET = 12
# The SLA panel (sla.selectors.sla_panel) reads the clocks, their log and their calendar: 4 queries.
TICKET_PAGE_BUDGET = 24


@pytest.fixture
def busy_agent(agent, first_line):
    """An agent who shows every column and keeps a couple of saved filters."""
    QueuePreference.objects.create(user=agent, columns=list(OPTIONAL_COLUMNS))
    SavedFilter.objects.create(owner=agent, name="P1", query="priority=1")
    SavedFilter.objects.create(owner=agent, name="Nye", query="status=new")
    return agent


def fill_queue(count, *, agent, group):
    """Tickets that fill every column: different requesters, services and assignees."""
    requesters = [UserFactory() for _ in range(3)]
    catalogue = [ServiceFactory(support_group=group) for _ in range(2)]
    for n in range(count):
        ticket = make_ticket(requesters[n % 3], title=f"Sak {n}", service=catalogue[n % 2])
        if n % 3 == 0:
            services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": agent})


@pytest.mark.parametrize(
    ("name", "params"),
    [("all", {}), ("groups", {}), ("all", {"status": ["new", "assigned"], "q": "Sak"})],
    ids=["all", "groups", "filtered"],
)
def test_queue_runs_the_same_few_queries_for_10_and_100_tickets(
    client, busy_agent, first_line, name, params, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(busy_agent)
    url = reverse("tickets:queue", args=[name])
    fill_queue(10, agent=busy_agent, group=first_line)
    with django_assert_max_num_queries(QUEUE_BUDGET) as ten:
        response = client.get(url, params)
    assert len(response.context["table"].paginated_rows) == 10

    fill_queue(90, agent=busy_agent, group=first_line)
    with django_assert_num_queries(len(ten.captured_queries)):
        response = client.get(url, params)
    assert len(response.context["table"].paginated_rows) == 25  # a full page of the 100
    html = response.content.decode()
    assert "Per Agent" in html  # the assignee column is really rendered
    # The saved filters are listed, by name, from the same query as the column choice.
    assert html.index('?status=new">Nye</a>') < html.index('?priority=1">P1</a>')


def _ticket_with_history(employee, agent, *, replies):
    ticket = make_ticket(employee, service=ServiceFactory(), attachments=[checked_png("første.png")])
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": agent})
    for n in range(replies):
        services.ticket_comment(ticket=ticket, actor=agent, body=f"Svar {n}", attachments=[checked_png()])
        services.ticket_comment(ticket=ticket, actor=employee, body=f"Takk {n}")
        services.ticket_comment(ticket=ticket, actor=agent, body=f"Notat {n}", public=False)
    other = make_ticket(employee)
    services.ticket_link(source=ticket, target=other, actor=agent)
    services.ticket_link(source=make_ticket(employee), target=ticket, actor=agent)
    for _ in range(1 + replies // 2):
        services.ticket_set_parent(child=make_ticket(employee), parent=ticket, actor=agent)
    return ticket


@pytest.mark.parametrize("viewer", ["agent", "employee"])
def test_ticket_page_runs_the_same_few_queries_for_a_short_and_a_long_history(
    client, request, employee, agent, viewer, django_assert_max_num_queries, django_assert_num_queries
):
    short = _ticket_with_history(employee, agent, replies=1)
    long = _ticket_with_history(employee, agent, replies=8)
    client.force_login(request.getfixturevalue(viewer))
    with django_assert_max_num_queries(TICKET_PAGE_BUDGET) as few:
        response = client.get(short.get_absolute_url())
    assert response.status_code == 200
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(long.get_absolute_url())
    html = response.content.decode()
    assert "Svar 7" in html and "Takk 7" in html
    assert html.count("skjermbilde.png") == 8  # every reply's attachment is listed
    assert ("Notat 7" in html) == (viewer == "agent")


def test_links_both_ways_are_shown_to_the_agent(client, employee, agent):
    ticket = _ticket_with_history(employee, agent, replies=0)
    client.force_login(agent)
    links = client.get(ticket.get_absolute_url()).context["links"]
    assert [(link.source_id == ticket.pk) for link in links] == [True, False]
    assert set(links) == set(
        TicketLink.objects.filter(source=ticket) | TicketLink.objects.filter(target=ticket)
    )


def test_resolved_ticket_page_with_a_rating_stays_in_budget(
    client, employee, agent, django_assert_max_num_queries
):
    ticket = resolve_ticket(_ticket_with_history(employee, agent, replies=2), agent)
    services.ticket_rate(ticket=ticket, actor=employee, score=4)
    for user in (employee, agent):
        client.force_login(user)
        with django_assert_max_num_queries(TICKET_PAGE_BUDGET):
            response = client.get(ticket.get_absolute_url())
        assert response.context["rating"].score == 4


def test_my_cases_is_constant_in_the_number_of_cases(
    client, employee, agent, django_assert_max_num_queries, django_assert_num_queries
):
    for n in range(3):
        ticket = make_ticket(employee, title=f"Sak {n}", service=ServiceFactory())
        services.ticket_comment(ticket=ticket, actor=agent, body="Svar")
    client.force_login(employee)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("tickets:my_tickets"))
    for n in range(15):
        ticket = make_ticket(employee, title=f"Mer {n}", service=ServiceFactory())
        services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": agent})
        services.ticket_comment(ticket=ticket, actor=agent, body="Svar")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tickets:my_tickets"))
    assert len(response.context["rows"]) == 18


def test_a_finished_ticket_builds_none_of_the_editing_forms(
    client, employee, agent, django_assert_max_num_queries
):
    from tests.factories import move_ticket

    open_ticket = _ticket_with_history(employee, agent, replies=1)
    finished = move_ticket(
        resolve_ticket(_ticket_with_history(employee, agent, replies=1), agent), agent, "closed"
    )
    client.force_login(agent)
    with django_assert_max_num_queries(TICKET_PAGE_BUDGET) as for_open:
        client.get(open_ticket.get_absolute_url())
    with django_assert_max_num_queries(len(for_open.captured_queries) - 5) as for_finished:
        response = client.get(finished.get_absolute_url())
    html = response.content.decode()
    assert 'id="fields-form"' not in html and 'id="reply-form"' not in html
    assert 'aria-labelledby="outage-heading"' in html  # outages can still be recorded on an incident
    assert "fields_form" not in response.context
    assert len(for_finished.captured_queries) < len(for_open.captured_queries)


def test_the_outage_form_is_built_when_asked_for(client, employee, agent):
    ticket = _ticket_with_history(employee, agent, replies=0)
    client.force_login(agent)
    response = client.get(ticket.get_absolute_url())
    html = response.content.decode()
    assert "outage_form" not in response.context
    # Closed details with a link that loads the form (htmx) or opens the page with it (no JavaScript).
    assert 'id="outage-record"><summary>' in html and "?record_outage=1#outage-record" in html
    response = client.get(ticket.get_absolute_url(), {"record_outage": "1"})
    html = response.content.decode()
    assert 'id="outage-record" open>' in html
    assert f'action="/tickets/{ticket.number}/outages/"' in html and 'name="severity"' in html
