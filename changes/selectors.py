"""Reads for change enablement: which changes a user sees, conflicts of a planned window, the calendar,
and the planned downtime of a service that the availability figures subtract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from catalog.models import Service, ServiceDependency
from changes.models import Change, ChangeApproval, FreezeWindow, MaintenanceWindow
from changes.transitions import APPROVED_STATES, ON_CALENDAR


def changes_visible_to(user) -> QuerySet[Change]:
    """Changes are the IT department's work: agents, the change manager and the CAB see them all."""
    if not user.has_perm("changes.view_change"):
        return Change.objects.none()
    return Change.objects.all()


def change_for_page(user, number: str) -> Change:
    """Return the change with its ticket and people, or raise Change.DoesNotExist."""
    return (
        changes_visible_to(user)
        .select_related(
            "ticket",
            "ticket__requester",
            "ticket__support_group",
            "ticket__assignee",
            "owner",
            "template",
            "override_by",
            "reviewed_by",
        )
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.only("pk", "code", "name_nb", "name_en")),
            Prefetch("maintenance_windows", queryset=MaintenanceWindow.objects.select_related("service")),
            "tasks",
            Prefetch("approvals", queryset=ChangeApproval.objects.select_related("approver")),
        )
        .get(ticket__number=number)
    )


def impact_set(service_ids: Iterable[int]) -> set[int]:
    """Return the services and everything that depends on them, directly or through others."""
    return _reach(service_ids, _dependants())


def _dependants() -> dict[int, list[int]]:
    """Return, for each service, the services that depend on it directly (one query for the catalogue)."""
    edges: dict[int, list[int]] = {}
    for service_id, depends_on_id in ServiceDependency.objects.values_list("service_id", "depends_on_id"):
        edges.setdefault(depends_on_id, []).append(service_id)
    return edges


def _reach(service_ids: Iterable[int], edges: dict[int, list[int]]) -> set[int]:
    seen = set(service_ids)
    frontier = list(seen)
    while frontier:
        current = frontier.pop()
        for dependant in edges.get(current, ()):
            if dependant not in seen:
                seen.add(dependant)
                frontier.append(dependant)
    return seen


@dataclass
class Conflict:
    """Another change or a freeze window that the planned window collides with."""

    kind: str  # "change" or "freeze"
    obj: Change | FreezeWindow
    services: list[Service] = field(default_factory=list)

    @property
    def is_freeze(self) -> bool:
        return self.kind == "freeze"


def conflicts_for(
    *, start: dt.datetime | None, end: dt.datetime | None, service_ids: Iterable[int], exclude_pk=None
) -> list[Conflict]:
    """Return the changes and freeze windows that collide with a change planned for start–end on the
    given services: other changes whose window overlaps and whose affected services (with their
    dependants) meet this one's, and freeze windows that overlap and cover any of them."""
    service_ids = set(service_ids)
    if start is None or end is None or end <= start or not service_ids:
        return []
    # The dependencies are read once, not once per other change.
    edges = _dependants()
    mine = _reach(service_ids, edges)
    names = Service.objects.only("pk", "code", "name_nb", "name_en").in_bulk()
    conflicts: list[Conflict] = []
    others = (
        Change.objects.filter(
            state__in=ON_CALENDAR - {Change.State.CLOSED},
            planned_start__lt=end,
            planned_end__gt=start,
        )
        .exclude(pk=exclude_pk)
        .select_related("ticket")
        .prefetch_related("services")
        .order_by("planned_start")
    )
    for other in others:
        theirs = _reach((service.pk for service in other.services.all()), edges)
        shared = mine & theirs
        if shared:
            conflicts.append(Conflict("change", other, sorted((names[pk] for pk in shared), key=str)))
    freezes = FreezeWindow.objects.filter(start__lt=end, end__gt=start).prefetch_related("services")
    for freeze in freezes:
        covered = {service.pk for service in freeze.services.all()}
        if not covered:
            conflicts.append(Conflict("freeze", freeze, []))
        elif covered & mine:
            conflicts.append(
                Conflict("freeze", freeze, sorted((names[pk] for pk in covered & mine), key=str))
            )
    return conflicts


def conflict_counts(changes: list[Change]) -> dict[int, int]:
    """Return how many conflicts each change's planned window has, for a list of changes at once (the CAB
    agenda): the dependencies, the other changes and the freeze windows are each read once."""
    planned = [c for c in changes if c.planned_start and c.planned_end and c.planned_end > c.planned_start]
    counts = {change.pk: 0 for change in changes}
    if not planned:
        return counts
    start = min(change.planned_start for change in planned)
    end = max(change.planned_end for change in planned)
    edges = _dependants()
    others = list(
        Change.objects.filter(
            state__in=ON_CALENDAR - {Change.State.CLOSED}, planned_start__lt=end, planned_end__gt=start
        )
        .only("pk", "planned_start", "planned_end")
        .prefetch_related(Prefetch("services", queryset=Service.objects.only("pk")))
    )
    reach = {other.pk: _reach((s.pk for s in other.services.all()), edges) for other in others}
    freezes = list(
        FreezeWindow.objects.filter(start__lt=end, end__gt=start).prefetch_related(
            Prefetch("services", queryset=Service.objects.only("pk"))
        )
    )
    for change in planned:
        mine = _reach((s.pk for s in change.services.all()), edges)
        if not mine:
            continue
        counts[change.pk] = sum(
            1
            for other in others
            if other.pk != change.pk
            and other.planned_start < change.planned_end
            and other.planned_end > change.planned_start
            and mine & reach[other.pk]
        ) + sum(
            1
            for freeze in freezes
            if freeze.start < change.planned_end
            and freeze.end > change.planned_start
            and (not freeze.services.all() or {s.pk for s in freeze.services.all()} & mine)
        )
    return counts


def change_conflicts(change: Change) -> list[Conflict]:
    return conflicts_for(
        start=change.planned_start,
        end=change.planned_end,
        service_ids=[service.pk for service in change.services.all()],
        exclude_pk=change.pk,
    )


def approved_maintenance(*, start: dt.datetime, end: dt.datetime, service_ids: Iterable[int] | None = None):
    """Maintenance windows that are approved downtime and touch start–end (actual ones once executed)."""
    windows = MaintenanceWindow.objects.filter(
        Q(change__isnull=True) | Q(change__state__in=APPROVED_STATES)
    ).filter(
        Q(actual_start__isnull=True, planned_start__lt=end, planned_end__gt=start)
        | Q(actual_start__isnull=False, actual_start__lt=end, actual_end__gt=start)
    )
    if service_ids is not None:
        windows = windows.filter(service_id__in=list(service_ids))
    return windows


def planned_downtime(service: Service | int, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """Return the approved maintenance of a service in start–end as merged (start, end) intervals,
    clipped to the period: what the availability computation subtracts from the service window."""
    service_id = service.pk if isinstance(service, Service) else service
    intervals = sorted(
        (max(window.start, start), min(window.end, end))
        for window in approved_maintenance(start=start, end=end, service_ids=[service_id])
    )
    merged: list[list] = []
    for lo, hi in intervals:
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def calendar_changes(
    *, start: dt.datetime, end: dt.datetime, service_id: int | None = None, group_id: int | None = None
) -> QuerySet[Change]:
    """Changes on the calendar whose window touches start–end, filtered by service and group."""
    changes = Change.objects.filter(
        state__in=ON_CALENDAR, planned_start__lt=end, planned_end__gt=start
    ).select_related("ticket", "ticket__support_group")
    if service_id:
        changes = changes.filter(services=service_id)
    if group_id:
        changes = changes.filter(ticket__support_group_id=group_id)
    return changes.prefetch_related(
        Prefetch("services", queryset=Service.objects.only("pk", "code", "name_nb", "name_en"))
    ).order_by("planned_start", "pk")


def awaiting_cab(*, start: dt.datetime | None = None, end: dt.datetime | None = None) -> QuerySet[Change]:
    """The CAB agenda: changes awaiting a CAB decision, planned to start in start–end."""
    changes = Change.objects.filter(state=Change.State.AWAITING_APPROVAL, cab_required=True)
    if start is not None:
        changes = changes.filter(planned_start__gte=start)
    if end is not None:
        changes = changes.filter(planned_start__lt=end)
    return (
        changes.select_related("ticket", "owner", "ticket__support_group")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.only("pk", "code", "name_nb", "name_en")),
            Prefetch("approvals", queryset=ChangeApproval.objects.select_related("approver")),
        )
        .order_by("planned_start", "pk")
    )


def current_approvals(change: Change) -> list[ChangeApproval]:
    """The approvals of the change's current round (read from a prefetch when there is one)."""
    return [approval for approval in change.approvals.all() if approval.round == change.approval_round]


def change_timeline(change: Change) -> list:
    """The change ticket's whole timeline: the change page is for IT staff, internal notes included."""
    from tickets.models import TicketEvent

    return list(
        TicketEvent.objects.filter(ticket_id=change.ticket_id)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def affected_through(change: Change) -> list[Service]:
    """The services that depend on the change's services, directly or not: affected through them."""
    own = {service.pk for service in change.services.all()}
    others = impact_set(own) - own
    if not others:
        return []
    return list(
        Service.objects.filter(pk__in=others).only("pk", "code", "name_nb", "name_en").order_by("name_nb")
    )


def standard_templates() -> QuerySet:
    """The standard change templates in use, for the catalogue of standard changes."""
    from changes.models import StandardChangeTemplate

    return (
        StandardChangeTemplate.objects.filter(is_active=True)
        .select_related("implementer_group")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.only("pk", "code", "name_nb", "name_en"))
        )
        .order_by("name_nb")
    )


def awaiting_manager_alone() -> QuerySet[Change]:
    """Changes awaiting approval that the CAB is not needed for: the change manager's alone."""
    return (
        Change.objects.filter(state=Change.State.AWAITING_APPROVAL, cab_required=False)
        .select_related("ticket", "owner")
        .order_by("planned_start")
    )


def recent_votes(user, limit: int = 10) -> list[ChangeApproval]:
    """The user's last decided votes, newest first."""
    return list(
        ChangeApproval.objects.filter(approver=user)
        .exclude(decision=ChangeApproval.Decision.PENDING)
        .select_related("change__ticket")
        .order_by("-decided_at")[:limit]
    )
