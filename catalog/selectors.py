"""Reads of the service catalogue, scoped to what each user may see."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.models import Asset, CatalogItem, Service, ServiceCategory
from people import roles
from people.models import OrgUnit, User
from people.rules import is_administrator, is_approver, is_employee, is_group_lead, role_codes


def services_visible_to(*, user) -> QuerySet[Service]:
    """Return the services the user may see: every state for staff who run services, live ones otherwise."""
    queryset = Service.objects.select_related("category", "owner", "support_group")
    if user.has_perm("catalog.see_all_services"):
        return queryset
    if user.has_perm("catalog.list_services"):
        return queryset.filter(state=Service.State.LIVE)
    return queryset.none()


def service_list(*, user, query: str = "", category: str = "", state: str = "") -> QuerySet[Service]:
    """Return the visible services filtered by free text, category code and state."""
    queryset = services_visible_to(user=user)
    if query:
        queryset = queryset.filter(
            Q(name_nb__icontains=query)
            | Q(name_en__icontains=query)
            | Q(code__icontains=query)
            | Q(description_nb__icontains=query)
            | Q(description_en__icontains=query)
        )
    if category:
        queryset = queryset.filter(category__code=category)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("category__sort_order", "category__name_nb", "name_nb")


def service_detail(*, user, code: str) -> Service:
    """Return one visible service with its dependencies; raise Service.DoesNotExist otherwise."""
    visible = services_visible_to(user=user)
    return visible.prefetch_related(
        Prefetch("depends_on", queryset=services_visible_to(user=user)),
        Prefetch("dependants", queryset=services_visible_to(user=user)),
    ).get(code=code)


def categories() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.order_by("sort_order", "name_nb")


def portfolio_summary(*, services: QuerySet[Service]) -> dict:
    """Count the given services per state and per criticality, in one aggregate query."""
    from django.db.models import Count

    rows = services.order_by().values("state", "criticality").annotate(n=Count("pk"))
    by_state = dict.fromkeys(Service.State.values, 0)
    by_criticality = dict.fromkeys(Service.Criticality.values, 0)
    for row in rows:
        by_state[row["state"]] += row["n"]
        by_criticality[row["criticality"]] += row["n"]
    return {
        "total": sum(by_state.values()),
        "by_state": [(Service.State(k).label, v) for k, v in by_state.items()],
        "by_criticality": [(Service.Criticality(k).label, v) for k, v in by_criticality.items()],
    }


# --- The orderable catalogue -------------------------------------------------------------------------


class ItemNotOrderable(ValidationError):
    """The item exists and the user may see it, but it can no longer be ordered (retired).

    The item is on the error as `item`, so a page can still say what it was.
    """

    item: CatalogItem | None = None


def _effective_roles(user) -> frozenset[str]:
    """Return every role code the user holds, including the derived ones (employee, approver, lead)."""
    codes = set(role_codes(user))
    if is_employee(user):
        codes.add(roles.EMPLOYEE)
    if is_approver(user):
        codes.add(roles.APPROVER)
    if is_group_lead(user):
        codes.add(roles.GROUP_LEAD)
    return frozenset(codes)


def _ancestor_unit_ids(user) -> list[int]:
    """Return the primary keys of the user's unit and every unit above it, read from its materialised path."""
    if not user.org_unit_id:
        return []
    if User.org_unit.is_cached(user):
        path = user.org_unit.path
    else:
        path = OrgUnit.objects.filter(pk=user.org_unit_id).values_list("path", flat=True).first() or ""
    return [int(part) for part in path.strip("/").split("/") if part]


def _items_scoped_to(user) -> QuerySet[CatalogItem]:
    """Return the items whose audience includes the user, in every state.

    An item restricted to organisation units is for people in one of those units or below them (a unit
    is below another when the other's key is on its path); one restricted to roles is for holders of one
    of the roles. With both restrictions set, both must hold. Administrators see every item.
    """
    queryset = CatalogItem.objects.select_related("service__category", "approver_group")
    if not is_employee(user):
        return queryset.none()
    if is_administrator(user):
        return queryset
    links = CatalogItem.visible_to_org_units.through.objects
    unit_restricted = Exists(links.filter(catalogitem_id=OuterRef("pk")))
    unit_match = Exists(links.filter(catalogitem_id=OuterRef("pk"), orgunit_id__in=_ancestor_unit_ids(user)))
    # visible_to_roles is a JSON list of role codes; matching the quoted code in its text form works
    # the same on SQLite and PostgreSQL (JSON containment is PostgreSQL-only).
    role_match = Q(visible_to_roles=[])
    for code in sorted(_effective_roles(user)):
        role_match |= Q(visible_to_roles__icontains=f'"{code}"')
    return queryset.filter(~unit_restricted | unit_match).filter(role_match)


def items_visible_to(*, user) -> QuerySet[CatalogItem]:
    """Return the live items on live services that the user may see and order."""
    return _items_scoped_to(user).filter(state=CatalogItem.State.LIVE, service__state=Service.State.LIVE)


def catalogue_items(*, user, query: str = "", kind: str = "", category: str = "") -> QuerySet[CatalogItem]:
    """Return the user's orderable items filtered by free text (both languages), kind and category code."""
    queryset = items_visible_to(user=user)
    if query:
        text = Q()
        for field in ("name", "summary", "description"):
            text |= Q(**{f"{field}_nb__icontains": query}) | Q(**{f"{field}_en__icontains": query})
        queryset = queryset.filter(text)
    if kind:
        queryset = queryset.filter(kind=kind)
    if category:
        queryset = queryset.filter(service__category__code=category)
    return queryset.order_by(
        "service__category__sort_order", "service__category__name_nb", "sort_order", "name_nb"
    )


def item_orderable_by(*, user, code: str) -> CatalogItem:
    """Return the item the user may order, with its questions.

    Raise Http404 when the item is unknown, a draft or not for this user, and ItemNotOrderable when it
    (or its service) is retired.
    """
    item = (
        _items_scoped_to(user)
        .filter(code=code)
        .exclude(state=CatalogItem.State.DRAFT)
        .exclude(service__state=Service.State.PLANNED)
        .select_related("service__support_group", "fulfilment_group")
        .prefetch_related("questions")
        .first()
    )
    if item is None:
        raise Http404
    if item.state == CatalogItem.State.RETIRED or item.service.state == Service.State.RETIRED:
        error = ItemNotOrderable(
            _("%(item)s can no longer be ordered.") % {"item": item.name}, code="retired"
        )
        error.item = item
        raise error
    return item


def service_items(*, user, service: Service) -> QuerySet[CatalogItem]:
    """Return the items of one service that the user may order."""
    return items_visible_to(user=user).filter(service=service).order_by("sort_order", "name_nb")


def current_outages(*, service: Service):
    """Return the service's ongoing outages (no end yet), newest first."""
    from incidents.models import Outage

    return Outage.objects.filter(service=service, end__isnull=True).order_by("-start")


# --- Assets -----------------------------------------------------------------------------------------


def assets_visible_to(*, user) -> QuerySet[Asset]:
    """Return the assets the user may see: the whole register for agents, their own otherwise."""
    queryset = Asset.objects.select_related("item__service", "holder")
    if not is_employee(user):
        return queryset.none()
    if user.has_perm("catalog.use_asset_register"):
        return queryset
    return queryset.filter(holder=user)


def my_equipment(*, user) -> QuerySet[Asset]:
    """Return the equipment the user holds now (in use or in repair)."""
    return (
        Asset.objects.filter(holder=user, state__in=[Asset.State.IN_USE, Asset.State.IN_REPAIR])
        .select_related("item__service")
        .order_by("item__name_nb", "asset_tag")
    )


def asset_search(*, user, query: str = "", state: str = "") -> QuerySet[Asset]:
    """Return the register for agents, searched by tag, serial number, holder's name or item name."""
    queryset = assets_visible_to(user=user)
    if query:
        words = query.split()
        for word in words:
            queryset = queryset.filter(
                Q(asset_tag__icontains=word)
                | Q(serial_number__icontains=word)
                | Q(holder__first_name__icontains=word)
                | Q(holder__last_name__icontains=word)
                | Q(holder__username__icontains=word)
                | Q(item__name_nb__icontains=word)
                | Q(item__name_en__icontains=word)
                | Q(item__code__icontains=word)
            )
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("asset_tag")


def asset_for_page(*, user, tag: str) -> Asset:
    """Return one asset the user may see; raise Asset.DoesNotExist otherwise."""
    return assets_visible_to(user=user).select_related("order_line__order").get(asset_tag=tag)


def colleagues_matching(*, query: str, limit: int = 10) -> QuerySet[User]:
    """Return at most `limit` active people whose name or username contains every word of the query."""
    queryset = User.objects.filter(is_active=True).select_related("org_unit")
    words = query.split()[:5]
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
        )
    return queryset.order_by("first_name", "last_name", "username")[:limit]


# --- Catalogue administration --------------------------------------------------------------------------


def items_for_admin(*, query: str = "", state: str = "") -> QuerySet[CatalogItem]:
    """Return every catalogue item for the administrators' list, searched by code and name."""
    queryset = CatalogItem.objects.select_related("service", "approver_group")
    if query:
        queryset = queryset.filter(
            Q(code__icontains=query) | Q(name_nb__icontains=query) | Q(name_en__icontains=query)
        )
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("service__name_nb", "sort_order", "name_nb")


def item_for_admin(*, code: str) -> CatalogItem:
    """Return one item with what its edit page shows; raise CatalogItem.DoesNotExist otherwise."""
    return CatalogItem.objects.select_related("service").get(code=code)
