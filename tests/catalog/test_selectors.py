"""Who sees which catalogue items: organisation subtrees, roles, states, search."""

import pytest
from django.http import Http404

from catalog import selectors
from catalog.models import CatalogItem, Service
from tests.catalog.factories import CatalogItemFactory
from tests.factories import DepartmentFactory, ServiceFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def codes(user, **filters) -> set[str]:
    return set(selectors.catalogue_items(user=user, **filters).values_list("code", flat=True))


def test_an_unrestricted_live_item_is_for_everyone(employee):
    CatalogItemFactory(code="mus")
    assert codes(employee) == {"mus"}


def test_drafts_retired_items_and_items_of_services_not_live_are_hidden(employee):
    CatalogItemFactory(code="utkast", state=CatalogItem.State.DRAFT)
    CatalogItemFactory(code="gammel", state=CatalogItem.State.RETIRED)
    CatalogItemFactory(code="planlagt", service=ServiceFactory(state=Service.State.PLANNED))
    CatalogItemFactory(code="ok")
    assert codes(employee) == {"ok"}


def test_an_item_for_a_department_is_for_every_unit_below_it():
    department = DepartmentFactory()
    inside = UserFactory(org_unit=UnitFactory(parent=department))
    at_department = UserFactory(org_unit=department)
    sibling_department = DepartmentFactory(parent=department.parent)
    outside = UserFactory(org_unit=UnitFactory(parent=sibling_department))
    no_unit = UserFactory(org_unit=None)
    CatalogItemFactory(code="skole-pc", visible_to_org_units=[department])
    assert codes(inside) == {"skole-pc"}
    assert codes(at_department) == {"skole-pc"}
    assert codes(outside) == set()
    assert codes(no_unit) == set()


def test_a_unit_deep_down_does_not_open_the_item_to_its_parents():
    unit = UnitFactory()
    above = UserFactory(org_unit=unit.parent)
    CatalogItemFactory(code="smal", visible_to_org_units=[unit])
    assert codes(above) == set()


def test_an_item_for_several_units_needs_one_of_them_and_appears_once():
    first, second = UnitFactory(), UnitFactory()
    user = UserFactory(org_unit=first)
    CatalogItemFactory(code="to", visible_to_org_units=[first, second])
    assert list(selectors.items_visible_to(user=user).values_list("code", flat=True)) == ["to"]


def test_an_item_for_roles_needs_one_of_the_roles(employee, agent):
    CatalogItemFactory(code="verktoy", visible_to_roles=["agent", "group_lead"])
    assert codes(agent) == {"verktoy"}
    assert codes(employee) == set()


def test_derived_roles_count_employee_and_approver(employee):
    manager = UserFactory()
    unit = UnitFactory(manager=manager)
    CatalogItemFactory(code="for-alle", visible_to_roles=["employee"])
    CatalogItemFactory(code="for-ledere", visible_to_roles=["approver"])
    assert codes(employee) == {"for-alle"}
    assert codes(manager) == {"for-alle", "for-ledere"}
    assert unit.manager == manager


def test_role_codes_do_not_match_by_substring():
    lead = UserFactory(roles=["group_lead"])
    CatalogItemFactory(code="agent-only", visible_to_roles=["agent"])
    assert codes(lead) == set()


def test_units_and_roles_together_both_must_hold(agent):
    unit = UnitFactory()
    agent_inside = UserFactory(org_unit=unit, roles=["agent"])
    employee_inside = UserFactory(org_unit=unit)
    CatalogItemFactory(code="begge", visible_to_org_units=[unit], visible_to_roles=["agent"])
    assert codes(agent_inside) == {"begge"}
    assert codes(employee_inside) == set()
    assert codes(agent) == set()


def test_administrators_see_every_live_item(administrator):
    CatalogItemFactory(code="smal", visible_to_org_units=[UnitFactory()], visible_to_roles=["cab_member"])
    CatalogItemFactory(code="utkast", state=CatalogItem.State.DRAFT)
    assert codes(administrator) == {"smal"}


def test_inactive_users_see_nothing():
    CatalogItemFactory(code="mus")
    assert codes(UserFactory(is_active=False)) == set()


@pytest.mark.parametrize(
    "query", ["bærbar", "LAPTOP", "lett og rask", "light and fast", "16 GB", "sixteen gigabytes"]
)
def test_search_covers_names_summaries_and_descriptions_in_both_languages(employee, query):
    CatalogItemFactory(
        code="pc",
        name_nb="Bærbar PC",
        name_en="Laptop",
        summary_nb="Lett og rask",
        summary_en="Light and fast",
        description_nb="Med 16 GB minne.",
        description_en="With sixteen gigabytes of memory.",
    )
    CatalogItemFactory(code="annet", name_nb="Headset", name_en="Headset")
    assert codes(employee, query=query) == {"pc"}


def test_filters_by_kind_and_category(employee):
    licence = CatalogItemFactory(code="lisens", kind=CatalogItem.Kind.LICENCE)
    CatalogItemFactory(code="pc")
    assert codes(employee, kind="licence") == {"lisens"}
    assert codes(employee, category=licence.service.category.code) == {"lisens"}


def test_item_orderable_by_refuses_unknown_drafts_and_hidden_items(employee):
    CatalogItemFactory(code="utkast", state=CatalogItem.State.DRAFT)
    CatalogItemFactory(code="smal", visible_to_org_units=[UnitFactory()])
    CatalogItemFactory(code="planlagt", service=ServiceFactory(state=Service.State.PLANNED))
    for code in ("finnes-ikke", "utkast", "smal", "planlagt"):
        with pytest.raises(Http404):
            selectors.item_orderable_by(user=employee, code=code)


def test_item_orderable_by_says_a_retired_item_can_no_longer_be_ordered(employee):
    CatalogItemFactory(code="gammel", state=CatalogItem.State.RETIRED)
    CatalogItemFactory(code="nedlagt-tjeneste", service=ServiceFactory(state=Service.State.RETIRED))
    for code in ("gammel", "nedlagt-tjeneste"):
        with pytest.raises(selectors.ItemNotOrderable) as caught:
            selectors.item_orderable_by(user=employee, code=code)
        assert caught.value.code == "retired"
        assert caught.value.item.code == code


def test_item_orderable_by_returns_the_item_with_its_questions(employee, django_assert_num_queries):
    from tests.catalog.factories import OrderQuestionFactory

    item = CatalogItemFactory(code="pc")
    OrderQuestionFactory(item=item, key="a")
    OrderQuestionFactory(item=item, key="b")
    found = selectors.item_orderable_by(user=employee, code="pc")
    with django_assert_num_queries(0):
        assert [q.key for q in found.questions.all()] == ["a", "b"]
        assert found.service.support_group is not None


def test_colleague_lookup_matches_every_word_and_skips_inactive_people():
    UserFactory(first_name="Kari", last_name="Nordmann", username="kari")
    UserFactory(first_name="Kari", last_name="Hansen", username="karih")
    UserFactory(first_name="Kari", last_name="Borte", username="karib", is_active=False)
    names = [str(u) for u in selectors.colleagues_matching(query="kari nord")]
    assert names == ["Kari Nordmann"]
    assert len(selectors.colleagues_matching(query="kari")) == 2
    assert list(selectors.colleagues_matching(query="   ")) == []


def test_colleague_lookup_returns_at_most_ten():
    UserFactory.create_batch(12, first_name="Mange")
    assert len(selectors.colleagues_matching(query="mange")) == 10
