"""Build a realistic demo municipality: organisation tree, employees, support groups, services and
the orderable catalogue (``catalog/demo_items.py``), then a year of incidents, orders and changes.

The command is idempotent: every row has a stable key (a code or a username), the random data comes
from a fixed seed, and existing rows are only written when a value differs from the data tables in
``people/demo_data.py``. Running it twice leaves the database unchanged (no new history rows either).
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalog import demo_items
from catalog.models import CatalogItem, Service, ServiceCategory, ServiceDependency
from catalog.services import service_create, service_update
from people import demo_data, roles
from people.models import OrgUnit, SupportGroup, SupportGroupMembership, User

_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "aa"})

# User fields the seed owns; an existing user is updated only when one of these differs.
USER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "job_title",
    "phone",
    "office_location",
    "employee_number",
    "org_unit_id",
    "is_staff",
    "is_superuser",
    "is_active",
)


def ascii_slug(name: str) -> str:
    """Return a name as lower-case ASCII for a username: æ→ae, ø→o, å→aa, other accents dropped."""
    text = name.lower().translate(_ASCII)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def unique_username(first_name: str, last_name: str, taken: set[str]) -> str:
    """Return ``first.last`` in ASCII, with a number suffix (2, 3, ...) if taken; reserve it in ``taken``."""
    base = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}"
    username, number = base, 1
    while username in taken:
        number += 1
        username = f"{base}{number}"
    taken.add(username)
    return username


@dataclass
class PersonSpec:
    """One seeded user as the data tables describe it."""

    username: str
    first_name: str
    last_name: str
    job_title: str
    phone: str
    office_location: str
    employee_number: str
    unit_code: str
    is_staff: bool = False
    demo: bool = False
    roles: tuple[str, ...] = ()
    manages: list[str] = field(default_factory=list)


class Seeder:
    """Write the demo data tables to the database, touching only rows that differ."""

    def __init__(self) -> None:
        self.rng = random.Random(demo_data.RANDOM_SEED)
        self.stats: Counter[tuple[str, str]] = Counter()
        self.units: dict[str, OrgUnit] = {}
        self.created_units: set[str] = set()
        self.unit_nodes: list[tuple[dict, str, str | None]] = []  # (node, kind, parent code)
        self.people: list[PersonSpec] = []
        self.users: dict[str, User] = {}
        self.unit_manager: dict[str, str] = {}  # unit code -> manager username
        self.wanted_roles: set[tuple[str, str]] = set()  # (username, role code)

    def run(self) -> None:
        """Seed everything, in dependency order."""
        self.seed_units()
        self.plan_people()
        self.seed_users()
        self.seed_managers()
        self.seed_support_groups()
        self.seed_services()
        self.seed_roles()

    # --- Helpers --------------------------------------------------------------------------------

    def _sync(self, model, existing, lookup: dict, values: dict):
        """Create the row if missing, else save it only when a value differs; return the row."""
        label = model._meta.label_lower
        if existing is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.stats[label, "created"] += 1
            return obj
        changed = [name for name, value in values.items() if getattr(existing, name) != value]
        if changed:
            for name in changed:
                setattr(existing, name, values[name])
            existing.full_clean()
            existing.save()
            self.stats[label, "updated"] += 1
        return existing

    def _resolve_owner(self, owner: str) -> User:
        """Return the user a data-table owner refers to: a username or ``manager:<unit code>``."""
        if owner.startswith("manager:"):
            owner = self.unit_manager[owner.removeprefix("manager:")]
        return self.users[owner]

    def _phone(self) -> str:
        rng = self.rng
        return f"+47 5{rng.randrange(10)} {rng.randrange(100):02d} {rng.randrange(100):02d} {rng.randrange(100):02d}"

    # --- Organisation ---------------------------------------------------------------------------

    def seed_units(self) -> None:
        """Create or update the sectors, departments and units (managers come later)."""
        for sector in demo_data.ORG_TREE:
            self.unit_nodes.append((sector, OrgUnit.Kind.SECTOR, None))
            for department in sector["departments"]:
                self.unit_nodes.append((department, OrgUnit.Kind.DEPARTMENT, sector["code"]))
                for unit in department["units"]:
                    self.unit_nodes.append((unit, OrgUnit.Kind.UNIT, department["code"]))
        existing = {
            u.code: u for u in OrgUnit.objects.filter(code__in=[n["code"] for n, _k, _p in self.unit_nodes])
        }
        for node, kind, parent_code in self.unit_nodes:
            parent = self.units[parent_code] if parent_code else None
            values = {
                "name": node["name"],
                "kind": kind,
                "parent_id": parent.pk if parent else None,
                "cost_centre": node["cost_centre"],
            }
            current = existing.get(node["code"])
            if current is None:
                self.created_units.add(node["code"])
            self.units[node["code"]] = self._sync(OrgUnit, current, {"code": node["code"]}, values)

    # --- People ---------------------------------------------------------------------------------

    def plan_people(self) -> None:
        """Build the list of people from the data tables and the fixed random seed (no queries)."""
        taken = {d["username"] for d in demo_data.DEMO_USERS}
        for number, demo in enumerate(demo_data.DEMO_USERS, start=1):
            self.people.append(
                PersonSpec(
                    username=demo["username"],
                    first_name=demo["first_name"],
                    last_name=demo["last_name"],
                    job_title=demo["job_title"],
                    phone=self._phone(),
                    office_location=demo["office"],
                    employee_number=f"9{number:04d}",
                    unit_code=demo["org_unit"],
                    is_staff=demo.get("is_staff", False),
                    demo=True,
                    roles=tuple(demo["roles"]),
                )
            )
        by_username = {p.username: p for p in self.people}
        number = 10000
        for node, kind, _parent in self.unit_nodes:
            if kind == OrgUnit.Kind.SECTOR:
                titles = demo_data.SECTOR_STAFF_TITLES
            elif kind == OrgUnit.Kind.DEPARTMENT:
                titles = demo_data.DEPARTMENT_STAFF_TITLES
            else:
                titles = node["titles"]
            demo_manager = node.get("manager")
            if demo_manager:
                by_username[demo_manager].manages.append(node["code"])
                self.unit_manager[node["code"]] = demo_manager
            for index in range(node["size"]):
                number += 1
                first_name = self.rng.choice(demo_data.FIRST_NAMES)
                last_name = self.rng.choice(demo_data.LAST_NAMES)
                is_manager = index == 0 and not demo_manager
                person = PersonSpec(
                    username=unique_username(first_name, last_name, taken),
                    first_name=first_name,
                    last_name=last_name,
                    job_title=node["manager_title"] if is_manager else self.rng.choice(titles),
                    phone=self._phone(),
                    office_location=node["office"],
                    employee_number=str(number),
                    unit_code=node["code"],
                )
                if is_manager:
                    person.manages.append(node["code"])
                    self.unit_manager[node["code"]] = person.username
                self.people.append(person)

    def seed_users(self) -> None:
        """Create missing users in bulk and update the ones whose seeded fields differ."""
        existing = {
            u.username: u for u in User.objects.filter(username__in=[p.username for p in self.people])
        }
        demo_usernames = {p.username for p in self.people if p.demo}
        verified: dict[str, bool] = {}
        shared_hash: list[str] = []  # the demo password hashed at most once per run

        def has_demo_password(encoded: str) -> bool:
            if encoded not in verified:
                verified[encoded] = check_password(demo_data.DEMO_PASSWORD, encoded)
            return verified[encoded]

        def demo_hash() -> str:
            if not shared_hash:
                reusable = [u.password for u in existing.values() if u.username in demo_usernames]
                shared_hash.append(
                    next((h for h in reusable if has_demo_password(h)), None)
                    or make_password(demo_data.DEMO_PASSWORD)
                )
            return shared_hash[0]

        to_create: list[User] = []
        to_update: list[User] = []
        update_fields: set[str] = set()
        for person in self.people:
            values = {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@{demo_data.EMAIL_DOMAIN}",
                "job_title": person.job_title,
                "phone": person.phone,
                "office_location": person.office_location,
                "employee_number": person.employee_number,
                "org_unit_id": self.units[person.unit_code].pk,
                "is_staff": person.is_staff,
                "is_superuser": False,
                "is_active": True,
            }
            user = existing.get(person.username)
            if user is None:
                user = User(username=person.username, **values)
                # Only demo logins can sign in with a password; everyone else gets an unusable one.
                user.password = demo_hash() if person.demo else make_password(None)
                user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
                to_create.append(user)
                continue
            changed = [name for name in USER_FIELDS if getattr(user, name) != values[name]]
            for name in changed:
                setattr(user, name, values[name])
            if person.demo and not has_demo_password(user.password):
                user.password = demo_hash()
                changed.append("password")
            if changed:
                user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
                to_update.append(user)
                update_fields.update(changed)
        if to_create:
            bulk_create_with_history(to_create, User, batch_size=500)
            self.stats["people.user", "created"] += len(to_create)
        if to_update:
            bulk_update_with_history(to_update, User, sorted(update_fields), batch_size=500)
            self.stats["people.user", "updated"] += len(to_update)
        self.users = {
            u.username: u for u in User.objects.filter(username__in=[p.username for p in self.people])
        }
        for person in self.people:
            self.wanted_roles.add((person.username, roles.EMPLOYEE))
            self.wanted_roles.update((person.username, code) for code in person.roles)
            if person.manages:
                self.wanted_roles.add((person.username, roles.APPROVER))

    def seed_managers(self) -> None:
        """Point every organisation unit at its manager."""
        for code, username in self.unit_manager.items():
            unit, manager = self.units[code], self.users[username]
            if unit.manager_id != manager.pk:
                unit.manager = manager
                unit.save()
                # A unit created in this run is counted as created, not also as updated.
                if code not in self.created_units:
                    self.stats["people.orgunit", "updated"] += 1

    # --- Support groups -------------------------------------------------------------------------

    def seed_support_groups(self) -> None:
        """Create or update the support groups, their leads and members."""
        existing = {g.code: g for g in SupportGroup.objects.all()}
        self.support_groups: dict[str, SupportGroup] = {}
        wanted_members: set[tuple[int, int]] = set()
        for spec in demo_data.SUPPORT_GROUPS:
            unit_staff = [p.username for p in self.people if p.unit_code == spec["unit"] and not p.demo]
            lead = spec.get("lead") or self.unit_manager[spec["unit"]]
            members = [*unit_staff, *spec.get("extra_members", ())]
            if lead not in members:
                members.append(lead)
            values = {
                "name_nb": spec["name_nb"],
                "name_en": spec["name_en"],
                "email": spec["email"],
                "is_first_line": spec["is_first_line"],
                "lead_id": self.users[lead].pk,
            }
            group = self._sync(SupportGroup, existing.get(spec["code"]), {"code": spec["code"]}, values)
            self.support_groups[spec["code"]] = group
            for username in members:
                wanted_members.add((group.pk, self.users[username].pk))
                self.wanted_roles.add((username, roles.AGENT))
            self.wanted_roles.add((lead, roles.GROUP_LEAD))
        have = set(SupportGroupMembership.objects.values_list("group_id", "user_id"))
        missing = sorted(wanted_members - have)
        SupportGroupMembership.objects.bulk_create(
            [SupportGroupMembership(group_id=g, user_id=u) for g, u in missing]
        )
        self.stats["people.supportgroupmembership", "created"] += len(missing)

    # --- Service catalogue ----------------------------------------------------------------------

    def seed_services(self) -> None:
        """Create services through the catalogue's service layer, or update those that differ."""
        existing_categories = {c.code: c for c in ServiceCategory.objects.all()}
        categories = {
            spec["code"]: self._sync(
                ServiceCategory,
                existing_categories.get(spec["code"]),
                {"code": spec["code"]},
                {"name_nb": spec["name_nb"], "name_en": spec["name_en"], "sort_order": spec["sort_order"]},
            )
            for spec in demo_data.SERVICE_CATEGORIES
        }
        existing = {
            s.code: s for s in Service.objects.filter(code__in=[s["code"] for s in demo_data.SERVICES])
        }
        edges: dict[int, set[int]] = {}
        for source, target in ServiceDependency.objects.values_list("service_id", "depends_on_id"):
            edges.setdefault(source, set()).add(target)
        services: dict[str, Service] = {}
        for spec in demo_data.SERVICES:
            owner = self._resolve_owner(spec["owner"])
            self.wanted_roles.add((owner.username, roles.SERVICE_OWNER))
            fields = {
                "code": spec["code"],
                "name_nb": spec["name_nb"],
                "name_en": spec["name_en"],
                "description_nb": spec["description_nb"],
                "description_en": spec["description_en"],
                "category": categories[spec["category"]],
                "owner": owner,
                "support_group": self.support_groups[spec["support_group"]],
                "criticality": spec["criticality"],
                "state": spec["state"],
                "availability_target": spec["availability_target"],
                "in_public_report": spec["in_public_report"],
            }
            depends_on = [services[code] for code in spec["depends_on"]]
            service = existing.get(spec["code"])
            if service is None:
                service = service_create(actor=None, depends_on=depends_on, **fields)
                self.stats["catalog.service", "created"] += 1
            elif self._service_differs(
                service, fields, {s.pk for s in depends_on}, edges.get(service.pk, set())
            ):
                service = service_update(service=service, actor=None, depends_on=depends_on, **fields)
                self.stats["catalog.service", "updated"] += 1
            services[spec["code"]] = service

    @staticmethod
    def _service_differs(
        service: Service, fields: dict, wanted_deps: set[int], current_deps: set[int]
    ) -> bool:
        for name, value in fields.items():
            current = (
                getattr(service, f"{name}_id")
                if name in ("category", "owner", "support_group")
                else (getattr(service, name))
            )
            if current != (value.pk if name in ("category", "owner", "support_group") else value):
                return True
        return wanted_deps != current_deps

    # --- Roles ----------------------------------------------------------------------------------

    def seed_roles(self) -> None:
        """Add the role groups each seeded user should have (existing extra roles are kept)."""
        if Group.objects.filter(name__in=roles.ROLE_CODES).count() < len(roles.ROLE_CODES):
            roles.sync_roles(Group, Permission)
        groups = dict(Group.objects.filter(name__in=roles.ROLE_CODES).values_list("name", "pk"))
        through = User.groups.through
        user_ids = [u.pk for u in self.users.values()]
        have = set(through.objects.filter(user_id__in=user_ids).values_list("user_id", "group_id"))
        wanted = {(self.users[username].pk, groups[code]) for username, code in self.wanted_roles}
        missing = sorted(wanted - have)
        through.objects.bulk_create([through(user_id=u, group_id=g) for u, g in missing])
        self.stats["auth.user_groups", "created"] += len(missing)


class Command(BaseCommand):
    help = (
        "Build or refresh a demo municipality: organisation tree, about 300 employees, support groups, "
        "services, the orderable catalogue and one demo login per role, then a year of incidents, "
        "orders and changes. Safe to run again: unchanged data is left alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing except errors.")
        parser.add_argument(
            "--no-incidents", action="store_true", help="Skip the year of demo incidents (seed_incidents)."
        )
        parser.add_argument(
            "--no-orders", action="store_true", help="Skip the year of demo orders (seed_orders)."
        )
        parser.add_argument(
            "--no-changes", action="store_true", help="Skip the year of demo changes (seed_changes)."
        )

    def handle(self, *args, **options) -> None:
        """Seed the demo data in one transaction and print a summary with the demo logins."""
        started = time.monotonic()
        seeder = Seeder()
        with transaction.atomic():
            seeder.run()
            # The orderable catalogue on top of the services (idempotent in the same way).
            seeder.stats.update(demo_items.seed_items())
        if not (options["quiet"] or options["verbosity"] == 0):
            self.print_summary(seeder, time.monotonic() - started)
        if not options["no_incidents"]:
            # A year of incident history on top of the municipality; idempotent like the rest.
            call_command(
                "seed_incidents",
                quiet=options["quiet"],
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        if not options["no_orders"]:
            # A year of orders from the catalogue, with their request tickets, approvals and assets.
            call_command(
                "seed_orders",
                quiet=options["quiet"],
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        if not options["no_changes"]:
            # A year of changes with their CAB votes, maintenance and freeze windows, and a CAB agenda now.
            call_command(
                "seed_changes",
                quiet=options["quiet"],
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )

    def print_summary(self, seeder: Seeder, seconds: float) -> None:
        """Print what was written and the table of demo logins."""
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo municipality seeded in {seconds:.1f} s."))
        counts = (
            ("organisation units", "people.orgunit", OrgUnit.objects.count()),
            ("users", "people.user", User.objects.count()),
            ("support groups", "people.supportgroup", SupportGroup.objects.count()),
            (
                "support group memberships",
                "people.supportgroupmembership",
                SupportGroupMembership.objects.count(),
            ),
            ("service categories", "catalog.servicecategory", ServiceCategory.objects.count()),
            ("services", "catalog.service", Service.objects.count()),
            ("catalogue items", "catalog.catalogitem", CatalogItem.objects.count()),
            ("role memberships", "auth.user_groups", User.groups.through.objects.count()),
        )
        for label, key, total in counts:
            created, updated = seeder.stats[key, "created"], seeder.stats[key, "updated"]
            write(f"  {label:<26} {total:>5} in total, {created} created, {updated} updated")
        labels = {}
        with translation.override("en"):
            for role in roles.ROLES:
                labels[role.code] = str(role.label)
        write("")
        write(self.style.MIGRATE_HEADING(f"Demo logins (password: {demo_data.DEMO_PASSWORD}):"))
        write(f"  {'Username':<20} {'Role':<20} {'Name':<20} Unit")
        for demo in demo_data.DEMO_USERS:
            user = seeder.users[demo["username"]]
            role = labels.get(demo["role"], demo["role"])
            write(
                f"  {user.username:<20} {role:<20} {user.get_full_name():<20} {seeder.units[demo['org_unit']].name}"
            )
