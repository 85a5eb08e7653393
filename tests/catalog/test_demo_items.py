"""The demo catalogue: about thirty realistic, valid items on the demo services, seeded idempotently."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog import demo_items
from catalog.models import ApproverGroup, CatalogItem, OrderQuestion, Service
from catalog.questions import answer_form
from people.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", quiet=True, no_incidents=True, no_orders=True, no_changes=True)


def snapshot() -> dict:
    return {
        "items": sorted(
            CatalogItem.objects.values_list(
                "code", "name_nb", "price", "stock_count", "approval_policy", "state", "updated"
            )
        ),
        "questions": sorted(
            OrderQuestion.objects.values_list("item__code", "key", "type", "label_nb", "choices")
        ),
        "units": sorted(
            CatalogItem.visible_to_org_units.through.objects.values_list("catalogitem_id", "orgunit_id")
        ),
        "groups": sorted(ApproverGroup.objects.values_list("code", "members__username")),
        "history": CatalogItem.history.count(),
    }


def test_about_thirty_items_on_the_demo_services(seeded):
    items = list(CatalogItem.objects.select_related("service"))
    assert 30 <= len(items) <= 40
    assert {i.code for i in items} == {spec["code"] for spec in demo_items.ITEMS}
    assert Counter(i.state for i in items) == {
        CatalogItem.State.LIVE: len(items) - 1,
        CatalogItem.State.RETIRED: 1,
    }
    kinds = Counter(i.kind for i in items)
    assert all(kinds[kind] >= 3 for kind in CatalogItem.Kind.values), kinds
    for item in items:
        item.full_clean()
        assert item.name_nb and item.name_en and item.summary_nb and item.summary_en, item.code
        assert item.description_nb and item.description_en, item.code
        if item.state == CatalogItem.State.LIVE:
            assert item.service.state == Service.State.LIVE, item.code
    prices = {i.code: i.price for i in items}
    assert prices["pc-standard"] == Decimal("12990") and prices["pc-kraftig"] == Decimal("21990")
    assert prices["tilgang-sak-arkiv"] == 0


def test_policies_stock_and_visibility_are_mixed(seeded):
    items = {i.code: i for i in CatalogItem.objects.prefetch_related("visible_to_org_units")}
    policies = Counter(i.approval_policy for i in items.values())
    assert all(policies[p] >= 3 for p in CatalogItem.ApprovalPolicy.values), policies
    for item in items.values():
        if item.approval_policy == CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD:
            assert item.approval_threshold and item.approval_threshold > 0, item.code
        assert (item.approver_group_id is not None) == (
            item.approval_policy == CatalogItem.ApprovalPolicy.GROUP
        )
    security = ApproverGroup.objects.get(code="informasjonssikkerhet")
    assert items["tilgang-sak-arkiv"].approver_group == security
    assert security.members.filter(username="demo.admin").exists() and security.members.count() >= 2
    assert (
        ApproverGroup.objects.get(code="lisensforvaltning")
        .members.filter(username="demo.tjenesteeier")
        .exists()
    )
    stocked = [i for i in items.values() if i.stocked]
    assert len(stocked) >= 6
    assert sorted(i.code for i in stocked if i.low_stock) == ["dokkingstasjon", "skjerm-27"]
    assert not [i for i in items.values() if not i.stocked and i.stock_count]
    assert [u.code for u in items["chromebook-skole"].visible_to_org_units.all()] == ["oppvekst-skole"]
    assert items["ny-ansatt"].visible_to_roles == ["approver"]
    # The laptop of the browser test: in stock, approved by the manager above 5,000, handed out by the
    # service desk, where demo.agent works.
    laptop = items["pc-standard"]
    assert (
        laptop.stock_count > 0
        and laptop.approval_policy == CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD
    )
    assert laptop.fulfilment_group.members.filter(username="demo.agent").exists()


def test_questions_are_valid_and_build_forms(seeded):
    questions = OrderQuestion.objects.select_related("item")
    assert Counter(q.type for q in questions).keys() == set(OrderQuestion.Type.values)
    with_questions = CatalogItem.objects.filter(questions__isnull=False).distinct().count()
    assert with_questions >= CatalogItem.objects.count() * 2 // 3
    assert max(Counter(q.item_id for q in questions).values()) <= 4
    for question in questions:
        question.full_clean()
        assert question.label_nb and question.label_en, question.key
        if question.type in (OrderQuestion.Type.CHOICE, OrderQuestion.Type.MULTI_CHOICE):
            assert len(question.choices) >= 2, question.key
            assert all(c["value"] and c["label_nb"] and c["label_en"] for c in question.choices)
        else:
            assert question.choices == [], question.key
        if question.min_value is not None:
            assert question.type == OrderQuestion.Type.NUMBER and question.min_value < question.max_value
    data = OrderQuestion.objects.get(item__code="mobilabonnement", key="datamengde")
    assert (data.min_value, data.max_value) == (1, 100)
    for item in CatalogItem.objects.prefetch_related("questions"):
        form = answer_form(item)
        assert list(form.fields) == [q.key for q in sorted(item.questions.all(), key=lambda q: q.position)]


def test_seeding_again_changes_nothing_and_keeps_the_stock(seeded):
    CatalogItem.objects.filter(code="hodesett").update(stock_count=3)
    before = snapshot()
    stats = demo_items.seed_items()
    assert stats == Counter()
    call_command("seed_demo", quiet=True, no_incidents=True, no_orders=True, no_changes=True)
    assert snapshot() == before
    assert CatalogItem.objects.get(code="hodesett").stock_count == 3


def test_a_changed_table_updates_the_item(seeded, monkeypatch):
    specs = [dict(spec) for spec in demo_items.ITEMS]
    specs[0]["price"] = Decimal("13490")
    specs[0]["questions"] = specs[0]["questions"][:2]
    monkeypatch.setattr(demo_items, "ITEMS", tuple(specs))
    stats = demo_items.seed_items()
    assert stats["catalog.catalogitem", "updated"] == 1
    assert stats["catalog.orderquestion", "deleted"] == 1
    item = CatalogItem.objects.get(code=specs[0]["code"])
    assert item.price == Decimal("13490") and item.questions.count() == 2
    assert item.history.count() == 2


def test_needs_the_municipality():
    User.objects.all().delete()
    with pytest.raises(demo_items.DemoDataMissing):
        demo_items.seed_items()
