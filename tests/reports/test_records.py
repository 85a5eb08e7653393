"""/dashboard/records/: a figure's tickets for dashboard readers, by number and facts, without personal data."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ServiceFactory, UserFactory
from tickets import services
from tickets.models import Ticket

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db

MARCH = {"opened_from": "2026-03-01", "opened_to": "2026-03-31", "kinds": ["incident", "request"]}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def create(requester, day, *, service=None, title="Skriveren på Rådhuset skriver ut blanke ark"):
    return services.ticket_create(
        requester=requester,
        created_by=requester,
        title=title,
        description="Zyxwvutsrq beskrivelse",
        service=service,
        impact=2,
        urgency=2,
        now=dt.datetime(2026, 3, day, 10, tzinfo=OSLO),
    )


@pytest.fixture
def tickets(service, service_owner):
    requester = UserFactory(username="quuxperson", first_name="Quuxelia", last_name="Privatsen")
    other = ServiceFactory(code="annet", name_nb="Annet", name_en="Other")
    mine = [create(requester, day, service=service) for day in (2, 9, 16)]
    theirs = create(requester, 20, service=other)
    create(requester, 5, service=service).__class__.objects.filter(opened_at__day=5).update(
        opened_at=dt.datetime(2026, 2, 5, 10, tzinfo=OSLO)
    )  # one ticket moved to February: outside the figure
    return mine, theirs


def numbers(response) -> set[str]:
    return set(re.findall(r'id="record-([A-Z]+-\d{4}-\d+)"', response.content.decode()))


def test_a_management_reader_lists_the_figures_tickets_without_personal_data(
    client, management_reader, tickets
):
    mine, theirs = tickets
    client.force_login(management_reader)
    response = client.get(reverse("figure_records"), MARCH)
    assert response.status_code == 200
    assert numbers(response) == {t.number for t in [*mine, theirs]}
    html = response.content.decode()
    for private in ("Quuxelia", "Privatsen", "quuxperson", "Skriveren", "Zyxwvutsrq"):
        assert private not in html
    assert re.search(r'id="record-count">4 ', html)


def test_a_service_owner_sees_only_the_services_they_own(client, service_owner, tickets):
    mine, _theirs = tickets
    client.force_login(service_owner)
    response = client.get(reverse("figure_records"), MARCH)
    assert numbers(response) == {t.number for t in mine}


def test_filters_by_service_code_and_group_as_the_dashboard_links(client, management_reader, tickets):
    mine, _theirs = tickets
    client.force_login(management_reader)
    response = client.get(reverse("figure_records"), {**MARCH, "service_code": "epost"})
    assert numbers(response) == {t.number for t in mine}
    assert numbers(client.get(reverse("figure_records"), {**MARCH, "group": "no-such-group"})) == set()


def test_free_text_search_is_not_offered(client, management_reader, tickets):
    client.force_login(management_reader)
    # A search for a title's word would let a reader probe titles; the parameter is ignored.
    response = client.get(reverse("figure_records"), {**MARCH, "q": "Skriveren"})
    assert len(numbers(response)) == 4
    assert 'name="q"' not in response.content.decode()


def test_those_who_work_on_tickets_go_to_the_queue_with_the_same_filters(client, agent, tickets):
    agent.groups.add(*UserFactory(roles=["administrator"]).groups.all())  # a dashboard reader too
    client.force_login(agent)
    response = client.get(reverse("figure_records"), {"opened_from": "2026-03-01", "service_code": "epost"})
    assert response.status_code == 302
    assert response["Location"] == "/tickets/queue/all/?opened_from=2026-03-01&service_code=epost"


def test_employees_may_not_list_records(client, employee, tickets):
    client.force_login(employee)
    assert client.get(reverse("figure_records"), MARCH).status_code == 403
    client.logout()
    assert client.get(reverse("figure_records"), MARCH).status_code in (302, 403)


def test_a_bad_date_is_explained_and_left_out(client, management_reader, tickets):
    client.force_login(management_reader)
    response = client.get(reverse("figure_records"), {"opened_from": "2026-13-45"})
    assert response.status_code == 200
    assert 'class="ds-alert" data-color="warning"' in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_query_count_does_not_grow_with_the_tickets(
    client, management_reader, service, count, django_assert_num_queries
):
    requester = UserFactory()
    for index in range(count):
        create(requester, 1 + index % 28, service=service)
    client.force_login(management_reader)
    client.get(reverse("figure_records"), MARCH)  # warm: the session and the roles
    # Session, user, roles with the facts the menu checks (people.facts); the count and the page; the
    # filter form's services and groups. The same for 3 and 30 tickets.
    with django_assert_num_queries(7):
        response = client.get(reverse("figure_records"), MARCH)
    assert len(numbers(response)) == min(count, 25)
    assert Ticket.objects.count() == count
