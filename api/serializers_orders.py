"""Serializers of the order endpoints: an order with its lines as the API shows it, and the shape of a new
order. The answers to an item's questions are checked by the catalogue's own form (catalog.questions,
through orders.services.cart_add), as on the item page; this module only turns JSON answers into the
form's data."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import CatalogItem, OrderQuestion
from catalog.questions import ANSWER_PREFIX
from orders.models import Order, OrderLine
from people.models import User

MAX_LINES = 50


def answers_as_form_data(item: CatalogItem, answers: dict) -> QueryDict:
    """Return the JSON answers as the item page's form data (answer-<key> fields).

    Numbers and dates go as text (the form reads 2.5 and 2,5, and 2026-12-31), yes/no as true/false or
    "yes"/"no", several choices as a list, a person as their user id (or {"id": …}). Keys that are not
    questions of the item are left out, as the form leaves out fields it does not have.
    """
    types = {question.key: question.type for question in item.questions.all()}
    data = QueryDict(mutable=True)
    for key, value in answers.items():
        kind = types.get(key)
        if kind is None or value is None:
            continue
        name = f"{ANSWER_PREFIX}-{key}"
        if kind == OrderQuestion.Type.MULTI_CHOICE:
            data.setlist(name, [str(v) for v in (value if isinstance(value, list) else [value])])
        elif kind == OrderQuestion.Type.YES_NO and isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif kind == OrderQuestion.Type.PERSON and isinstance(value, dict):
            data[name] = str(value.get("id", ""))
        elif isinstance(value, dict | list):
            data[name] = ""  # not a scalar: the form says the answer is missing or invalid
        else:
            data[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return data


# --- Output -----------------------------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer):
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    ticket = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text=_("The line's request ticket.")
    )
    answers = serializers.JSONField(read_only=True, help_text=_("The answers, keyed by question key."))
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)

    class Meta:
        model = OrderLine
        fields = ["position", "item", "item_name", "quantity", "unit_price", "state", "answers", "ticket"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    requester = serializers.SlugRelatedField(slug_field="username", read_only=True)
    recipient = serializers.SlugRelatedField(slug_field="username", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "state",
            "requester",
            "recipient",
            "delivery_location",
            "justification",
            "submitted_at",
            "completed_at",
            "lines",
        ]
        read_only_fields = fields


# --- Input --------------------------------------------------------------------------------------------


class OrderLineInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text=_("The catalogue item's code."))
    quantity = serializers.IntegerField(
        default=1, min_value=-32768, max_value=32767, help_text=_("From 1 to the item's maximum.")
    )
    answers = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text=_(
            "The answers to the item's questions, keyed by question key: text, numbers, dates "
            "(YYYY-MM-DD), true/false, a list for several choices, a user id for a person."
        ),
    )


class OrderCreateSerializer(serializers.Serializer):
    lines = OrderLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)
    recipient = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The colleague it is for (username); default: yourself."),
    )
    delivery_location = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Default: the office of the person it is for."),
    )
    justification = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Needed when a line must be approved: the approver reads it."),
    )
