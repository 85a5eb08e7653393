"""The service register in the browser: scoping, forms that name their fields, query counts."""

import pytest
from django.urls import reverse

from catalog.models import Service
from tests.factories import ServiceFactory


def form_data(service=None, **overrides):
    data = {
        "code": "ny-tjeneste",
        "name_nb": "Ny tjeneste",
        "name_en": "New service",
        "description_nb": "Beskrivelse.",
        "description_en": "Description.",
        "category": service.category_id if service else "",
        "owner": service.owner_id if service else "",
        "support_group": service.support_group_id if service else "",
        "criticality": "2",
        "state": "live",
        "availability_target": "99.7",
        "in_public_report": "on",
    }
    data.update(overrides)
    return data


def test_employee_sees_live_services_only_and_cannot_open_others(client, employee, service):
    planned = ServiceFactory(code="kommer", name_nb="Kommer snart", state="planned")
    client.force_login(employee)
    listing = client.get(reverse("catalog:service_list"))
    assert b"E-post og kalender" in listing.content
    assert b"Kommer snart" not in listing.content
    assert client.get(reverse("catalog:service_detail", args=[planned.code])).status_code == 404
    assert client.get(reverse("catalog:service_edit", args=[service.code])).status_code == 403
    assert client.get(reverse("catalog:service_create")).status_code == 403


def test_agent_sees_every_state(client, agent, service):
    ServiceFactory(code="kommer", name_nb="Kommer snart", state="planned")
    client.force_login(agent)
    listing = client.get(reverse("catalog:service_list"), {"state": "planned"})
    assert b"Kommer snart" in listing.content
    assert b"E-post og kalender" not in listing.content


def test_htmx_search_returns_only_the_results_fragment(client, employee, service):
    ServiceFactory(code="utskrift", name_nb="Utskrift")
    client.force_login(employee)
    response = client.get(reverse("catalog:service_list"), {"q": "utskr"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "Utskrift" in content
    assert "E-post og kalender" not in content
    assert "<html" not in content
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_service_list_query_count_is_constant(
    client, agent, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(agent)
    ServiceFactory.create_batch(3)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("catalog:service_list"))
    ServiceFactory.create_batch(30)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("catalog:service_list"))
    assert len(response.context["services"]) == 33


def test_administrator_creates_a_service(client, administrator, service):
    client.force_login(administrator)
    response = client.post(reverse("catalog:service_create"), form_data(service, depends_on=[service.pk]))
    assert response.status_code == 302
    created = Service.objects.get(code="ny-tjeneste")
    assert response["Location"] == created.get_absolute_url()
    assert list(created.depends_on.all()) == [service]
    assert created.history.latest().history_user == administrator
    detail = client.get(created.get_absolute_url())
    assert b"E-post og kalender" in detail.content


def test_bad_input_names_the_field_and_saves_nothing(client, administrator, service):
    client.force_login(administrator)
    response = client.post(
        reverse("catalog:service_create"), form_data(service, availability_target="150", code="epost")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"availability_target", "code"}
    assert b'aria-invalid="true"' in response.content
    assert Service.objects.count() == 1


def test_owner_edits_own_service(client, service_owner, service):
    client.force_login(service_owner)
    response = client.post(
        reverse("catalog:service_edit", args=[service.code]),
        form_data(service, code="ignored", name_nb="E-post (Outlook)", state="live"),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name_nb == "E-post (Outlook)"
    assert service.code == "epost"  # the code is fixed once created


def test_owner_cannot_edit_someone_elses_service(client, service_owner):
    other = ServiceFactory(code="annen")
    client.force_login(service_owner)
    assert client.get(reverse("catalog:service_edit", args=[other.code])).status_code == 403
    response = client.post(reverse("catalog:service_edit", args=[other.code]), form_data(other, name_nb="x"))
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name_nb != "x"


def test_dependency_cycle_is_a_form_error(client, administrator):
    a = ServiceFactory(code="a")
    b = ServiceFactory(code="b", depends_on=[a])
    client.force_login(administrator)
    response = client.post(reverse("catalog:service_edit", args=[a.code]), form_data(a, depends_on=[b.pk]))
    assert response.status_code == 400
    assert "depends_on" in response.context["form"].errors
    assert not a.depends_on.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client, administrator, service, method):
    client.force_login(administrator)
    assert getattr(client, method)(reverse("catalog:service_detail", args=[service.code])).status_code == 405
