"""The demo seed: a realistic, idempotent demo municipality with one login per role."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from catalog.models import Service, ServiceCategory, ServiceDependency
from people import demo_data, roles
from people.management.commands import seed_demo
from people.management.commands.seed_demo import ascii_slug, unique_username
from people.models import OrgUnit, SupportGroup, SupportGroupMembership, User

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [d["username"] for d in demo_data.DEMO_USERS]


def seed(**options) -> str:
    # The incident history has its own tests (tests/incidents); here only the municipality is seeded.
    options.setdefault("no_incidents", True)
    options.setdefault("no_changes", True)  # the change history has its own tests (tests/changes)
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def role_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def snapshot() -> dict:
    """Return every seeded value, plus history row counts, so that any write shows up as a difference."""
    return {
        "units": sorted(
            OrgUnit.objects.values_list(
                "code", "name", "kind", "parent__code", "manager__username", "cost_centre", "path"
            )
        ),
        "users": sorted(
            User.objects.values_list(
                "username",
                "first_name",
                "last_name",
                "email",
                "job_title",
                "phone",
                "office_location",
                "employee_number",
                "org_unit__code",
                "password",
                "is_staff",
                "is_superuser",
                "is_active",
            )
        ),
        "roles": sorted(User.groups.through.objects.values_list("user__username", "group__name")),
        "support_groups": sorted(
            SupportGroup.objects.values_list(
                "code", "name_nb", "name_en", "email", "is_first_line", "lead__username"
            )
        ),
        "memberships": sorted(
            SupportGroupMembership.objects.values_list("group__code", "user__username", "joined")
        ),
        "categories": sorted(ServiceCategory.objects.values_list("code", "name_nb", "name_en", "sort_order")),
        "services": sorted(
            Service.objects.values_list(
                "code",
                "name_nb",
                "name_en",
                "description_nb",
                "description_en",
                "category__code",
                "owner__username",
                "support_group__code",
                "criticality",
                "state",
                "availability_target",
                "in_public_report",
                "updated",
            )
        ),
        "dependencies": sorted(ServiceDependency.objects.values_list("service__code", "depends_on__code")),
        "history": [
            model.history.count() for model in (OrgUnit, User, SupportGroup, ServiceCategory, Service)
        ],
    }


def test_builds_a_municipality_of_realistic_size():
    seed(quiet=True)
    kinds = {kind: OrgUnit.objects.filter(kind=kind).count() for kind in OrgUnit.Kind.values}
    assert kinds[OrgUnit.Kind.SECTOR] == 8
    assert kinds[OrgUnit.Kind.DEPARTMENT] >= 8
    assert kinds[OrgUnit.Kind.UNIT] >= 16
    assert 35 <= OrgUnit.objects.count() <= 50
    assert User.objects.count() >= 300
    assert SupportGroup.objects.count() == 6
    assert list(SupportGroup.objects.filter(is_first_line=True).values_list("code", flat=True)) == [
        "servicedesk"
    ]
    assert Service.objects.count() >= 15
    assert Service.objects.filter(state=Service.State.PLANNED).count() == 1
    assert Service.objects.filter(state=Service.State.RETIRED).count() == 1


def test_the_tree_follows_the_parent_rules():
    seed(quiet=True)
    expected_parent = {"sector": None, "department": "sector", "unit": "department"}
    for unit in OrgUnit.objects.select_related("parent"):
        assert (unit.parent.kind if unit.parent else None) == expected_parent[unit.kind], unit.code
        unit.full_clean()
        assert unit.path == (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
    # Every sector has departments and every department has units.
    for unit in OrgUnit.objects.exclude(kind=OrgUnit.Kind.UNIT):
        assert unit.children.exists(), unit.code


def test_every_unit_has_a_manager_who_works_there_and_is_an_approver():
    seed(quiet=True)
    approver = Group.objects.get(name=roles.APPROVER)
    for unit in OrgUnit.objects.select_related("manager"):
        assert unit.manager is not None, unit.code
        assert unit.manager.org_unit_id == unit.pk, unit.code
        assert approver in unit.manager.groups.all()
        assert unit.cost_centre.startswith("K")
    # Only managers (and no one else) are approvers.
    managers = set(OrgUnit.objects.values_list("manager_id", flat=True))
    assert set(approver.user_set.values_list("pk", flat=True)) == managers


def test_employees_look_like_norwegian_municipal_staff():
    seed(quiet=True)
    employee = Group.objects.get(name=roles.EMPLOYEE)
    users = list(User.objects.all())
    assert employee.user_set.count() == len(users)
    numbers = [u.employee_number for u in users]
    assert len(set(numbers)) == len(numbers)
    for user in users:
        assert re.fullmatch(r"[a-z0-9.-]+", user.username), user.username
        assert user.email == f"{user.username}@eksempel.kommune.no"
        assert re.fullmatch(r"\+47 5\d \d\d \d\d \d\d", user.phone), user.phone
        assert user.first_name and user.last_name and user.job_title and user.office_location
        assert user.org_unit_id is not None
    generated = [u for u in users if u.username not in DEMO_USERNAMES]
    assert len(generated) >= 290
    # Only the demo logins can sign in with a password.
    assert not any(u.has_usable_password() for u in generated)
    assert not User.objects.filter(is_superuser=True).exists()
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["demo.admin"]
    # Usernames are first.last in ASCII, and clashes get a number suffix.
    for user in generated:
        base = f"{ascii_slug(user.first_name)}.{ascii_slug(user.last_name)}"
        assert re.fullmatch(re.escape(base) + r"(\d+)?", user.username), user.username
    assert any(set("æøå") & set(u.get_full_name()) for u in generated)
    assert any(u.username[-1].isdigit() for u in generated)


def test_ascii_usernames():
    assert ascii_slug("Sæther") == "saether"
    assert ascii_slug("Håkon") == "haakon"
    assert ascii_slug("Bjørnstad") == "bjornstad"
    assert ascii_slug("Øyvind") == "oyvind"
    assert ascii_slug("Anne-Marie") == "anne-marie"
    taken: set[str] = set()
    assert [unique_username("Åse", "Nygård", taken) for _ in range(3)] == [
        "aase.nygaard",
        "aase.nygaard2",
        "aase.nygaard3",
    ]


@pytest.mark.parametrize("spec", demo_data.DEMO_USERS, ids=DEMO_USERNAMES)
def test_demo_login_exists_with_its_role_and_password(spec):
    seed(quiet=True)
    user = User.objects.get(username=spec["username"])
    assert user.check_password(demo_data.DEMO_PASSWORD)
    assert user.is_active and not user.is_superuser
    assert user.is_staff == (spec["username"] == "demo.admin")
    assert {roles.EMPLOYEE, spec["role"], *spec["roles"]} <= role_names(user)
    assert user.first_name and user.last_name and user.get_full_name() != user.username


def test_demo_logins_play_their_parts():
    seed(quiet=True)
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    ansatt = users["demo.ansatt"]
    assert role_names(ansatt) == {roles.EMPLOYEE}
    assert not ansatt.managed_units.exists() and not ansatt.support_groups.exists()
    assert ansatt.org_unit.parent.parent.code in {"oppvekst", "helse"}
    assert ansatt.manager is not None  # reports to the head of the school
    assert users["demo.leder"].managed_units.filter(kind=OrgUnit.Kind.UNIT).exists()
    first_line = SupportGroup.objects.get(is_first_line=True)
    assert first_line.members.filter(username="demo.agent").exists()
    led = SupportGroup.objects.get(lead=users["demo.gruppeleder"])
    assert led.members.filter(username="demo.gruppeleder").exists()
    owned = set(users["demo.tjenesteeier"].owned_services.values_list("code", flat=True))
    assert {"epost", "microsoft-365"} <= owned
    assert {roles.CHANGE_MANAGER, roles.CAB_MEMBER} <= role_names(users["demo.endring"])


def test_support_groups_are_staffed_from_the_it_department():
    seed(quiet=True)
    it_department = OrgUnit.objects.get(code="it-avdelingen")
    agent, group_lead = Group.objects.get(name=roles.AGENT), Group.objects.get(name=roles.GROUP_LEAD)
    for group in SupportGroup.objects.select_related("lead"):
        members = list(group.members.all())
        assert 4 <= len(members) <= 8, group.code
        assert group.lead in members
        assert group_lead in group.lead.groups.all()
        assert group.email.endswith("@eksempel.kommune.no")
        for member in members:
            assert agent in member.groups.all()
            assert member.org_unit.path.startswith(it_department.path), member.username


def test_services_are_complete_and_depend_on_each_other():
    seed(quiet=True)
    service_owner = Group.objects.get(name=roles.SERVICE_OWNER)
    expected = {
        "epost",
        "microsoft-365",
        "nettverk-skole",
        "nettverk-kontor",
        "fagsystem-barnehage",
        "saksbehandling",
        "telefoni",
        "klient-pc",
        "utskrift",
        "fagsystem-gerica",
        "skole-laeringsplattform",
        "okonomi-lonn",
        "identitet",
        "fillagring",
        "videomote",
        "innbyggerportal",
    }
    assert expected <= set(Service.objects.values_list("code", flat=True))
    for service in Service.objects.select_related("owner", "support_group"):
        assert service.name_nb and service.name_en
        assert service.description_nb.count(".") >= 2 and service.description_en.count(".") >= 2
        assert 1 <= service.criticality <= 4
        assert Decimal("99.0") <= service.availability_target <= Decimal("99.9")
        assert service_owner in service.owner.groups.all()
        # A history row from the service layer, written without an actor.
        assert service.history.count() == 1
        assert service.history.get().history_user is None
    epost = Service.objects.get(code="epost")
    assert set(epost.depends_on.values_list("code", flat=True)) >= {"identitet", "nettverk-kontor"}
    assert Service.objects.get(code="nettverk-kontor").depends_on.count() == 0


def test_running_twice_changes_nothing():
    seed(quiet=True)
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert " created" in output and not re.search(r"[1-9]\d* (created|updated)", output)


def test_running_again_repairs_drifted_demo_data():
    seed(quiet=True)
    before = snapshot()
    unit = OrgUnit.objects.get(code="haugen-skole")
    unit.name, unit.manager = "Gammel skole", None
    unit.save()
    User.objects.filter(username="demo.agent").update(job_title="Vikar", org_unit=None)
    demo_admin = User.objects.get(username="demo.admin")
    demo_admin.set_password("something-else-entirely")
    demo_admin.save()
    demo_admin.groups.remove(Group.objects.get(name=roles.ADMINISTRATOR))
    Service.objects.filter(code="epost").update(criticality=4, state=Service.State.PLANNED)
    ServiceDependency.objects.filter(service__code="epost", depends_on__code="identitet").delete()
    SupportGroupMembership.objects.filter(user__username="demo.agent").delete()

    seed(quiet=True)

    after = snapshot()
    for key in ("units", "roles", "support_groups", "categories", "dependencies"):
        assert after[key] == before[key], key
    # Users are back as they were, apart from demo.admin's password hash (same password, new salt).
    assert [u[:9] + u[10:] for u in after["users"]] == [u[:9] + u[10:] for u in before["users"]]
    assert ("servicedesk", "demo.agent") in {(g, u) for g, u, _joined in after["memberships"]}
    unit.refresh_from_db()
    assert unit.name == "Haugen skole" and unit.manager is not None
    agent = User.objects.get(username="demo.agent")
    assert (agent.job_title, agent.org_unit.code) == ("Servicedeskmedarbeider", "it-servicedesk")
    demo_admin.refresh_from_db()
    assert demo_admin.check_password(demo_data.DEMO_PASSWORD)
    assert roles.ADMINISTRATOR in role_names(demo_admin)
    epost = Service.objects.get(code="epost")
    assert (epost.criticality, epost.state) == (1, Service.State.LIVE)
    assert epost.history.first().history_type == "~"


def test_prints_the_demo_logins_unless_quiet():
    output = seed()
    assert f"Demo logins (password: {demo_data.DEMO_PASSWORD}):" in output
    for spec in demo_data.DEMO_USERS:
        line = next(line for line in output.splitlines() if spec["username"] in line)
        assert User.objects.get(username=spec["username"]).get_full_name() in line
    assert "Service desk agent" in output
    assert seed(quiet=True) == ""


def test_a_failure_leaves_the_database_untouched(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("catalogue unavailable")

    monkeypatch.setattr(seed_demo, "service_create", broken)
    with pytest.raises(RuntimeError, match="catalogue unavailable"):
        seed(quiet=True)
    assert not OrgUnit.objects.exists()
    assert not User.objects.exists()
    assert not SupportGroup.objects.exists()
