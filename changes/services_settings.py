"""Writes to the change manager's settings: the change types' approval settings, standard change
templates, freeze windows and maintenance windows that belong to no change (a supplier's maintenance).

Every write checks the actor may manage changes (an actor of None is the system: the demo seed, scripts),
validates everything before saving, and records who did it in the history where the model keeps one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalog.models import Service
from changes.models import ChangeKind, ChangeType, FreezeWindow, MaintenanceWindow, StandardChangeTemplate

MAX_CAB_QUORUM = 20

# Template codes that would collide with the settings pages' own addresses (templates/new/).
RESERVED_CODES = frozenset({"new"})

TYPE_FIELDS = (
    "name_nb",
    "name_en",
    "description_nb",
    "description_en",
    "needs_approval",
    "approval_rule",
    "cab_from_risk",
    "cab_quorum",
    "needs_review",
)

TEMPLATE_FIELDS = (
    "code",
    "name_nb",
    "name_en",
    "description",
    "implementer_group",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "causes_downtime",
    "duration_minutes",
    "tasks",
)

FREEZE_FIELDS = ("name_nb", "name_en", "start", "end", "reason")

MAINTENANCE_FIELDS = ("service", "planned_start", "planned_end", "description")


def _check_manager(actor) -> None:
    if actor is not None and not actor.has_perm("changes.manage_changes"):
        raise PermissionDenied(_("You may not change the change settings."))


def _full_clean(instance, problems: dict[str, list]) -> None:
    """Run the model's validation and the domain checks, and report every problem at once.

    The models' check constraints are not validated here: each has a domain check below that names the
    field at fault, where Django's constraint message would name only the constraint. The constraints
    still guard the database.
    """
    errors: dict[str, list] = {}
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for name, messages in problems.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _end_after_start(start, end, *, field: str) -> dict[str, list]:
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime) and end <= start:
        return {field: [_("The end must be after the start.")]}
    return {}


# --- Change types ---------------------------------------------------------------------------------


def change_type_problems(change_type: ChangeType) -> dict[str, list]:
    """Return the approval rules the change type's settings break, by field."""
    problems: dict[str, list] = {}
    if change_type.kind == ChangeKind.STANDARD and change_type.needs_approval:
        problems["needs_approval"] = [
            _("Standard changes are pre-approved through their template; they cannot need approval.")
        ]
    quorum = change_type.cab_quorum
    if quorum is not None and not 0 <= quorum <= MAX_CAB_QUORUM:
        problems["cab_quorum"] = [_("The quorum must be between 0 and %(max)d.") % {"max": MAX_CAB_QUORUM}]
    elif change_type.needs_approval and change_type.cab_from_risk and quorum == 0:
        # A quorum of none would silently mean the CAB is never asked, whatever the risk says.
        problems["cab_quorum"] = [
            _("When the CAB is needed from a risk, at least one CAB member must approve.")
        ]
    return problems


@transaction.atomic
def change_type_update(*, change_type: ChangeType, actor, **fields) -> ChangeType:
    """Update a change type's names and approval settings; its kind stays as it is."""
    _check_manager(actor)
    locked = ChangeType.objects.select_for_update().get(pk=change_type.pk)
    for name, value in fields.items():
        if name in TYPE_FIELDS:
            setattr(locked, name, value)
    _full_clean(locked, change_type_problems(locked))
    locked._history_user = actor
    locked.save()
    return locked


# --- Standard change templates --------------------------------------------------------------------


def _code_taken() -> dict[str, list]:
    return {"code": [_("Another template already has this code.")]}


def _template_problems(template: StandardChangeTemplate) -> dict[str, list]:
    problems: dict[str, list] = {}
    if template.duration_minutes is not None and template.duration_minutes < 1:
        problems["duration_minutes"] = [_("The duration must be at least one minute.")]
    if template.code in RESERVED_CODES:
        problems["code"] = [_("This code is reserved; choose another.")]
    elif template.code:
        others = StandardChangeTemplate.objects.filter(code=template.code)
        if template.pk:
            others = others.exclude(pk=template.pk)
        if others.exists():
            problems.update(_code_taken())
    return problems


def _save_template(template: StandardChangeTemplate, *, actor, services: Iterable[Service] | None) -> None:
    _full_clean(template, _template_problems(template))
    template._history_user = actor
    try:
        # A savepoint, so the transaction survives the race with another save of the same code.
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ValidationError(_code_taken()) from None
    if services is not None:
        template.services.set(list(services))


@transaction.atomic
def template_create(*, actor, services: Iterable[Service] | None = None, **fields) -> StandardChangeTemplate:
    """Create a standard change template (in use from the start)."""
    _check_manager(actor)
    template = StandardChangeTemplate(**{k: v for k, v in fields.items() if k in TEMPLATE_FIELDS})
    _save_template(template, actor=actor, services=list(services or []))
    return template


@transaction.atomic
def template_update(
    *, template: StandardChangeTemplate, actor, services: Iterable[Service] | None = None, **fields
) -> StandardChangeTemplate:
    """Update a template; the code stays as it was, since the standard catalogue's addresses use it.

    Changes already made from the template keep the plans they were given.
    """
    _check_manager(actor)
    locked = StandardChangeTemplate.objects.select_for_update().get(pk=template.pk)
    for name, value in fields.items():
        if name in TEMPLATE_FIELDS and name != "code":
            setattr(locked, name, value)
    _save_template(locked, actor=actor, services=services)
    return locked


@transaction.atomic
def template_set_active(
    *, template: StandardChangeTemplate, actor, is_active: bool
) -> StandardChangeTemplate:
    """Retire a template (no new changes from it) or bring it back into use."""
    _check_manager(actor)
    locked = StandardChangeTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.is_active != is_active:
        locked.is_active = is_active
        locked._history_user = actor
        locked.save(update_fields=["is_active"])
    return locked


# --- Freeze windows -------------------------------------------------------------------------------


def _save_freeze(window: FreezeWindow, *, actor, services: Iterable[Service] | None) -> None:
    _full_clean(window, _end_after_start(window.start, window.end, field="end"))
    window._history_user = actor
    window.save()
    if services is not None:
        window.services.set(list(services))


@transaction.atomic
def freeze_create(*, actor, services: Iterable[Service] | None = None, **fields) -> FreezeWindow:
    """Create a freeze window; without services it freezes every service."""
    _check_manager(actor)
    window = FreezeWindow(**{k: v for k, v in fields.items() if k in FREEZE_FIELDS})
    _save_freeze(window, actor=actor, services=list(services or []))
    return window


@transaction.atomic
def freeze_update(
    *, window: FreezeWindow, actor, services: Iterable[Service] | None = None, **fields
) -> FreezeWindow:
    """Update a freeze window's name, period, reason and services."""
    _check_manager(actor)
    locked = FreezeWindow.objects.select_for_update().get(pk=window.pk)
    for name, value in fields.items():
        if name in FREEZE_FIELDS:
            setattr(locked, name, value)
    _save_freeze(locked, actor=actor, services=services)
    return locked


@transaction.atomic
def freeze_delete(*, window: FreezeWindow, actor) -> None:
    """Delete a freeze window; the history keeps it, with who deleted it."""
    _check_manager(actor)
    locked = FreezeWindow.objects.select_for_update().filter(pk=window.pk).first()
    if locked is None:
        return
    locked._history_user = actor
    locked.delete()


# --- Maintenance windows that belong to no change -------------------------------------------------


@transaction.atomic
def maintenance_create(*, actor, **fields) -> MaintenanceWindow:
    """Record planned downtime of a service that no change of ours causes (a supplier's maintenance).

    The availability figures subtract it as approved maintenance from the start.
    """
    _check_manager(actor)
    window = MaintenanceWindow(change=None, **{k: v for k, v in fields.items() if k in MAINTENANCE_FIELDS})
    problems = _end_after_start(window.planned_start, window.planned_end, field="planned_end")
    _full_clean(window, problems)
    window.save()
    return window


class MaintenanceBelongsToChange(ValidationError):
    """A change's maintenance windows follow the change; they are edited on the change."""


@transaction.atomic
def maintenance_delete(*, window: MaintenanceWindow, actor) -> None:
    """Delete a maintenance window that belongs to no change."""
    _check_manager(actor)
    locked = MaintenanceWindow.objects.select_for_update().filter(pk=window.pk).first()
    if locked is None:
        return
    if locked.change_id is not None:
        raise MaintenanceBelongsToChange(_("This window belongs to a change; change it on the change."))
    locked.delete()
