"""Import support groups, services and catalogue items (with their order questions) from JSON.

Upserts by code, one savepoint per row, through the catalogue's own service layer so that an imported
service, item or question is validated exactly like one made in the UI. See ``docs/imports.md``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import services as catalog_services
from catalog.models import ApproverGroup, CatalogItem, OrderQuestion, Service, ServiceCategory
from people import roles
from people.imports import (
    ImportFileError,
    ImportReport,
    RowError,
    bool_value,
    changed_fields,
    describe_error,
    indexed,
    mark_history,
    parse_json_object,
    read_text_file,
    row_savepoint,
    run_import,
    save_validated,
    text_value,
)
from people.models import SupportGroup, SupportGroupMembership, User
from sla.models import BusinessCalendar

SECTIONS = ("categories", "approver_groups", "support_groups", "services", "items")

BILINGUAL_FILE_NAMES = {
    "name_nb": "name.nb",
    "name_en": "name.en",
    "description_nb": "description.nb",
    "description_en": "description.en",
    "summary_nb": "summary.nb",
    "summary_en": "summary.en",
}
GROUP_FILE_NAMES = BILINGUAL_FILE_NAMES | {"is_first_line": "first_line"}
SERVICE_FILE_NAMES = BILINGUAL_FILE_NAMES | {
    "availability_target": "availability_target_pct",
    "in_public_report": "public",
    "support_calendar": "calendar",
}
ITEM_FILE_NAMES = BILINGUAL_FILE_NAMES | {
    "price": "price_nok",
    "stock_count": "stock",
    "approval_policy": "approval",
    "approval_threshold": "approval.manager_above_nok",
    "approver_group": "approval.group",
}
QUESTION_FILE_NAMES = {
    "label_nb": "label.nb",
    "label_en": "label.en",
    "help_nb": "help.nb",
    "help_en": "help.en",
    "min_value": "min",
    "max_value": "max",
}

# The file's item kinds → the model's; the model's own values are accepted as well.
ITEM_KINDS = {
    "equipment": CatalogItem.Kind.EQUIPMENT,
    "software": CatalogItem.Kind.LICENCE,
    "access": CatalogItem.Kind.ACCESS,
    "service": CatalogItem.Kind.OTHER,
    "licence": CatalogItem.Kind.LICENCE,
    "other": CatalogItem.Kind.OTHER,
}
DEFAULT_CALENDAR = "default"
ALWAYS_OPEN_CALENDAR = "24x7"


def read_catalog_file(path: str | Path) -> dict[str, list]:
    """Read a catalogue file: one JSON object with the lists of ``SECTIONS`` (each optional)."""
    return parse_json_object(read_text_file(path), path, SECTIONS)


# --- Reading values ------------------------------------------------------------------------------------


def bilingual(row: dict, key: str) -> tuple[str, str]:
    """Return (Bokmål, English) from ``{"nb": …, "en": …}``; plain text is used for both languages."""
    value = row.get(key)
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value.strip(), value.strip()
    if not isinstance(value, dict):
        raise RowError({key: _('Write {"nb": …, "en": …} or plain text.')})
    return text_value(value, "nb"), text_value(value, "en")


def model_value(model, name: str, row: dict, key: str):
    """Return the row's number converted the way the model field converts it (integers, decimals)."""
    value = row.get(key)
    if isinstance(value, float):
        value = str(value)  # a JSON 99.95 is the decimal 99.95, not the nearest binary fraction
    if isinstance(value, bool):
        raise RowError({key: _("Write a number.")})
    try:
        return model._meta.get_field(name).to_python(value)
    except ValidationError as exc:
        raise RowError({key: exc.messages}) from None


def decimal_value(value, key: str) -> Decimal:
    try:
        if isinstance(value, bool) or value is None:
            raise InvalidOperation
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError({key: _("Write a number.")}) from None


def user_by_username(username: str, key: str, *, active: bool = False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise RowError({key: _("No user has the username “%(username)s”.") % {"username": username}})
    if active and not user.is_active:
        raise RowError({key: _("“%(username)s” is not active.") % {"username": username}})
    return user


def usernames(row: dict, key: str) -> list[User]:
    names = row.get(key)
    if names is None:
        return []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RowError({key: _("Write a list of usernames.")})
    found = {u.username: u for u in User.objects.filter(username__in=[n.strip() for n in names])}
    missing = [n.strip() for n in names if n.strip() not in found]
    if missing:
        raise RowError({key: _("No user has the username: %(names)s.") % {"names": ", ".join(missing)}})
    return list({n.strip(): found[n.strip()] for n in names}.values())


def codes(row: dict, key: str) -> list[str]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise RowError({key: _("Write a list of codes.")})
    return list(dict.fromkeys(c.strip() for c in value))


def calendar_for(name: str) -> BusinessCalendar | None:
    """Return the calendar a file names: "default" (None: the default calendar), "24x7", or a calendar's
    code or name in either language."""
    if name.lower() == DEFAULT_CALENDAR:
        return None
    if name.lower() == ALWAYS_OPEN_CALENDAR:
        calendar = BusinessCalendar.objects.filter(code=ALWAYS_OPEN_CALENDAR).first()
        calendar = calendar or BusinessCalendar.objects.filter(always_open=True).order_by("pk").first()
    else:
        calendar = (
            BusinessCalendar.objects.filter(Q(code=name) | Q(name_nb__iexact=name) | Q(name_en__iexact=name))
            .order_by("pk")
            .first()
        )
    if calendar is None:
        raise RowError({"calendar": _("No business calendar is called “%(name)s”.") % {"name": name}})
    return calendar


def add_roles(users: list[User], role: str) -> None:
    """Give the users a role they lack (roles are only ever added by an import)."""
    group = Group.objects.filter(name=role).first()
    if group is None:
        roles.sync_roles(Group, Permission)
        group = Group.objects.get(name=role)
    through = User.groups.through
    have = set(through.objects.filter(group=group, user__in=users).values_list("user_id", flat=True))
    through.objects.bulk_create([through(user_id=u.pk, group_id=group.pk) for u in users if u.pk not in have])


def prefixed(exc: ValidationError, prefix: str, file_names: dict[str, str]) -> RowError:
    """Return a question's validation error keyed as ``questions[2].min``."""
    if not hasattr(exc, "error_dict"):
        return RowError({prefix: exc.messages})
    return RowError(
        {
            f"{prefix}.{file_names.get(name, name)}"
            if name and name != NON_FIELD_ERRORS
            else prefix: messages
            for name, messages in exc.message_dict.items()
        }
    )


# --- The import ---------------------------------------------------------------------------------------


class CatalogImport:
    """One run of the catalogue import, in dependency order: groups, services, dependencies, items."""

    LABELS = {
        "categories": gettext_lazy("Service categories"),
        "approver_groups": gettext_lazy("Approver groups"),
        "support_groups": gettext_lazy("Support groups"),
        "services": gettext_lazy("Services"),
        "items": gettext_lazy("Catalogue items"),
    }

    def __init__(self, data: dict[str, list], *, dry_run: bool = False) -> None:
        self.data = data
        self.report = ImportReport(dry_run=dry_run)
        if data.get("_unknown"):
            self.report.warnings.append(_("ignored keys: %(keys)s") % {"keys": ", ".join(data["_unknown"])})
        for key in SECTIONS:
            # Categories and approver groups are optional helpers; the three kinds always show.
            if data.get(key) or key in ("support_groups", "services", "items"):
                self.report.kind(key, str(self.LABELS[key]))
        self.service_outcomes: dict[str, tuple[str, str, dict]] = {}

    def run(self) -> ImportReport:
        return run_import(self.report, self._run)

    def _run(self) -> None:
        self.each("categories", self.import_category, {})
        self.each("approver_groups", self.import_approver_group, BILINGUAL_FILE_NAMES)
        self.each("support_groups", self.import_support_group, GROUP_FILE_NAMES)
        self.each("services", self.import_service, SERVICE_FILE_NAMES, count=False)
        self.set_dependencies()
        for _code, (_where, outcome, _row) in self.service_outcomes.items():
            self.report.add("services", outcome)
        self.each("items", self.import_item, ITEM_FILE_NAMES)

    def each(self, key: str, importer, file_names: dict[str, str], *, count: bool = True) -> None:
        """Import every row of a section in its own savepoint; a code given twice is refused."""
        seen: dict[str, str] = {}
        for where, row in indexed(key, self.data.get(key, [])):
            if not isinstance(row, dict):
                self.report.error(key, where, _("Each row must be an object."))
                continue
            try:
                code = text_value(row, "code")
            except RowError as exc:
                self.report.error(key, where, describe_error(exc))
                continue
            if not code:
                self.report.error(key, where, "code: " + _("Give the code."))
                continue
            if code in seen:
                message = _("The code “%(code)s” is already given in %(where)s.") % {
                    "code": code,
                    "where": seen[code],
                }
                self.report.error(key, where, "code: " + message)
                continue
            seen[code] = where
            with row_savepoint(self.report, key, where, file_names) as outcome:
                outcome.created, outcome.changed = importer(code, row)
            if count:
                outcome.count(self.report, key)
            elif not outcome.failed:
                state = "created" if outcome.created else "updated" if outcome.changed else "unchanged"
                self.service_outcomes[code] = (where, state, row)

    @staticmethod
    def upsert(model, code: str, values: dict) -> tuple[object, bool, bool]:
        """Create or update a plain master-data row; return (row, created, changed)."""
        instance = model.objects.filter(code=code).first()
        if instance is None:
            instance = model(code=code, **values)
            save_validated(instance)
            return instance, True, True
        changed = changed_fields(instance, values)
        for name in changed:
            setattr(instance, name, values[name])
        if changed:
            save_validated(instance)
        return instance, False, bool(changed)

    @staticmethod
    def names(row: dict, values: dict, *, new: bool) -> None:
        if "name" in row or new:
            values["name_nb"], values["name_en"] = bilingual(row, "name")

    # --- Categories, approver groups, support groups ---

    def import_category(self, code: str, row: dict) -> tuple[bool, bool]:
        new = not ServiceCategory.objects.filter(code=code).exists()
        values: dict = {}
        self.names(row, values, new=new)
        if "sort_order" in row:
            values["sort_order"] = model_value(ServiceCategory, "sort_order", row, "sort_order")
        _category, created, changed = self.upsert(ServiceCategory, code, values)
        return created, changed

    def import_approver_group(self, code: str, row: dict) -> tuple[bool, bool]:
        existing = ApproverGroup.objects.filter(code=code).first()
        values: dict = {}
        self.names(row, values, new=existing is None)
        group, created, changed = self.upsert(ApproverGroup, code, values)
        if "members" in row:
            wanted = {u.pk for u in usernames(row, "members")}
            have = set(group.members.values_list("pk", flat=True))
            if wanted != have:
                group.members.set(sorted(wanted))
                changed = True
        return created, changed

    def import_support_group(self, code: str, row: dict) -> tuple[bool, bool]:
        existing = SupportGroup.objects.filter(code=code).first()
        values: dict = {}
        self.names(row, values, new=existing is None)
        if "email" in row:
            values["email"] = text_value(row, "email")
        if "first_line" in row:
            values["is_first_line"] = bool(bool_value(row, "first_line"))
        lead = None
        if "lead" in row:
            name = text_value(row, "lead")
            lead = user_by_username(name, "lead") if name else None
            values["lead"] = lead
        group, created, changed = self.upsert(SupportGroup, code, values)
        if "members" in row:
            members = usernames(row, "members")
            wanted = {u.pk for u in members}
            have = set(SupportGroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
            if wanted != have:
                SupportGroupMembership.objects.filter(group=group).exclude(user_id__in=wanted).delete()
                SupportGroupMembership.objects.bulk_create(
                    [SupportGroupMembership(group=group, user_id=pk) for pk in sorted(wanted - have)]
                )
                changed = True
            # The people who work a group's queue need the agent role; its lead the group lead role.
            add_roles(members, roles.AGENT)
        if lead is not None:
            add_roles([lead], roles.GROUP_LEAD)
        return created, changed

    # --- Services ---

    def _service_values(self, row: dict, *, new: bool) -> dict:
        values: dict = {}
        self.names(row, values, new=new)
        if "description" in row or new:
            values["description_nb"], values["description_en"] = bilingual(row, "description")
        if "category" in row or new:
            code = text_value(row, "category")
            values["category"] = ServiceCategory.objects.filter(code=code).first()
            if values["category"] is None:
                raise RowError(
                    {"category": _("No service category has the code “%(code)s”.") % {"code": code}}
                )
        if "owner" in row or new:
            name = text_value(row, "owner")
            if not name:
                raise RowError({"owner": _("Give the service owner's username.")})
            values["owner"] = user_by_username(name, "owner", active=True)
        if "support_group" in row or new:
            code = text_value(row, "support_group")
            values["support_group"] = SupportGroup.objects.filter(code=code).first()
            if values["support_group"] is None:
                raise RowError(
                    {"support_group": _("No support group has the code “%(code)s”.") % {"code": code}}
                )
        for key, name in (("criticality", "criticality"), ("availability_target_pct", "availability_target")):
            if key in row:
                values[name] = model_value(Service, name, row, key)
        if "state" in row:
            values["state"] = text_value(row, "state")
        if "public" in row:
            public = bool_value(row, "public")
            if public is None:
                raise RowError({"public": _("Write true or false.")})
            values["in_public_report"] = public
        if "calendar" in row:
            values["support_calendar"] = calendar_for(text_value(row, "calendar") or DEFAULT_CALENDAR)
        return values

    def import_service(self, code: str, row: dict) -> tuple[bool, bool]:
        service = Service.objects.filter(code=code).first()
        values = self._service_values(row, new=service is None)
        if "depends_on" in row:
            codes(row, "depends_on")  # the shape is checked now, the codes once every service exists
        if service is None:
            service = catalog_services.service_create(actor=None, code=code, **values)
            mark_history(service)
            return True, True
        changed = changed_fields(service, values)
        if not changed:
            return False, False
        service = catalog_services.service_update(
            service=service, actor=None, **{name: values[name] for name in changed}
        )
        mark_history(service)
        return False, True

    def set_dependencies(self) -> None:
        """Point each imported service at the services it depends on, once all of them exist."""
        for code, (where, outcome, row) in self.service_outcomes.items():
            if "depends_on" not in row:
                continue
            with row_savepoint(self.report, "services", where, SERVICE_FILE_NAMES) as result:
                service = Service.objects.get(code=code)
                wanted_codes = codes(row, "depends_on")
                found = {s.code: s for s in Service.objects.filter(code__in=wanted_codes)}
                missing = [c for c in wanted_codes if c not in found]
                if missing:
                    raise RowError(
                        {
                            "depends_on": _("No service has the code: %(codes)s.")
                            % {"codes": ", ".join(missing)}
                        }
                    )
                current = set(service.depends_on.values_list("pk", flat=True))
                if current != {s.pk for s in found.values()}:
                    service = catalog_services.service_update(
                        service=service, actor=None, depends_on=list(found.values())
                    )
                    mark_history(service)
                    result.changed = True
            if result.failed:
                # The service itself is saved; only its dependencies were refused (and reported).
                continue
            if result.changed and outcome == "unchanged":
                self.service_outcomes[code] = (where, "updated", row)

    # --- Items and their questions ---

    def _approval(self, row: dict) -> dict:
        approval = row.get("approval")
        policy = CatalogItem.ApprovalPolicy
        values = {"approval_threshold": None, "approver_group": None}
        if approval is None or approval == "none":
            return values | {"approval_policy": policy.NONE}
        if approval == "manager":
            return values | {"approval_policy": policy.MANAGER}
        if isinstance(approval, dict) and set(approval) == {"manager_above_nok"}:
            threshold = decimal_value(approval["manager_above_nok"], "approval.manager_above_nok")
            return values | {
                "approval_policy": policy.MANAGER_ABOVE_THRESHOLD,
                "approval_threshold": threshold,
            }
        if isinstance(approval, dict) and set(approval) == {"group"}:
            code = approval["group"] if isinstance(approval["group"], str) else ""
            group = ApproverGroup.objects.filter(code=code.strip()).first()
            if group is None:
                raise RowError(
                    {"approval.group": _("No approver group has the code “%(code)s”.") % {"code": code}}
                )
            return values | {"approval_policy": policy.GROUP, "approver_group": group}
        raise RowError(
            {"approval": _('Write "none", "manager", {"manager_above_nok": N} or {"group": "<code>"}.')}
        )

    def _item_values(self, row: dict, item: CatalogItem | None) -> dict:
        new = item is None
        values: dict = {}
        self.names(row, values, new=new)
        for key in ("summary", "description"):
            if key in row:
                values[f"{key}_nb"], values[f"{key}_en"] = bilingual(row, key)
        if "service" in row or new:
            code = text_value(row, "service")
            values["service"] = Service.objects.filter(code=code).first()
            if values["service"] is None:
                raise RowError({"service": _("No service has the code “%(code)s”.") % {"code": code}})
            moved = item is None or item.service_id != values["service"].pk
            if moved and values["service"].state == Service.State.RETIRED:
                # As in the item form: nothing new is ordered on a retired service.
                raise RowError({"service": _("The service “%(code)s” is retired.") % {"code": code}})
        if "kind" in row:
            kind = text_value(row, "kind")
            if kind not in ITEM_KINDS:
                raise RowError({"kind": _("Write equipment, software, access or service.")})
            values["kind"] = ITEM_KINDS[kind]
        numbers = (
            ("price_nok", "price"),
            ("lead_time_days", "lead_time_days"),
            ("reorder_level", "reorder_level"),
            ("max_quantity", "max_quantity"),
            ("warranty_months", "warranty_months"),
            ("sort_order", "sort_order"),
        )
        for key, name in numbers:
            if key in row:
                values[name] = model_value(CatalogItem, name, row, key)
        if "stocked" in row:
            values["stocked"] = bool(bool_value(row, "stocked"))
        if "state" in row:
            values["state"] = text_value(row, "state")
        elif new:
            values["state"] = CatalogItem.State.LIVE
        if "fulfilment_group" in row:
            code = text_value(row, "fulfilment_group")
            values["fulfilment_group"] = SupportGroup.objects.filter(code=code).first() if code else None
            if code and values["fulfilment_group"] is None:
                raise RowError(
                    {"fulfilment_group": _("No support group has the code “%(code)s”.") % {"code": code}}
                )
        if "approval" in row or new:
            values |= self._approval(row)
        return values

    def import_item(self, code: str, row: dict) -> tuple[bool, bool]:
        item = CatalogItem.objects.filter(code=code).first()
        values = self._item_values(row, item)
        if item is None:
            if "stock" in row:
                values["stock_count"] = model_value(CatalogItem, "stock_count", row, "stock")
            item = catalog_services.item_create(actor=None, code=code, **values)
            mark_history(item)
            created = changed = True
        else:
            created = False
            changed_names = changed_fields(item, values)
            changed = bool(changed_names)
            if changed:
                item = catalog_services.item_update(
                    item=item, actor=None, **{name: values[name] for name in changed_names}
                )
                mark_history(item)
        if "questions" in row:
            changed = self.sync_questions(item, row["questions"]) or changed
        return created, changed

    def _question_values(self, spec: dict, position: int) -> dict:
        values: dict = {"position": position}
        values["label_nb"], values["label_en"] = bilingual(spec, "label")
        values["help_nb"], values["help_en"] = bilingual(spec, "help")
        values["type"] = text_value(spec, "type") or OrderQuestion.Type.TEXT
        required = bool_value(spec, "required")
        values["required"] = True if required is None else required
        for key, name in (("min", "min_value"), ("max", "max_value")):
            values[name] = (
                decimal_value(spec[key], key) if spec.get(key) is not None and spec.get(key) != "" else None
            )
        values["choices"] = self._choices(spec.get("choices"))
        # As the catalogue's own validation does: limits only for numbers, options only for choices.
        if values["type"] != OrderQuestion.Type.NUMBER:
            values["min_value"] = values["max_value"] = None
        if values["type"] not in catalog_services.CHOICE_TYPES:
            values["choices"] = []
        return values

    @staticmethod
    def _choices(choices) -> list[dict]:
        """Return options as the model keeps them: {"value", "label_nb", "label_en"}."""
        if choices is None:
            return []
        if not isinstance(choices, list):
            raise RowError({"choices": _("Write a list of options.")})
        options = []
        for option in choices:
            if isinstance(option, str | int) and not isinstance(option, bool):
                value = str(option).strip()
                options.append({"value": value, "label_nb": value, "label_en": value})
            elif isinstance(option, dict):
                value = text_value(option, "value")
                if "label" in option:
                    label_nb, label_en = bilingual(option, "label")
                else:
                    label_nb, label_en = text_value(option, "label_nb"), text_value(option, "label_en")
                label_nb = label_nb or value
                options.append({"value": value, "label_nb": label_nb, "label_en": label_en or label_nb})
            else:
                raise RowError({"choices": _("Each option is text or an object with a value and a label.")})
        return options

    def sync_questions(self, item: CatalogItem, specs) -> bool:
        """Make the item's questions match the file (by key, in the file's order); return whether any changed.

        Questions the file no longer lists are removed; answers already given keep their key.
        """
        if not isinstance(specs, list):
            raise RowError({"questions": _("Write a list of questions.")})
        current = {q.key: q for q in item.questions.all()}
        changed = False
        listed: set[str] = set()
        for index, spec in enumerate(specs):
            prefix = f"questions[{index}]"
            try:
                if not isinstance(spec, dict):
                    raise RowError({"": _("Each question must be an object.")})
                key = text_value(spec, "key")
                if key in listed:
                    raise RowError({"key": _("Another question on this item already has this key.")})
                listed.add(key)
                values = self._question_values(spec, (index + 1) * 10)
                question = current.get(key)
                if question is None:
                    catalog_services.question_create(item=item, actor=None, key=key, **values)
                    changed = True
                else:
                    differs = changed_fields(question, values)
                    if differs:
                        catalog_services.question_update(
                            question=question, actor=None, **{n: values[n] for n in differs}
                        )
                        changed = True
            except ValidationError as exc:
                raise prefixed(exc, prefix, QUESTION_FILE_NAMES) from None
        for key, question in current.items():
            if key not in listed:
                catalog_services.question_delete(question=question, actor=None)
                changed = True
        return changed


def import_catalog(data: dict[str, list], *, dry_run: bool = False) -> ImportReport:
    """Import the catalogue file's groups, services and items; see ``docs/imports.md``."""
    if not any(data.get(key) for key in SECTIONS):
        raise ImportFileError(_("The file lists no support groups, services or items."))
    return CatalogImport(data, dry_run=dry_run).run()
