"""The service owner's outage page: who may use it, recording and ending outages, its query count."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Outage
from tests.factories import ServiceFactory, UserFactory, make_ticket


@pytest.fixture
def incident(employee, service):
    return make_ticket(employee, title="E-posten er nede", service=service)


@pytest.fixture
def url(service):
    return reverse("catalog:service_outages", args=[service.code])


def local(moment: dt.datetime) -> str:
    """Format a moment as the datetime-local input sends it (Oslo time)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(ticket, /, **overrides):
    now = timezone.now()
    data = {
        "incident": ticket.number,
        "severity": "down",
        "start": local(now - dt.timedelta(hours=3)),
        "end": local(now - dt.timedelta(hours=1)),
    }
    data.update(overrides)
    return data


def test_service_owner_and_administrator_may_open_the_page(client, service_owner, administrator, url):
    for user in (service_owner, administrator):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_agent_may_also_use_the_page(client, agent, url):
    client.force_login(agent)
    assert client.get(url).status_code == 200


def test_others_are_refused_and_hidden_services_are_not_found(client, employee, service, url):
    other_owner = UserFactory(username="annen-eier", roles=["service_owner"])
    ServiceFactory(code="utskrift", name_nb="Utskrift", owner=other_owner)
    client.force_login(other_owner)
    assert client.get(url).status_code == 403
    client.force_login(employee)
    assert client.get(url).status_code == 403
    planned = ServiceFactory(code="kommer", name_nb="Kommer snart", state="planned", owner=other_owner)
    assert client.get(reverse("catalog:service_outages", args=[planned.code])).status_code == 404


def test_service_page_links_to_the_outages_for_its_owner_only(client, service_owner, employee, service, url):
    client.force_login(service_owner)
    assert url in client.get(service.get_absolute_url()).content.decode()
    client.force_login(employee)
    assert url not in client.get(service.get_absolute_url()).content.decode()


def test_owner_records_an_outage_and_sees_it_listed(client, service_owner, service, incident, url):
    client.force_login(service_owner)
    response = client.post(url, form_data(incident, end=""))
    assert response.status_code == 302
    outage = Outage.objects.get()
    assert (outage.service, outage.incident, outage.recorded_by) == (service, incident, service_owner)
    assert outage.end is None
    assert incident.events.filter(data__field="outage").exists()
    content = client.get(url).content.decode()
    assert f'href="{incident.get_absolute_url()}"' in content
    assert incident.number in content
    assert reverse("catalog:service_outage_end", args=[service.code, outage.pk]) in content


@pytest.mark.parametrize("kind", ["unknown", "request"])
def test_incident_number_must_name_an_incident(client, service_owner, employee, incident, url, kind):
    if kind == "request":
        number = make_ticket(employee, kind="request", title="Ny skjerm").number
    else:
        number = "INC-1999-000001"
    client.force_login(service_owner)
    response = client.post(url, form_data(incident, incident=number))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("incident")
    # The error summary names the field and links to it.
    assert f'href="#id_incident">{form.fields["incident"].label}: ' in response.content.decode()
    assert not Outage.objects.exists()


def test_end_before_start_is_an_error_on_the_end(client, service_owner, incident, url):
    now = timezone.now()
    client.force_login(service_owner)
    response = client.post(
        url,
        form_data(incident, start=local(now - dt.timedelta(hours=1)), end=local(now - dt.timedelta(hours=2))),
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("end")
    assert not Outage.objects.exists()


def test_owner_ends_an_ongoing_outage(client, service_owner, service, incident):
    now = timezone.now()
    outage = incident_services.outage_record(
        incident=incident,
        actor=service_owner,
        service=service,
        severity="degraded",
        start=now - dt.timedelta(hours=2),
    )
    client.force_login(service_owner)
    end_url = reverse("catalog:service_outage_end", args=[service.code, outage.pk])
    too_early = client.post(end_url, {"end": local(now - dt.timedelta(hours=3))})
    assert too_early.status_code == 400
    outage.refresh_from_db()
    assert outage.end is None
    response = client.post(end_url, {"end": local(now - dt.timedelta(minutes=30))})
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.end is not None


def test_services_refuse_owners_of_other_services(service, incident):
    other_owner = UserFactory(username="annen-eier", roles=["service_owner"])
    with pytest.raises(PermissionDenied):
        incident_services.outage_record(
            incident=incident,
            actor=other_owner,
            service=service,
            severity="down",
            start=timezone.now() - dt.timedelta(hours=1),
        )


def test_list_query_count_does_not_grow_with_outages(client, service_owner, employee, service, incident, url):
    now = timezone.now()

    def record(hours_ago):
        incident_services.outage_record(
            incident=make_ticket(employee, title=f"Nede {hours_ago}", service=service),
            actor=service_owner,
            service=service,
            severity="down",
            start=now - dt.timedelta(hours=hours_ago),
            end=None if hours_ago == 1 else now - dt.timedelta(hours=hours_ago - 1),
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.force_login(service_owner)
    record(1)
    one = count()
    for hours_ago in (3, 5, 7, 9):
        record(hours_ago)
    assert count() == one
    starts = [outage.start for outage in client.get(url).context["outages"]]
    assert starts == sorted(starts, reverse=True)
