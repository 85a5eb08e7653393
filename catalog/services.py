"""Writes to the service catalogue. Every create and update goes through here, from the UI, admin
scripts, the demo seed and (later) imports and the API alike."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Service, ServiceDependency

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
