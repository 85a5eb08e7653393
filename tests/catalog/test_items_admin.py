"""Catalogue administration: items and their order questions, with the rules the service layer keeps."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog import services
from catalog.models import CatalogItem, OrderQuestion
from tests.catalog.factories import ApproverGroupFactory, CatalogItemFactory, OrderQuestionFactory
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def item_data(service, **overrides):
    data = {
        "code": "skjerm-27",
        "service": service.pk,
        "kind": "equipment",
        "name_nb": "Skjerm 27 tommer",
        "name_en": "27 inch screen",
        "summary_nb": "",
        "summary_en": "",
        "description_nb": "Stor skjerm.",
        "description_en": "",
        "price": "3490",
        "lead_time_days": "5",
        "max_quantity": "2",
        "stock_count": "4",
        "reorder_level": "1",
        "stocked": "on",
        "approval_policy": "none",
        "approval_threshold": "",
        "approver_group": "",
        "fulfilment_group": "",
        "warranty_months": "36",
        "state": "live",
        "sort_order": "100",
    }
    data.update(overrides)
    return data


def question_data(**overrides):
    data = {
        "key": "size",
        "type": "choice",
        "label_nb": "Størrelse",
        "label_en": "Size",
        "help_nb": "",
        "help_en": "",
        "required": "on",
        "min_value": "",
        "max_value": "",
        "choices": "s | Liten | Small\nm | Middels\n\nl",
        "position": "10",
    }
    data.update(overrides)
    return data


# --- Service layer -----------------------------------------------------------------------------------


def test_manager_above_needs_a_threshold_and_group_needs_a_group(service):
    with pytest.raises(ValidationError) as caught:
        CatalogItemFactory(
            service=service, approval_policy=CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD
        )
    assert list(caught.value.message_dict) == ["approval_threshold"]
    with pytest.raises(ValidationError) as caught:
        CatalogItemFactory(service=service, approval_policy=CatalogItem.ApprovalPolicy.GROUP)
    assert list(caught.value.message_dict) == ["approver_group"]
    CatalogItemFactory(
        service=service,
        approval_policy=CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD,
        approval_threshold=Decimal("5000"),
    )
    CatalogItemFactory(service=service, approval_policy="group", approver_group=ApproverGroupFactory())


def test_unknown_roles_are_refused(service):
    with pytest.raises(ValidationError) as caught:
        CatalogItemFactory(service=service, visible_to_roles=["superhelt"])
    assert "visible_to_roles" in caught.value.message_dict


def test_only_administrators_maintain_items(service, employee, agent, administrator):
    for user in (employee, agent):
        with pytest.raises(PermissionDenied):
            services.item_create(actor=user, **CatalogItemFactory.build(service=service).__dict__)
    item = CatalogItemFactory(service=service)
    with pytest.raises(PermissionDenied):
        services.item_update(item=item, actor=employee, price=Decimal("1"))
    updated = services.item_update(item=item, actor=administrator, price=Decimal("1"), code="nytt")
    assert updated.price == Decimal("1")
    assert updated.code == item.code
    assert updated.history.latest().history_user == administrator


def test_question_rules(service):
    item = CatalogItemFactory(service=service)
    with pytest.raises(ValidationError) as caught:
        OrderQuestionFactory(
            item=item, key="n", type="number", min_value=Decimal("5"), max_value=Decimal("1")
        )
    assert list(caught.value.message_dict) == ["max_value"]
    for choices in ([], [{"value": ""}], [{"value": "a"}, {"value": "a"}]):
        with pytest.raises(ValidationError) as caught:
            OrderQuestionFactory(item=item, key="c", type="choice", choices=choices)
        assert list(caught.value.message_dict) == ["choices"]
    OrderQuestionFactory(item=item, key="same")
    with pytest.raises(ValidationError) as caught:
        OrderQuestionFactory(item=item, key="same")
    assert list(caught.value.message_dict) == ["key"]
    # The same key on another item is fine; limits and options are dropped where they mean nothing.
    text = OrderQuestionFactory(
        item=CatalogItemFactory(service=service), key="same", min_value=Decimal("1"), choices=[{"value": "x"}]
    )
    assert text.min_value is None and text.choices == []


# --- Pages -------------------------------------------------------------------------------------------


def test_item_admin_pages_are_for_administrators(client, employee, agent, service):
    item = CatalogItemFactory(service=service)
    for user in (employee, agent):
        client.force_login(user)
        for url in (
            reverse("catalog:item_list"),
            reverse("catalog:item_create"),
            reverse("catalog:item_edit", args=[item.code]),
            reverse("catalog:question_create", args=[item.code]),
        ):
            assert client.get(url).status_code == 403, (user, url)


def test_administrator_creates_an_item_with_audience(client, administrator, service):
    unit = UnitFactory()
    client.force_login(administrator)
    response = client.post(
        reverse("catalog:item_create"),
        item_data(service, visible_to_org_units=[unit.pk], visible_to_roles=["agent", "employee"]),
    )
    assert response.status_code == 302
    item = CatalogItem.objects.get(code="skjerm-27")
    assert response["Location"] == reverse("catalog:item_edit", args=[item.code])
    assert list(item.visible_to_org_units.all()) == [unit]
    assert item.visible_to_roles == ["agent", "employee"]
    assert item.stock_count == 4 and item.stocked
    assert item.history.latest().history_user == administrator


def test_item_form_errors_name_the_field(client, administrator, service):
    client.force_login(administrator)
    response = client.post(
        reverse("catalog:item_create"),
        item_data(service, approval_policy="manager_above", price="-1", visible_to_roles=["nope"]),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"approval_threshold", "price", "visible_to_roles"} <= set(form.errors)
    assert 'href="#id_approval_threshold"' in response.content.decode()
    response = client.post(reverse("catalog:item_create"), item_data(service, approval_policy="group"))
    assert "approver_group" in response.context["form"].errors


def test_administrator_edits_an_item_and_the_code_stays(client, administrator, service):
    item = CatalogItemFactory(service=service, code="gammel-kode")
    client.force_login(administrator)
    response = client.post(
        reverse("catalog:item_edit", args=[item.code]),
        item_data(service, code="ny-kode", price="99.50", state="retired"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.code == "gammel-kode"
    assert item.price == Decimal("99.50")
    assert item.state == "retired"


def test_administrator_adds_edits_and_deletes_questions(client, administrator, service):
    item = CatalogItemFactory(service=service, code="pc")
    client.force_login(administrator)
    response = client.post(reverse("catalog:question_create", args=["pc"]), question_data())
    assert response.status_code == 302
    question = item.questions.get()
    assert question.choices == [
        {"value": "s", "label_nb": "Liten", "label_en": "Small"},
        {"value": "m", "label_nb": "Middels", "label_en": "Middels"},
        {"value": "l", "label_nb": "l", "label_en": "l"},
    ]
    edit_page = client.get(reverse("catalog:question_edit", args=["pc", question.pk])).content.decode()
    assert "s | Liten | Small" in edit_page
    response = client.post(
        reverse("catalog:question_edit", args=["pc", question.pk]),
        question_data(type="number", choices="", min_value="1", max_value="3", key="antall"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.type, question.key, question.min_value, question.max_value) == ("number", "antall", 1, 3)
    assert "Størrelse" in client.get(reverse("catalog:item_edit", args=["pc"])).content.decode()
    assert client.get(reverse("catalog:question_delete", args=["pc", question.pk])).status_code == 200
    assert client.post(reverse("catalog:question_delete", args=["pc", question.pk])).status_code == 302
    assert not OrderQuestion.objects.exists()


def test_question_form_errors(client, administrator, service):
    item = CatalogItemFactory(service=service, code="pc")
    OrderQuestionFactory(item=item, key="taken")
    client.force_login(administrator)
    url = reverse("catalog:question_create", args=["pc"])
    for data, field in [
        (question_data(choices=""), "choices"),
        (question_data(choices="a | b | c | d"), "choices"),
        (question_data(key="taken"), "key"),
        (question_data(type="number", choices="", min_value="9", max_value="1"), "max_value"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400
        assert field in response.context["form"].errors, data


def test_questions_of_another_item_are_not_found(client, administrator, service):
    first = CatalogItemFactory(service=service, code="a")
    CatalogItemFactory(service=service, code="b")
    question = OrderQuestionFactory(item=first, key="k")
    client.force_login(administrator)
    assert client.get(reverse("catalog:question_edit", args=["b", question.pk])).status_code == 404
    assert client.post(reverse("catalog:question_delete", args=["b", question.pk])).status_code == 404


def test_item_list_search_and_query_count(client, administrator, service, django_assert_max_num_queries):
    CatalogItemFactory(service=service, code="pc", name_nb="Bærbar PC")
    CatalogItemFactory(service=service, code="mus", name_nb="Mus", state="draft")
    client.force_login(administrator)
    content = client.get(reverse("catalog:item_list"), {"q": "bærbar"}).content.decode()
    assert "Bærbar PC" in content and ">Mus<" not in content
    CatalogItemFactory.create_batch(20, service=service)
    with django_assert_max_num_queries(12):
        client.get(reverse("catalog:item_list"))


# --- The stock count: a change of the count, not a write-back of what the form showed -----------------


@pytest.fixture
def stocked_item(service, agent):
    from people.models import SupportGroup

    return CatalogItemFactory(
        service=service,
        code="mus",
        stocked=True,
        stock_count=10,
        reorder_level=0,
        max_quantity=5,
        fulfilment_group=SupportGroup.objects.get(code="servicedesk"),
    )


def _pick_one(item, employee, agent):
    """An agent picks one unit from stock through orders.services, as the fulfilment page does."""
    from orders import services as order_services
    from tests.orders.factories import place_order

    line = place_order(employee, item).lines.get()
    line = order_services.line_start_fulfilment(line=line, actor=agent)
    return order_services.stock_pick(line=line, actor=agent)


def _shown_form_data(client, item) -> dict:
    """Open the item form and return what it would post back unchanged."""
    response = client.get(reverse("catalog:item_edit", args=[item.code]))
    html = response.content.decode()
    assert 'type="hidden" name="stock_count_shown" value="10"' in html
    form = response.context["form"]
    data = item_data(item.service, code=item.code, stock_count=str(form["stock_count"].value()))
    data["stock_count_shown"] = str(form["stock_count_shown"].value())
    data["fulfilment_group"] = str(item.fulfilment_group_id)
    return data


def test_saving_the_form_keeps_a_pick_made_while_it_was_open(
    client, administrator, employee, agent, stocked_item
):
    client.force_login(administrator)
    data = _shown_form_data(client, stocked_item)
    assert _pick_one(stocked_item, employee, agent) == 9

    response = client.post(reverse("catalog:item_edit", args=["mus"]), {**data, "price": "199"})

    assert response.status_code == 302
    stocked_item.refresh_from_db()
    assert (stocked_item.price, stocked_item.stock_count) == (Decimal("199"), 9)
    assert stocked_item.history.latest().history_user == administrator


def test_a_restock_is_added_to_the_stock_as_it_is_now(client, administrator, employee, agent, stocked_item):
    client.force_login(administrator)
    data = _shown_form_data(client, stocked_item)
    _pick_one(stocked_item, employee, agent)

    response = client.post(reverse("catalog:item_edit", args=["mus"]), {**data, "stock_count": "15"})

    assert response.status_code == 302
    assert CatalogItem.objects.get(pk=stocked_item.pk).stock_count == 10 + 5 - 1


def test_a_change_that_would_go_below_zero_is_refused_and_nothing_is_saved(
    client, administrator, employee, agent, stocked_item
):
    client.force_login(administrator)
    data = _shown_form_data(client, stocked_item)
    _pick_one(stocked_item, employee, agent)
    history_rows = stocked_item.history.count()

    response = client.post(
        reverse("catalog:item_edit", args=["mus"]), {**data, "stock_count": "0", "price": "199"}
    )

    assert response.status_code == 400
    [message] = response.context["form"].errors["stock_count"]
    assert "9" in message and "10" in message  # what is left now, and what the change takes away
    stocked_item.refresh_from_db()
    assert (stocked_item.price, stocked_item.stock_count) == (Decimal("12990.00"), 9)
    assert stocked_item.history.count() == history_rows
    # The form still carries the count it first showed, so a corrected entry is again a difference.
    assert 'name="stock_count_shown" value="10"' in response.content.decode()


def test_without_the_shown_count_the_service_sets_the_count(administrator, stocked_item):
    updated = services.item_update(item=stocked_item, actor=administrator, stock_count=3)
    assert updated.stock_count == 3 == CatalogItem.objects.get(pk=stocked_item.pk).stock_count
    with pytest.raises(ValidationError) as caught:
        services.item_update(item=stocked_item, actor=administrator, stock_count=2, stock_count_shown=7)
    assert list(caught.value.message_dict) == ["stock_count"]
