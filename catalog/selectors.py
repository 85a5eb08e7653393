"""Reads of the service catalogue, scoped to what each user may see."""

from django.db.models import Prefetch, Q, QuerySet

from catalog.models import Service, ServiceCategory


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
