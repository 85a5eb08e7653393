"""Import people and organisation units from the HR/identity master (JSON or CSV), and the reading,
row-by-row and reporting machinery that the catalogue import shares.

Every row is written in its own savepoint: a bad row is reported with where it is in the file and skipped,
and never leaves a half-written record. Rows whose values already match the database are not saved, so
running the same file twice writes nothing (and leaves no new history rows).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from people import roles
from people.models import OrgUnit, User

CHANGE_REASON = "import"

PEOPLE_COLUMNS = (
    "employee_number",
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "org_unit",
    "cost_centre",
    "office",
    "active",
)
# Optional: the title of the person's position, and (CSV only) the unit to create when it is missing.
PEOPLE_OPTIONAL_COLUMNS = ("job_title", "org_unit_name", "org_unit_parent")

# A person's text fields in the file → the User fields that hold them.
PERSON_TEXT_FIELDS = {
    "username": "username",
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "cost_centre": "cost_centre",
    "office": "office_location",
    "job_title": "job_title",
}
# Model field → the name the file uses for it, so that errors name what the file calls the field.
PERSON_FILE_NAMES = {model: name for name, model in PERSON_TEXT_FIELDS.items()} | {
    "is_active": "active",
    "org_unit": "org_unit",
    "employee_number": "employee_number",
}
UNIT_FILE_NAMES = {"name": "name", "parent": "parent", "kind": "kind", "cost_centre": "cost_centre"}

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "ja", "j", "x"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "nei"})


class ImportFileError(Exception):
    """The file cannot be read at all (missing, not UTF-8, not JSON, wrong top-level shape)."""


class RowError(ValidationError):
    """A row cannot be imported; the message dict is keyed by the file's field names."""


# --- The report -----------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), per kind of record, and each bad row."""

    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def kind(self, key: str, label: str) -> None:
        """Declare a kind of record, so that its summary line is printed even when nothing happened."""
        self.labels.setdefault(key, label)
        self.counts.setdefault(key, Counter())

    def add(self, key: str, outcome: str) -> None:
        self.counts.setdefault(key, Counter())[outcome] += 1

    def error(self, key: str, where: str, message: str) -> None:
        self.add(key, "errors")
        self.errors.append((where, message))

    def sorted_errors(self) -> list[tuple[str, str]]:
        """Return the errors in file order: by section, then by index or line number."""
        sections = list(self.labels)

        def position(error: tuple[str, str]) -> tuple[int, int]:
            match = re.match(r"^(\w+)\[(\d+)\]", error[0])
            if match:
                section = sections.index(match[1]) if match[1] in sections else len(sections)
                return section, int(match[2])
            number = re.search(r"\d+", error[0])
            return len(sections), int(number[0]) if number else 0

        return sorted(self.errors, key=position)

    def summary_lines(self) -> list[str]:
        """Return one line per kind of record: created, updated, deactivated (people), unchanged, errors."""
        if self.dry_run:
            words = {
                "created": _("would create"),
                "updated": _("would update"),
                "deactivated": _("would deactivate"),
            }
        else:
            words = {"created": _("created"), "updated": _("updated"), "deactivated": _("deactivated")}
        words |= {"unchanged": _("unchanged"), "errors": _("errors")}
        lines = []
        for key, label in self.labels.items():
            counts = self.counts[key]
            shown = ["created", "updated", *(["deactivated"] if "deactivated" in counts else []), "unchanged"]
            parts = [f"{words[outcome]}: {counts[outcome]}" for outcome in [*shown, "errors"]]
            lines.append(f"{label} — {', '.join(parts)}")
        return lines

    def lines(self) -> list[str]:
        """Return the whole report as text lines: the summary, then warnings and every error."""
        lines = []
        if self.dry_run:
            lines.append(_("Dry run: nothing was saved."))
        lines.extend(self.summary_lines())
        for warning in self.warnings:
            lines.append(_("Warning: %(warning)s") % {"warning": warning})
        if self.errors:
            lines.append(_("Errors:"))
            lines.extend(f"  {where}: {message}" for where, message in self.sorted_errors())
        return lines


def describe_error(exc: ValidationError, file_names: dict[str, str] | None = None) -> str:
    """Return a validation error as one line that names each field the way the file names it."""
    file_names = file_names or {}
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, messages in exc.message_dict.items():
        text = " ".join(messages)
        if name == NON_FIELD_ERRORS:
            parts.append(text)
        else:
            parts.append(f"{file_names.get(name, name)}: {text}")
    return "; ".join(parts)


class RowOutcome:
    """What one row did: ``changed`` is set by the row's code, ``failed`` when it was refused."""

    def __init__(self) -> None:
        self.changed = False
        self.created = False
        self.failed = False

    def count(self, report: ImportReport, key: str) -> None:
        """Count the row as created, updated or unchanged (a refused row is counted as an error already)."""
        if not self.failed:
            report.add(key, "created" if self.created else "updated" if self.changed else "unchanged")


@contextmanager
def row_savepoint(report: ImportReport, key: str, where: str, file_names: dict[str, str] | None = None):
    """Run one row's writes in a savepoint; a validation or database error undoes them and is reported."""
    outcome = RowOutcome()
    try:
        with transaction.atomic():
            yield outcome
    except ValidationError as exc:
        outcome.failed = True
        report.error(key, where, describe_error(exc, file_names))
    except DatabaseError as exc:
        outcome.failed = True
        report.error(key, where, _("the database refused the row: %(error)s") % {"error": exc})


def run_import(report: ImportReport, body: Callable[[], None]) -> ImportReport:
    """Run an import; in a dry run everything happens inside one transaction that is rolled back."""
    if report.dry_run:
        with transaction.atomic():
            body()
            transaction.set_rollback(True)
    else:
        body()
    return report


# --- Reading values -----------------------------------------------------------------------------------


def text_value(row: dict, key: str, *, max_length: int | None = None) -> str:
    """Return a text field of a row, stripped; None is empty; numbers are written as text."""
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError({key: _("Write this as text.")})
    text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        raise RowError(
            {
                key: _("At most %(limit)d characters (it has %(length)d).")
                % {"limit": max_length, "length": len(text)}
            }
        )
    return text


def bool_value(row: dict, key: str) -> bool | None:
    """Return a yes/no field: JSON true/false, or text such as true/false, yes/no, ja/nei, 1/0."""
    value = row.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError({key: _("Write true or false.")})


def read_text_file(path: str | Path) -> str:
    """Return the file's text (UTF-8, with or without a byte-order mark)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("%(path)s is not UTF-8 text (byte %(position)d).") % {"path": path, "position": exc.start}
        ) from exc


def parse_json_object(text: str, path: str | Path, lists: tuple[str, ...]) -> dict[str, list]:
    """Return the top-level JSON object's lists; the keys not given are empty lists."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("%(path)s is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
            % {"path": path, "error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from exc
    if not isinstance(data, dict):
        raise ImportFileError(_("%(path)s must hold one JSON object.") % {"path": path})
    result = {}
    for key in lists:
        value = data.get(key, [])
        if value is None:
            value = []
        if not isinstance(value, list):
            raise ImportFileError(_("“%(key)s” must be a list.") % {"key": key})
        result[key] = value
    unknown = sorted(set(data) - set(lists))
    if unknown:
        result["_unknown"] = unknown
    return result


def indexed(key: str, rows: list) -> Iterator[tuple[str, object]]:
    """Yield each JSON row with where it is in the file (``people[3]``)."""
    for index, row in enumerate(rows):
        yield f"{key}[{index}]", row


def line_label(number: int) -> str:
    return _("line %(number)d") % {"number": number}


# --- The people file --------------------------------------------------------------------------------


@dataclass
class PeopleData:
    """A people file read into rows, each with where it came from (``people[3]`` or ``line 5``)."""

    org_units: list[tuple[str, object]] = field(default_factory=list)
    people: list[tuple[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_people_file(path: str | Path) -> PeopleData:
    """Read a people file: JSON (an object with org_units and people) or CSV (one person per line)."""
    text = read_text_file(path)
    suffix = Path(path).suffix.lower()
    is_csv = suffix == ".csv" or (suffix != ".json" and not text.lstrip().startswith(("{", "[")))
    return people_from_csv(text) if is_csv else people_from_json(text, path)


def people_from_json(text: str, path: str | Path = "") -> PeopleData:
    data = parse_json_object(text, path, ("org_units", "people"))
    warnings = []
    if data.get("_unknown"):
        warnings.append(_("ignored keys: %(keys)s") % {"keys": ", ".join(data["_unknown"])})
    return PeopleData(
        org_units=list(indexed("org_units", data["org_units"])),
        people=list(indexed("people", data["people"])),
        warnings=warnings,
    )


def people_from_csv(text: str) -> PeopleData:
    """Read people from CSV with a header row; the delimiter (comma or semicolon) is taken from the header.

    A line with ``org_unit_name`` also declares the unit ``org_unit`` (created when missing, renamed
    when the name differs), under ``org_unit_parent`` when that column is given and filled in.
    """
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [name.strip() for name in (reader.fieldnames or [])]
    if "employee_number" not in columns:
        raise ImportFileError(_("The CSV header must name the column “employee_number”."))
    reader.fieldnames = columns
    result = PeopleData()
    unknown = [name for name in columns if name not in PEOPLE_COLUMNS + PEOPLE_OPTIONAL_COLUMNS]
    if unknown:
        result.warnings.append(_("ignored columns: %(columns)s") % {"columns": ", ".join(unknown)})
    units: dict[str, tuple[str, dict]] = {}
    try:
        for row in reader:
            where = line_label(reader.line_num)
            wanted = PEOPLE_COLUMNS + PEOPLE_OPTIONAL_COLUMNS
            row = {k: (v or "").strip() for k, v in row.items() if k in wanted and isinstance(v, str | None)}
            name, parent = row.pop("org_unit_name", ""), row.pop("org_unit_parent", "")
            code = row.get("org_unit", "")
            if code and name:
                spec = {"code": code, "name": name, **({"parent": parent} if parent else {})}
                # The first line that names a unit declares it; a later line that says otherwise is an error.
                if code not in units or units[code][1] != spec:
                    units.setdefault(code, (where, spec))
                    result.org_units.append((where, spec))
            # Empty cells in the yes/no column mean "not given"; elsewhere they clear the value.
            if row.get("active") == "":
                row.pop("active")
            result.people.append((where, row))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV cannot be read at line %(number)d: %(error)s")
            % {"number": reader.line_num, "error": exc}
        ) from exc
    return result


# --- Importing people and units -----------------------------------------------------------------------

UNIT_KIND_BY_DEPTH = (OrgUnit.Kind.SECTOR, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.UNIT)


def employee_group() -> Group:
    """Return the employee role's group, creating the roles if a fresh database lacks them."""
    group = Group.objects.filter(name=roles.EMPLOYEE).first()
    if group is None:
        roles.sync_roles(Group, Permission)
        group = Group.objects.get(name=roles.EMPLOYEE)
    return group


def changed_fields(instance, values: dict) -> list[str]:
    """Return the names whose value differs from the instance's; related rows compare by key, no query."""
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            current = getattr(instance, field.attname)
            value = value.pk if value is not None else None
        else:
            current = getattr(instance, name)
        if current != value:
            changed.append(name)
    return changed


def mark_history(instance) -> None:
    """Give the newest history row of an instance saved by a domain function the import as reason."""
    record = instance.history.order_by("-history_id").first()
    if record is not None and record.history_change_reason != CHANGE_REASON:
        record.history_change_reason = CHANGE_REASON
        record.save(update_fields=["history_change_reason"])


def save_validated(instance, *, exclude: list[str] | None = None) -> None:
    """Validate the instance like a form would, and save it with the import as history reason."""
    instance.full_clean(exclude=exclude)
    instance._change_reason = CHANGE_REASON
    instance.save()


class PeopleImport:
    """One run of the people import: organisation units, then people, then the units' managers."""

    def __init__(self, data: PeopleData, *, full: bool = False, dry_run: bool = False) -> None:
        self.data = data
        self.full = full
        self.report = ImportReport(dry_run=dry_run, warnings=list(data.warnings))
        self.report.kind("org_units", _("Organisation units"))
        self.report.kind("people", _("People"))
        self.created_units: set[str] = set()
        self.unit_rows: dict[str, tuple[str, dict]] = {}
        # Units are counted once both passes are done: a new manager makes an unchanged unit updated.
        self.unit_outcomes: dict[str, str] = {}

    def run(self) -> ImportReport:
        if self.full and not self.data.people:
            raise ImportFileError(_("--full with no people in the file would deactivate everyone; refused."))
        return run_import(self.report, self._run)

    def _run(self) -> None:
        self.import_units()
        listed = self.import_people()
        self.set_managers()
        for outcome in self.unit_outcomes.values():
            self.report.add("org_units", outcome)
        if self.full:
            self.deactivate_missing(listed)

    # --- Units ---

    def import_units(self) -> None:
        """Create or update the units, parents before children; a unit in a cycle is refused."""
        report = self.report
        for where, row in self.data.org_units:
            if not isinstance(row, dict):
                report.error("org_units", where, _("Each organisation unit must be an object."))
                continue
            try:
                code = text_value(row, "code", max_length=40)
            except RowError as exc:
                report.error("org_units", where, describe_error(exc))
                continue
            if not code:
                report.error("org_units", where, "code: " + _("Give the unit's code."))
            elif code in self.unit_rows:
                report.error(
                    "org_units",
                    where,
                    "code: "
                    + _("The code “%(code)s” is already given in %(where)s.")
                    % {"code": code, "where": self.unit_rows[code][0]},
                )
            else:
                self.unit_rows[code] = (where, row)
        existing = {u.pk: u for u in OrgUnit.objects.all()}
        self.db_parent = {
            u.code: (existing[u.parent_id].code if u.parent_id else "") for u in existing.values()
        }
        depths: dict[str, int] = {}
        for code, (where, _row) in self.unit_rows.items():
            try:
                depths[code] = self._depth(code)
            except RowError as exc:
                report.error("org_units", where, describe_error(exc))
        # Parents first: a unit's parent in the file is always created before the unit itself.
        for code in sorted(depths, key=lambda c: depths[c]):
            where, row = self.unit_rows[code]
            with row_savepoint(report, "org_units", where, UNIT_FILE_NAMES) as outcome:
                outcome.changed = self._import_unit(code, row, depths[code])
                outcome.created = code in self.created_units
            if not outcome.failed:
                self.unit_outcomes[code] = (
                    "created" if outcome.created else "updated" if outcome.changed else "unchanged"
                )

    def _parent_code(self, code: str) -> str:
        row = self.unit_rows.get(code, (None, None))[1]
        if row is not None and "parent" in row:
            return text_value(row, "parent")
        return self.db_parent.get(code, "")

    def _depth(self, code: str) -> int:
        """Return how deep the unit will sit (0 for a sector), following the file's parents first."""
        seen = [code]
        parent = self._parent_code(code)
        while parent:
            if parent in seen:
                chain = " → ".join([*seen[seen.index(parent) :], parent])
                raise RowError({"parent": _("The parents form a cycle: %(chain)s.") % {"chain": chain}})
            if parent not in self.unit_rows and parent not in self.db_parent:
                if len(seen) == 1:
                    raise RowError({"parent": _("No unit has the code “%(code)s”.") % {"code": parent}})
                break  # the ancestor's own row reports it
            seen.append(parent)
            parent = self._parent_code(parent)
        return len(seen) - 1

    def _import_unit(self, code: str, row: dict, depth: int) -> bool:
        unit = OrgUnit.objects.filter(code=code).first()
        values: dict = {}
        if "name" in row or unit is None:
            values["name"] = text_value(row, "name", max_length=150)
            if not values["name"]:
                raise RowError({"name": _("Give the unit's name.")})
        if "cost_centre" in row:
            values["cost_centre"] = text_value(row, "cost_centre", max_length=20)
        if "parent" in row or unit is None:
            parent_code = text_value(row, "parent")
            parent = OrgUnit.objects.filter(code=parent_code).first() if parent_code else None
            if parent_code and parent is None:
                raise RowError(
                    {
                        "parent": _("The unit “%(code)s” does not exist (see its own error).")
                        % {"code": parent_code}
                    }
                )
            values["parent"] = parent
        kind = text_value(row, "kind")
        if kind:
            if kind not in OrgUnit.Kind.values:
                raise RowError(
                    {"kind": _("Write one of: %(choices)s.") % {"choices": ", ".join(OrgUnit.Kind.values)}}
                )
            values["kind"] = kind
        elif depth >= len(UNIT_KIND_BY_DEPTH):
            raise RowError({"parent": _("The tree has three levels at most: sector, department, unit.")})
        elif unit is None or "parent" in row:
            values["kind"] = UNIT_KIND_BY_DEPTH[depth]
        if unit is None:
            unit = OrgUnit(code=code, **values)
            save_validated(unit)
            self.created_units.add(code)
            return True
        changed = changed_fields(unit, values)
        if not changed:
            return False
        if "kind" in changed and unit.children.exists():
            raise RowError({"parent": _("A unit with units below it cannot move to another level.")})
        for name in changed:
            setattr(unit, name, values[name])
        save_validated(unit)
        return True

    # --- People ---

    def import_people(self) -> set[str]:
        """Create or update each person; return every employee number the file lists (bad rows too)."""
        report = self.report
        listed: set[str] = set()
        first_seen: dict[str, str] = {}
        self.group = None
        for where, row in self.data.people:
            if not isinstance(row, dict):
                report.error("people", where, _("Each person must be an object."))
                continue
            try:
                number = text_value(row, "employee_number", max_length=20)
            except RowError as exc:
                report.error("people", where, describe_error(exc))
                continue
            if not number:
                report.error("people", where, "employee_number: " + _("Give the employee number."))
                continue
            listed.add(number)
            if number in first_seen:
                message = _("The employee number “%(number)s” is already given in %(where)s.") % {
                    "number": number,
                    "where": first_seen[number],
                }
                report.error("people", where, "employee_number: " + message)
                continue
            first_seen[number] = where
            with row_savepoint(report, "people", where, PERSON_FILE_NAMES) as outcome:
                outcome.created, outcome.changed = self._import_person(number, row)
            outcome.count(report, "people")
        return listed

    def _person_values(self, row: dict) -> dict:
        values: dict = {}
        for name, model_field in PERSON_TEXT_FIELDS.items():
            if name in row:
                values[model_field] = text_value(row, name)
        if "org_unit" in row:
            code = text_value(row, "org_unit")
            unit = OrgUnit.objects.filter(code=code).first() if code else None
            if code and unit is None:
                raise RowError({"org_unit": _("No unit has the code “%(code)s”.") % {"code": code}})
            values["org_unit"] = unit
        active = bool_value(row, "active")
        if active is not None:
            values["is_active"] = active
        return values

    def _import_person(self, number: str, row: dict) -> tuple[bool, bool]:
        """Write one person; return (created, changed)."""
        values = self._person_values(row)
        user = User.objects.filter(employee_number=number).first()
        username = values.get("username", "")
        if user is None and username:
            # Someone already known by username but without an employee number is the same person.
            same_name = User.objects.filter(username=username).first()
            if same_name is not None:
                if same_name.employee_number:
                    raise RowError(
                        {
                            "username": _("“%(username)s” belongs to employee number %(number)s.")
                            % {"username": username, "number": same_name.employee_number}
                        }
                    )
                user = same_name
                values["employee_number"] = number
        if user is None:
            if not username:
                raise RowError({"username": _("A new person needs a username.")})
            user = User(employee_number=number, **values)
            user.set_unusable_password()
            save_validated(user, exclude=["password"])
            if self.group is None:
                self.group = employee_group()
            user.groups.add(self.group)
            return True, True
        if "username" in values and not username:
            raise RowError({"username": _("The username cannot be empty.")})
        changed = changed_fields(user, values)
        if not changed:
            return False, False
        for name in changed:
            setattr(user, name, values[name])
        save_validated(user, exclude=["password"])
        return False, True

    # --- Managers and leavers ---

    def set_managers(self) -> None:
        """Point each unit that names a manager at that person (by employee number, after the people)."""
        report = self.report
        for code, (where, row) in self.unit_rows.items():
            if "manager" not in row:
                continue
            if code not in self.unit_outcomes:
                continue  # the unit's own row failed and is reported
            unit = OrgUnit.objects.get(code=code)
            with row_savepoint(report, "org_units", where, UNIT_FILE_NAMES) as outcome:
                number = text_value(row, "manager")
                manager = User.objects.filter(employee_number=number).first() if number else None
                if number and manager is None:
                    raise RowError(
                        {"manager": _("No person has the employee number “%(number)s”.") % {"number": number}}
                    )
                if unit.manager_id != (manager.pk if manager else None):
                    unit.manager = manager
                    save_validated(unit)
                    outcome.changed = True
            if outcome.changed and self.unit_outcomes.get(code) == "unchanged":
                self.unit_outcomes[code] = "updated"

    def deactivate_missing(self, listed: set[str]) -> None:
        """Deactivate the active people with an employee number that the file does not list.

        Superusers and service accounts are never deactivated; nobody is ever deleted.
        """
        leavers = (
            User.objects.filter(is_active=True, is_superuser=False, is_service_account=False)
            .exclude(employee_number="")
            .exclude(employee_number__in=listed)
            .order_by("employee_number")
        )
        for user in leavers:
            with row_savepoint(self.report, "people", user.employee_number, PERSON_FILE_NAMES) as outcome:
                user.is_active = False
                user._change_reason = CHANGE_REASON
                user.save(update_fields=["is_active"])
            if not outcome.failed:
                self.report.add("people", "deactivated")


def import_people(data: PeopleData, *, full: bool = False, dry_run: bool = False) -> ImportReport:
    """Import organisation units and people; see ``docs/imports.md`` for the format and the rules."""
    return PeopleImport(data, full=full, dry_run=dry_run).run()
