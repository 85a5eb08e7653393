"""Factories for catalogue items, order questions and assets, built through catalog.services."""

import datetime as dt
from decimal import Decimal

import factory

from catalog import services
from catalog.models import ApproverGroup, Asset, CatalogItem, OrderQuestion
from tests.factories import ServiceFactory, UserFactory


class ApproverGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApproverGroup

    code = factory.Sequence(lambda n: f"approvers-{n}")
    name_nb = factory.Sequence(lambda n: f"Godkjennere {n}")
    name_en = factory.Sequence(lambda n: f"Approvers {n}")


class CatalogItemFactory(factory.Factory):
    """Build an item through catalog.services.item_create (live, on a live service, for everyone)."""

    class Meta:
        model = CatalogItem

    code = factory.Sequence(lambda n: f"item-{n}")
    service = factory.SubFactory(ServiceFactory)
    kind = CatalogItem.Kind.EQUIPMENT
    name_nb = factory.Sequence(lambda n: f"Vare {n}")
    name_en = factory.Sequence(lambda n: f"Item {n}")
    summary_nb = "Kort om varen."
    summary_en = "About the item."
    description_nb = "Beskrivelse av varen."
    description_en = "Description of the item."
    price = Decimal("12990.00")
    lead_time_days = 5
    state = CatalogItem.State.LIVE

    @classmethod
    def _create(cls, model_class, *args, visible_to_org_units=None, **kwargs):
        return services.item_create(actor=None, visible_to_org_units=visible_to_org_units, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, visible_to_org_units=None, **kwargs):
        return model_class(**kwargs)


class OrderQuestionFactory(factory.Factory):
    class Meta:
        model = OrderQuestion

    item = factory.SubFactory(CatalogItemFactory)
    key = factory.Sequence(lambda n: f"question-{n}")
    type = OrderQuestion.Type.TEXT
    label_nb = factory.Sequence(lambda n: f"Spørsmål {n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")
    required = True
    position = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, *args, item, **kwargs):
        return services.question_create(item=item, actor=None, **kwargs)


def options(*values: str) -> list[dict]:
    """Options for a choice question: value "a" gets the labels "A (nb)" and "A (en)"."""
    return [{"value": v, "label_nb": f"{v.upper()} (nb)", "label_en": f"{v.upper()} (en)"} for v in values]


class AssetFactory(factory.Factory):
    class Meta:
        model = Asset

    item = factory.SubFactory(CatalogItemFactory)
    holder = factory.SubFactory(UserFactory)
    asset_tag = factory.Sequence(lambda n: f"PC-{10000 + n}")
    serial_number = factory.Sequence(lambda n: f"SN{900000 + n}")
    delivered_on = dt.date(2026, 1, 15)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.asset_register(actor=None, **kwargs)
