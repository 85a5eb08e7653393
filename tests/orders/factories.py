"""Factories for the order tests: catalogue items with questions, approver groups, and orders built
through orders.services, as every other writer builds them."""

from decimal import Decimal

import factory

from catalog.models import ApproverGroup, CatalogItem, OrderQuestion
from orders import services
from tests.factories import ServiceFactory


class ApproverGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApproverGroup
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"approvers-{n}")
    name_nb = factory.Sequence(lambda n: f"Godkjennere {n}")
    name_en = factory.Sequence(lambda n: f"Approvers {n}")

    @factory.post_generation
    def members_list(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class CatalogItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    code = factory.Sequence(lambda n: f"item-{n}")
    service = factory.SubFactory(ServiceFactory)
    kind = CatalogItem.Kind.EQUIPMENT
    name_nb = factory.Sequence(lambda n: f"Bærbar PC {n}")
    # The same name in English, so the tests read the same in either language.
    name_en = factory.LazyAttribute(lambda item: item.name_nb)
    price = Decimal("12990.00")
    max_quantity = 5
    state = CatalogItem.State.LIVE
    approval_policy = CatalogItem.ApprovalPolicy.NONE


class OrderQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderQuestion

    item = factory.SubFactory(CatalogItemFactory)
    position = factory.Sequence(lambda n: n)
    key = factory.Sequence(lambda n: f"q{n}")
    type = OrderQuestion.Type.TEXT
    label_nb = factory.Sequence(lambda n: f"Spørsmål {n}")
    label_en = factory.LazyAttribute(lambda question: question.label_nb)
    required = True


def answer_data(quantity=1, **answers) -> dict:
    """The POST data of the item page's order form: quantity and answer-<key> fields."""
    data = {"quantity": str(quantity)}
    data.update({f"answer-{key}": value for key, value in answers.items()})
    return data


def add_to_cart(user, item, quantity=1, **answers):
    """Put an item in the user's cart through orders.services.cart_add."""
    return services.cart_add(
        user=user, code=item.code, quantity=quantity, data=answer_data(quantity, **answers)
    )


def place_order(user, *items, recipient=None, justification="Trenger det i jobben.", location="", quantity=1):
    """Add the items to the user's cart and submit it; return the order."""
    for item in items:
        add_to_cart(user, item, quantity)
    return services.order_submit(
        user=user, recipient=recipient, delivery_location=location, justification=justification
    )
