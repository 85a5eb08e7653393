"""Writes to the service catalogue. Every create and update goes through here, from the UI, admin
scripts, the demo seed and (later) imports and the API alike."""

import calendar
import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Asset, CatalogItem, OrderQuestion, Service, ServiceDependency
from people.roles import ROLE_CODES

SERVICE_FIELDS = (
    "code",
    "name_nb",
    "name_en",
    "description_nb",
    "description_en",
    "category",
    "owner",
    "support_group",
    "criticality",
    "state",
    "availability_target",
    "in_public_report",
    "support_calendar",
)


def _check_no_cycle(*, service: Service, depends_on: list[Service]) -> None:
    """Refuse a dependency set that would make the service depend on itself through others."""
    if service.pk is None:
        return
    targets = {s.pk for s in depends_on}
    if service.pk in targets:
        raise ValidationError({"depends_on": _("A service cannot depend on itself.")})
    # Walk from each new dependency along existing edges; reaching the service means a cycle.
    edges: dict[int, set[int]] = {}
    for source, target in ServiceDependency.objects.values_list("service_id", "depends_on_id"):
        edges.setdefault(source, set()).add(target)
    edges[service.pk] = targets
    seen: set[int] = set()
    stack = list(targets)
    while stack:
        node = stack.pop()
        if node == service.pk:
            raise ValidationError(
                {
                    "depends_on": _(
                        "These dependencies would make the service depend on itself through others."
                    )
                }
            )
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))


def _set_dependencies(*, service: Service, depends_on: list[Service]) -> None:
    _check_no_cycle(service=service, depends_on=depends_on)
    wanted = {s.pk for s in depends_on}
    ServiceDependency.objects.filter(service=service).exclude(depends_on_id__in=wanted).delete()
    existing = set(ServiceDependency.objects.filter(service=service).values_list("depends_on_id", flat=True))
    ServiceDependency.objects.bulk_create(
        [ServiceDependency(service=service, depends_on_id=pk) for pk in wanted - existing]
    )


@transaction.atomic
def service_create(*, actor, depends_on: list[Service] | None = None, **fields) -> Service:
    """Create a service after checking the actor may; validate everything before anything is saved."""
    if actor is not None and not actor.has_perm("catalog.add_service"):
        raise PermissionDenied(_("You may not create services."))
    service = Service(**{k: v for k, v in fields.items() if k in SERVICE_FIELDS})
    service.full_clean()
    service._history_user = actor
    service.save()
    _set_dependencies(service=service, depends_on=list(depends_on or []))
    return service


@transaction.atomic
def service_update(*, service: Service, actor, depends_on: list[Service] | None = None, **fields) -> Service:
    """Update a service the actor may change; the history records who changed what."""
    if actor is not None and not actor.has_perm("catalog.change_service", service):
        raise PermissionDenied(_("You may not change this service."))
    locked = Service.objects.select_for_update().get(pk=service.pk)
    for name, value in fields.items():
        if name in SERVICE_FIELDS:
            setattr(locked, name, value)
    locked.full_clean()
    locked._history_user = actor
    locked.save()
    if depends_on is not None:
        _set_dependencies(service=locked, depends_on=list(depends_on))
    return locked


# --- Catalogue items and their order questions -----------------------------------------------------

ITEM_FIELDS = (
    "code",
    "service",
    "kind",
    "name_nb",
    "name_en",
    "summary_nb",
    "summary_en",
    "description_nb",
    "description_en",
    "price",
    "lead_time_days",
    "max_quantity",
    "stocked",
    "stock_count",
    "reorder_level",
    "approval_policy",
    "approval_threshold",
    "approver_group",
    "fulfilment_group",
    "warranty_months",
    "visible_to_roles",
    "state",
    "sort_order",
)

QUESTION_FIELDS = (
    "key",
    "type",
    "label_nb",
    "label_en",
    "help_nb",
    "help_en",
    "required",
    "min_value",
    "max_value",
    "choices",
    "position",
)

CHOICE_TYPES = frozenset({OrderQuestion.Type.CHOICE, OrderQuestion.Type.MULTI_CHOICE})


def _full_clean(instance, extra: dict[str, list], **kwargs) -> None:
    """Run the model's own validation and the domain checks, and report every problem at once."""
    errors: dict[str, list] = {}
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for field, messages in extra.items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def item_problems(item: CatalogItem) -> dict[str, list]:
    """Return the approval and audience rules the item breaks, by field."""
    policy = CatalogItem.ApprovalPolicy
    problems: dict[str, list] = {}
    if item.approval_policy == policy.MANAGER_ABOVE_THRESHOLD and item.approval_threshold is None:
        problems["approval_threshold"] = [_("Give the price above which the manager must approve.")]
    if item.approval_threshold is not None and item.approval_threshold < 0:
        problems["approval_threshold"] = [_("The price cannot be negative.")]
    if item.approval_policy == policy.GROUP and item.approver_group_id is None:
        problems["approver_group"] = [_("Choose the approver group that approves this item.")]
    roles_given = item.visible_to_roles
    if not isinstance(roles_given, list) or any(code not in ROLE_CODES for code in roles_given):
        problems["visible_to_roles"] = [_("Choose roles from the list.")]
    return problems


def _check_may_change_items(actor, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(_("You may not maintain the catalogue."))


@transaction.atomic
def item_create(*, actor, visible_to_org_units=None, **fields) -> CatalogItem:
    """Create a catalogue item after checking the actor may; validate everything before saving."""
    _check_may_change_items(actor, "catalog.add_catalogitem")
    item = CatalogItem(**{k: v for k, v in fields.items() if k in ITEM_FIELDS})
    _full_clean(item, item_problems(item))
    item._history_user = actor
    item.save()
    item.visible_to_org_units.set(list(visible_to_org_units or []))
    return item


# Every column an item save writes: the stock count changes only by difference (picks, restocks).
_ITEM_COLUMNS_BUT_STOCK = [
    field.name
    for field in CatalogItem._meta.concrete_fields
    if not field.primary_key and field.name != "stock_count"
]


def _stock_below_zero(in_stock: int, change: int) -> str:
    message = _(
        "The stock cannot go below zero: %(left)d in stock now, and this change takes away %(taken)d."
    )
    return message % {"left": in_stock, "taken": -change}


@transaction.atomic
def item_update(
    *,
    item: CatalogItem,
    actor,
    visible_to_org_units=None,
    stock_count_shown: int | None = None,
    **fields,
) -> CatalogItem:
    """Update a catalogue item; the code stays as it was, since addresses and orders use it.

    A stock_count is applied as a change to the stock as it is now, never written back: with
    stock_count_shown (the count the form showed) the difference between the two is added, so units
    picked while the form was open stay picked; without it the count is set as given. An unchanged count
    writes nothing to the stock, and a change that would take it below zero is refused.
    """
    _check_may_change_items(actor, "catalog.change_catalogitem")
    locked = CatalogItem.objects.select_for_update().get(pk=item.pk)
    entered = fields.pop("stock_count", None)
    for name, value in fields.items():
        if name in ITEM_FIELDS and name != "code":
            setattr(locked, name, value)
    problems = item_problems(locked)
    change = 0
    if entered is not None:
        change = entered - (locked.stock_count if stock_count_shown is None else stock_count_shown)
        if locked.stock_count + change < 0:
            problems.setdefault("stock_count", []).append(_stock_below_zero(locked.stock_count, change))
    _full_clean(locked, problems)
    locked._history_user = actor
    # Picks change the count with their own UPDATE; the item's save leaves it to the F() below.
    locked.save(update_fields=_ITEM_COLUMNS_BUT_STOCK)
    if change:
        # The row is locked, so this cannot miss; the condition still keeps the count from going negative.
        applied = CatalogItem.objects.filter(pk=locked.pk, stock_count__gte=-change).update(
            stock_count=F("stock_count") + change
        )
        if applied != 1:
            raise ValidationError({"stock_count": [_stock_below_zero(locked.stock_count, change)]})
        locked.refresh_from_db(fields=["stock_count"])
    if visible_to_org_units is not None:
        locked.visible_to_org_units.set(list(visible_to_org_units))
    return locked


def _question_problems(question: OrderQuestion) -> dict[str, list]:
    problems: dict[str, list] = {}
    if question.type == OrderQuestion.Type.NUMBER:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and low > high:
            problems["max_value"] = [_("The largest number cannot be smaller than the smallest.")]
    else:
        # Limits only mean something for numbers; do not keep stale ones.
        question.min_value = question.max_value = None
    if question.type in CHOICE_TYPES:
        options = question.choices if isinstance(question.choices, list) else []
        values = [str(o.get("value", "")).strip() for o in options if isinstance(o, dict)]
        if not values:
            problems["choices"] = [_("Give at least one option.")]
        elif len(values) != len(options) or any(not value for value in values):
            problems["choices"] = [_("Every option needs a value.")]
        elif len(set(values)) != len(values):
            problems["choices"] = [_("Two options have the same value.")]
    else:
        question.choices = []
    others = OrderQuestion.objects.filter(item_id=question.item_id, key=question.key)
    if question.pk:
        others = others.exclude(pk=question.pk)
    if question.key and others.exists():
        problems["key"] = [_("Another question on this item already has this key.")]
    return problems


def _save_question(question: OrderQuestion) -> OrderQuestion:
    _full_clean(question, _question_problems(question), validate_constraints=False)
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError:
        raise ValidationError({"key": _("Another question on this item already has this key.")}) from None
    return question


@transaction.atomic
def question_create(*, item: CatalogItem, actor, **fields) -> OrderQuestion:
    """Add an order question to an item."""
    _check_may_change_items(actor, "catalog.change_catalogitem")
    question = OrderQuestion(item=item, **{k: v for k, v in fields.items() if k in QUESTION_FIELDS})
    return _save_question(question)


@transaction.atomic
def question_update(*, question: OrderQuestion, actor, **fields) -> OrderQuestion:
    """Change an order question; answers already given keep their key."""
    _check_may_change_items(actor, "catalog.change_catalogitem")
    locked = OrderQuestion.objects.select_for_update().get(pk=question.pk)
    for name, value in fields.items():
        if name in QUESTION_FIELDS:
            setattr(locked, name, value)
    return _save_question(locked)


@transaction.atomic
def question_delete(*, question: OrderQuestion, actor) -> None:
    """Remove an order question; answers already stored on order lines are kept as they were."""
    _check_may_change_items(actor, "catalog.change_catalogitem")
    OrderQuestion.objects.filter(pk=question.pk).delete()


# --- Assets ----------------------------------------------------------------------------------------

AssetState = Asset.State

ASSET_TRANSITIONS: dict[str, frozenset[str]] = {
    AssetState.IN_USE: frozenset({AssetState.IN_REPAIR, AssetState.RETURNED, AssetState.DISPOSED}),
    AssetState.IN_REPAIR: frozenset({AssetState.IN_USE, AssetState.RETURNED, AssetState.DISPOSED}),
    AssetState.RETURNED: frozenset({AssetState.DISPOSED}),
    AssetState.DISPOSED: frozenset(),
}
# States in which the holder still has the equipment (and may hand it in or report it broken).
HELD_STATES = frozenset({AssetState.IN_USE, AssetState.IN_REPAIR})


# Tags are printed on labels and used in addresses (/assets/<tag>/), so no slashes or spaces.
ASSET_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class AssetStateNotAllowed(ValidationError):
    """The asset cannot move from its state to the one asked for."""


def asset_states_after(state: str) -> list[str]:
    """Return the states an asset may move to from the given one, in the model's order."""
    allowed = ASSET_TRANSITIONS.get(state, frozenset())
    return [value for value in AssetState.values if value in allowed]


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_may_manage_assets(actor) -> None:
    if actor is not None and not actor.has_perm("catalog.manage_assets"):
        raise PermissionDenied(_("Only the service desk may change the asset register."))


@transaction.atomic
def asset_register(
    *,
    item: CatalogItem,
    holder,
    asset_tag: str,
    serial_number: str,
    delivered_on: dt.date | None,
    warranty_end: dt.date | None = None,
    order_line=None,
    actor,
) -> Asset:
    """Register a delivered piece of equipment to its holder; the warranty follows from the item
    when not given."""
    _check_may_manage_assets(actor)
    tag = (asset_tag or "").strip()
    if warranty_end is None and delivered_on is not None and item.warranty_months:
        warranty_end = _add_months(delivered_on, item.warranty_months)
    asset = Asset(
        item=item,
        holder=holder,
        asset_tag=tag,
        serial_number=(serial_number or "").strip(),
        delivered_on=delivered_on,
        warranty_end=warranty_end,
        order_line=order_line,
        state=AssetState.IN_USE,
    )
    problems: dict[str, list] = {}
    duplicate = _("An asset with the tag “%(tag)s” is already registered.") % {"tag": tag}
    if tag and not ASSET_TAG.match(tag):
        problems["asset_tag"] = [_("Use only letters, digits, full stops, hyphens and underscores.")]
    elif tag and Asset.objects.filter(asset_tag__iexact=tag).exists():
        problems["asset_tag"] = [duplicate]
    if holder is None:
        problems["holder"] = [_("Choose who receives the equipment.")]
    if warranty_end is not None and delivered_on is not None and warranty_end < delivered_on:
        problems["warranty_end"] = [_("The warranty cannot end before the delivery.")]
    _full_clean(asset, problems, validate_unique=False)
    asset._history_user = actor
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        raise ValidationError({"asset_tag": duplicate}) from None
    return asset


def _lock_asset(asset: Asset) -> Asset:
    return (
        Asset.objects.select_for_update(of=("self",))
        .select_related("item__service__support_group", "item__fulfilment_group", "holder")
        .get(pk=asset.pk)
    )


def _check_holder_or_desk(asset: Asset, actor) -> None:
    if asset.holder_id is not None and asset.holder_id == actor.pk:
        return
    if actor.has_perm("catalog.manage_assets"):
        return
    raise PermissionDenied(_("Only the person who has the equipment may do this."))


def _ticket_for_asset(asset: Asset, *, actor, kind: str, title: str, description: str, urgency: int = 2):
    from tickets import services as ticket_services
    from tickets.models import Category, Channel

    item = asset.item
    return ticket_services.ticket_create(
        requester=asset.holder,
        created_by=actor,
        title=title,
        description=description,
        kind=kind,
        service=item.service,
        support_group=item.fulfilment_group if kind == "request" else None,
        urgency=urgency,
        category=Category.HARDWARE if item.kind == CatalogItem.Kind.EQUIPMENT else Category.OTHER,
        channel=Channel.PORTAL,
    )


def _asset_facts(asset: Asset) -> str:
    lines = [
        _("Equipment: %(item)s") % {"item": asset.item.name},
        _("Asset tag: %(tag)s") % {"tag": asset.asset_tag},
    ]
    if asset.serial_number:
        lines.append(_("Serial number: %(serial)s") % {"serial": asset.serial_number})
    return "\n".join(lines)


@transaction.atomic
def asset_hand_back(*, asset: Asset, actor):
    """Ask the service desk to take back a piece of equipment: opens a service request for the item's
    service. The asset stays in use until an agent marks it returned."""
    from tickets.models import OPEN_STATUSES, Kind, Ticket

    locked = _lock_asset(asset)
    _check_holder_or_desk(locked, actor)
    if locked.state not in HELD_STATES:
        raise AssetStateNotAllowed(_("This equipment is already handed in."), code="not_held")
    # Tickets are read by the service desk, so they are written in the organisation's language.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Hand-in: %(tag)s") % {"tag": locked.asset_tag}
        description = "\n\n".join(
            [
                _("%(person)s wants to hand in this equipment.") % {"person": locked.holder},
                _asset_facts(locked),
                _("Agree on when and where to hand it in, and mark the asset returned once you have it."),
            ]
        )
    existing = (
        Ticket.objects.filter(
            kind=Kind.REQUEST, requester=locked.holder, title=title, status__in=OPEN_STATUSES
        )
        .values_list("number", flat=True)
        .first()
    )
    if existing:
        raise ValidationError(
            _("You have already asked to hand in this equipment (%(number)s).") % {"number": existing},
            code="already_asked",
        )
    return _ticket_for_asset(locked, actor=actor, kind=Kind.REQUEST, title=title, description=description)


@transaction.atomic
def asset_report_broken(*, asset: Asset, actor, description: str, urgency: int = 2):
    """Report a fault on a piece of equipment: opens an incident for the item's service that names
    the asset."""
    from tickets.models import Kind

    text = (description or "").strip()
    if not text:
        raise ValidationError({"description": _("Describe what is wrong with the equipment.")})
    locked = _lock_asset(asset)
    _check_holder_or_desk(locked, actor)
    if locked.state not in HELD_STATES:
        raise AssetStateNotAllowed(_("This equipment is no longer registered to anyone."), code="not_held")
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Fault on equipment: %(item)s (%(tag)s)") % {
            "item": locked.item.name,
            "tag": locked.asset_tag,
        }
        body = f"{text}\n\n---\n\n{_asset_facts(locked)}"
    return _ticket_for_asset(
        locked, actor=actor, kind=Kind.INCIDENT, title=title[:200], description=body, urgency=urgency
    )


@transaction.atomic
def asset_set_state(*, asset: Asset, state: str, actor, note: str = "") -> Asset:
    """Move an asset to another state (in repair, returned, disposed); returned or disposed equipment
    has no holder any more (the history keeps who had it)."""
    _check_may_manage_assets(actor)
    locked = _lock_asset(asset)
    if state not in ASSET_TRANSITIONS.get(locked.state, frozenset()):
        raise AssetStateNotAllowed(
            {
                "state": _("An asset that is “%(from)s” cannot become “%(to)s”.")
                % {
                    "from": AssetState(locked.state).label,
                    "to": AssetState(state).label if state in AssetState.values else state,
                }
            }
        )
    locked.state = state
    if state in (AssetState.RETURNED, AssetState.DISPOSED):
        locked.holder = None
    if note.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        locked.notes = f"{locked.notes}\n{stamp}: {note.strip()}".strip()
    locked._history_user = actor
    locked._change_reason = note.strip()[:100]
    locked.full_clean(validate_unique=False)
    locked.save()
    return locked
