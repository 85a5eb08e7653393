"""Prices, approvals and stock said the way employees read them: "kr 12 990", "Your manager approves"."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog.models import CatalogItem
from servicedesk.markdown import render_markdown

register = template.Library()


@register.filter
def nok(value) -> str:
    """Return an amount in Norwegian kroner, grouped the active language's way: "kr 12 990", "kr 99,50"."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    # A non-breaking space keeps "kr" and the number on one line.
    return (_("NOK %(amount)s") % {"amount": number}).replace(" ", "\u00a0")


@register.filter
def price(item: CatalogItem) -> str:
    """Return the item's price, or that it costs nothing."""
    return nok(item.price) if item.price else _("No charge")


@register.filter
def approval_summary(item: CatalogItem) -> str:
    """Return in plain words whether an order of the item needs approval, and whose."""
    policy = CatalogItem.ApprovalPolicy
    if item.approval_policy == policy.MANAGER:
        return _("Needs approval from the manager of the person it is for.")
    if item.approval_policy == policy.MANAGER_ABOVE_THRESHOLD:
        return _(
            "Needs approval from the manager of the person it is for when the order is above %(amount)s."
        ) % {"amount": nok(item.approval_threshold or 0)}
    if item.approval_policy == policy.GROUP and item.approver_group_id:
        return _("Needs approval from %(group)s.") % {"group": item.approver_group.name}
    return _("No approval needed.")


@register.filter
def needs_approval(item: CatalogItem) -> bool:
    return item.approval_policy != CatalogItem.ApprovalPolicy.NONE


@register.filter
def availability(item: CatalogItem) -> str:
    """Return "In stock" or "Ordered from the supplier" for physical items; never the count itself."""
    if item.stocked and item.stock_count > 0:
        return _("In stock")
    if item.stocked or item.kind == CatalogItem.Kind.EQUIPMENT:
        return _("Ordered from the supplier")
    return ""


@register.filter
def markdown(text: str) -> str:
    """Return catalogue text written in Markdown as sanitised HTML (nothing executable survives)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3 in render_markdown
