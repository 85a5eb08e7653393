"""The asset register: registering, handing in, reporting faults, state changes, and who sees what."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from catalog import services
from catalog.models import Asset
from tests.catalog.factories import AssetFactory, CatalogItemFactory
from tests.factories import UserFactory
from tickets.models import Kind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def laptop(service):
    return CatalogItemFactory(
        code="pc", name_nb="Bærbar PC", name_en="Laptop", service=service, warranty_months=36
    )


@pytest.fixture
def asset(laptop, employee):
    return AssetFactory(item=laptop, holder=employee, asset_tag="PC-1001", serial_number="SN-77")


def in_org_language(msgid: str, **params) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid) % params


# --- Services --------------------------------------------------------------------------------------


def test_register_fills_the_warranty_from_the_item_and_records_the_actor(laptop, employee, agent):
    asset = services.asset_register(
        item=laptop,
        holder=employee,
        asset_tag=" PC-2001 ",
        serial_number="ABC",
        delivered_on=dt.date(2026, 1, 31),
        actor=agent,
    )
    assert asset.asset_tag == "PC-2001"
    assert asset.warranty_end == dt.date(2029, 1, 31)
    assert asset.state == Asset.State.IN_USE
    assert asset.history.latest().history_user == agent


def test_register_month_end_warranty(laptop, employee):
    laptop.warranty_months = 1
    asset = AssetFactory(item=laptop, holder=employee, delivered_on=dt.date(2026, 1, 31))
    assert asset.warranty_end == dt.date(2026, 2, 28)


@pytest.mark.parametrize("tag", ["PC-1001", "pc-1001"])
def test_a_tag_is_registered_once(asset, laptop, employee, tag):
    with pytest.raises(ValidationError) as caught:
        AssetFactory(item=laptop, holder=employee, asset_tag=tag)
    assert list(caught.value.message_dict) == ["asset_tag"]


@pytest.mark.parametrize("tag", ["", "PC 1", "PC/1", "../x"])
def test_a_tag_must_be_usable_in_an_address(laptop, employee, tag):
    with pytest.raises(ValidationError) as caught:
        AssetFactory(item=laptop, holder=employee, asset_tag=tag)
    assert "asset_tag" in caught.value.message_dict


def test_only_the_service_desk_registers_assets(laptop, employee):
    with pytest.raises(PermissionDenied):
        services.asset_register(
            item=laptop, holder=employee, asset_tag="X-1", serial_number="", delivered_on=None, actor=employee
        )


def test_hand_back_opens_a_service_request_and_leaves_the_asset_in_use(asset, employee, service):
    ticket = services.asset_hand_back(asset=asset, actor=employee)
    assert ticket.kind == Kind.REQUEST
    assert ticket.title == in_org_language("Hand-in: %(tag)s", tag="PC-1001")
    assert ticket.service == service
    assert ticket.requester == employee
    assert "PC-1001" in ticket.description and "SN-77" in ticket.description
    asset.refresh_from_db()
    assert asset.state == Asset.State.IN_USE
    assert asset.holder == employee
    with pytest.raises(ValidationError):
        services.asset_hand_back(asset=asset, actor=employee)
    assert Ticket.objects.filter(kind=Kind.REQUEST).count() == 1


def test_hand_back_goes_to_the_items_fulfilling_group(laptop, employee, agent):
    desk = agent.support_groups.get()
    laptop.fulfilment_group = desk
    laptop.save()
    ticket = services.asset_hand_back(asset=AssetFactory(item=laptop, holder=employee), actor=employee)
    assert ticket.support_group == desk


def test_someone_else_cannot_hand_in_or_report_my_equipment(asset, other_employee):
    with pytest.raises(PermissionDenied):
        services.asset_hand_back(asset=asset, actor=other_employee)
    with pytest.raises(PermissionDenied):
        services.asset_report_broken(asset=asset, actor=other_employee, description="Knust")


def test_report_broken_opens_an_incident_for_the_service_naming_the_asset(asset, employee, service):
    ticket = services.asset_report_broken(
        asset=asset, actor=employee, description="Skjermen er knust.", urgency=1
    )
    assert ticket.kind == Kind.INCIDENT
    assert ticket.service == service
    assert "PC-1001" in ticket.title
    assert ticket.description.startswith("Skjermen er knust.")
    assert "PC-1001" in ticket.description
    assert ticket.urgency == 1
    with pytest.raises(ValidationError) as caught:
        services.asset_report_broken(asset=asset, actor=employee, description="   ")
    assert "description" in caught.value.message_dict


def test_set_state_follows_the_transitions_and_clears_the_holder_on_return(asset, agent, employee):
    asset = services.asset_set_state(asset=asset, state=Asset.State.IN_REPAIR, actor=agent, note="Ny skjerm")
    assert asset.state == Asset.State.IN_REPAIR
    assert asset.holder == employee
    assert "Ny skjerm" in asset.notes
    asset = services.asset_set_state(asset=asset, state=Asset.State.RETURNED, actor=agent)
    assert asset.holder is None
    assert asset.history.filter(holder=employee).exists()
    with pytest.raises(services.AssetStateNotAllowed):
        services.asset_set_state(asset=asset, state=Asset.State.IN_USE, actor=agent)
    with pytest.raises(services.AssetStateNotAllowed):
        services.asset_set_state(asset=asset, state="lost", actor=agent)
    with pytest.raises(services.AssetStateNotAllowed):
        services.asset_hand_back(asset=asset, actor=agent)
    with pytest.raises(PermissionDenied):
        services.asset_hand_back(asset=asset, actor=employee)


def test_employees_cannot_change_asset_states(asset, employee):
    with pytest.raises(PermissionDenied):
        services.asset_set_state(asset=asset, state=Asset.State.RETURNED, actor=employee)


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        ("in_use", {"in_repair", "returned", "disposed"}),
        ("in_repair", {"in_use", "returned", "disposed"}),
        ("returned", {"disposed"}),
        ("disposed", set()),
    ],
)
def test_asset_transitions_are_data(state, allowed):
    assert set(services.asset_states_after(state)) == allowed


# --- My equipment ------------------------------------------------------------------------------------


def test_my_equipment_lists_only_what_i_hold(client, asset, laptop, employee, other_employee):
    AssetFactory(item=laptop, holder=other_employee, asset_tag="PC-9999")
    client.force_login(employee)
    content = client.get(reverse("catalogue:my_equipment")).content.decode()
    assert "PC-1001" in content
    assert "PC-9999" not in content


def test_hand_back_from_my_equipment(client, asset, employee):
    client.force_login(employee)
    response = client.post(reverse("catalogue:asset_hand_back", args=["PC-1001"]))
    ticket = Ticket.objects.get(kind=Kind.REQUEST)
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    # Asking twice is refused with a message, not an error page.
    again = client.post(reverse("catalogue:asset_hand_back", args=["PC-1001"]))
    assert again.status_code == 302
    assert again["Location"] == reverse("catalogue:my_equipment")


def test_report_broken_from_my_equipment(client, asset, employee):
    client.force_login(employee)
    url = reverse("catalogue:asset_report_broken", args=["PC-1001"])
    empty = client.post(url, {f"broken-{asset.pk}-description": "", f"broken-{asset.pk}-affects": "2"})
    assert empty.status_code == 400
    assert 'aria-invalid="true"' in empty.content.decode()
    response = client.post(
        url, {f"broken-{asset.pk}-description": "Tastaturet virker ikke.", f"broken-{asset.pk}-affects": "1"}
    )
    ticket = Ticket.objects.get(kind=Kind.INCIDENT)
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.urgency == 1


def test_another_employees_asset_is_not_found(client, asset, other_employee):
    client.force_login(other_employee)
    assert client.post(reverse("catalogue:asset_hand_back", args=["PC-1001"])).status_code == 404
    assert client.post(reverse("catalogue:asset_report_broken", args=["PC-1001"])).status_code == 404
    assert client.get(reverse("assets:detail", args=["PC-1001"])).status_code == 404
    assert not Ticket.objects.exists()


def test_the_holder_can_read_the_assets_page_but_not_change_it(client, asset, employee):
    client.force_login(employee)
    content = client.get(reverse("assets:detail", args=["PC-1001"])).content.decode()
    assert "SN-77" in content
    assert reverse("assets:set_state", args=["PC-1001"]) not in content
    assert (
        client.post(reverse("assets:set_state", args=["PC-1001"]), {"state": "returned"}).status_code == 403
    )


# --- The register ------------------------------------------------------------------------------------


def test_the_register_is_for_agents_and_administrators(client, employee, agent, administrator, service_owner):
    for user in (employee, service_owner):
        client.force_login(user)
        assert client.get(reverse("assets:list")).status_code == 403
    for user in (agent, administrator):
        client.force_login(user)
        assert client.get(reverse("assets:list")).status_code == 200


@pytest.mark.parametrize("query", ["PC-1001", "sn-77", "kari", "nordmann", "bærbar", "laptop"])
def test_register_search(client, agent, asset, laptop, query):
    AssetFactory(
        item=CatalogItemFactory(name_nb="Skjerm", name_en="Screen"),
        holder=UserFactory(first_name="Per", last_name="Pettersen"),
        asset_tag="SK-1",
        serial_number="ZZZ",
    )
    client.force_login(agent)
    content = client.get(reverse("assets:list"), {"q": query}).content.decode()
    assert "PC-1001" in content
    assert "SK-1" not in content


def test_register_htmx_returns_the_results_fragment(client, agent, asset):
    client.force_login(agent)
    content = client.get(reverse("assets:list"), {"q": "PC"}, headers={"HX-Request": "true"}).content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "<html" not in content


def test_register_is_paginated_with_constant_queries(client, agent, laptop, django_assert_num_queries):
    holders = UserFactory.create_batch(3)
    for n in range(5):
        AssetFactory(item=laptop, holder=holders[n % 3])
    client.force_login(agent)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("assets:list"))
    for n in range(55):
        AssetFactory(item=CatalogItemFactory() if n % 10 == 0 else laptop, holder=holders[n % 3])
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("assets:list"), {"page": "2"})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 25
    assert client.get(reverse("assets:list"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("assets:list"), {"page": "999"}).status_code == 200


def test_agent_changes_state_with_htmx(client, agent, asset):
    client.force_login(agent)
    url = reverse("assets:set_state", args=["PC-1001"])
    response = client.post(
        url, {"state": "in_repair", "note": "Sendt til leverandør"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="state-panel">')
    assert "assetChanged" in response["HX-Trigger"]
    asset.refresh_from_db()
    assert asset.state == Asset.State.IN_REPAIR
    refused = client.post(url, {"state": "bogus"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.content.decode()


def test_agent_sees_any_asset_with_its_history(client, agent, asset):
    client.force_login(agent)
    content = client.get(reverse("assets:detail", args=["PC-1001"])).content.decode()
    assert "PC-1001" in content
    assert reverse("assets:set_state", args=["PC-1001"]) in content
    assert client.get(reverse("assets:detail", args=["FINNES-IKKE"])).status_code == 404
