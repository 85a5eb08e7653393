"""``manage.py import_people``: organisation units and people from the HR master, in JSON and CSV."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from people import roles
from people.imports import import_people, people_from_json
from people.models import OrgUnit, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = StringIO()
    call_command("import_people", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def history_rows() -> int:
    return User.history.count() + OrgUnit.history.count()


def test_json_import_builds_the_tree_the_people_and_the_managers():
    output = run(DATA / "people.json")

    assert "Organisation units — created: 4, updated: 0, unchanged: 0, errors: 0" in output
    assert "People — created: 5, updated: 0, unchanged: 0, errors: 0" in output
    units = {u.code: u for u in OrgUnit.objects.select_related("parent", "manager")}
    assert units["helse"].kind == OrgUnit.Kind.SECTOR and units["helse"].parent is None
    assert units["legetjenester"].kind == OrgUnit.Kind.DEPARTMENT
    assert units["legevakt"].kind == OrgUnit.Kind.UNIT and units["legevakt"].parent.code == "legetjenester"
    assert (
        units["legevakt"].path == f"/{units['helse'].pk}/{units['legetjenester'].pk}/{units['legevakt'].pk}/"
    )
    assert units["helse"].manager.employee_number == "10001"
    assert units["legetjenester"].manager.username == "ola.dahl"
    assert units["legevakt"].manager is None

    sofie = User.objects.get(employee_number="10003")
    assert (sofie.username, sofie.email, sofie.phone) == (
        "sofie.lund",
        "sofie.lund@eksempel.kommune.no",
        "+47 51 50 70 03",
    )
    assert sofie.office_location == "Legevakten" and sofie.org_unit == units["legevakt"]
    assert sofie.is_active and not sofie.has_usable_password()
    assert set(sofie.groups.values_list("name", flat=True)) == {roles.EMPLOYEE}
    assert sofie.manager.username == "ola.dahl"  # derived from the tree the import built
    assert User.objects.get(employee_number="10001").cost_centre == "K2000"
    assert not User.objects.get(employee_number="10005").is_active
    assert sofie.history.first().history_change_reason == "import"


def test_running_the_same_file_again_changes_nothing():
    run(DATA / "people.json")
    before = history_rows()

    output = run(DATA / "people.json")

    assert "Organisation units — created: 0, updated: 0, unchanged: 4, errors: 0" in output
    assert "People — created: 0, updated: 0, unchanged: 5, errors: 0" in output
    assert history_rows() == before


def test_changed_values_are_updated_and_absent_keys_are_left_alone():
    run(DATA / "people.json")
    data = people_from_json(
        '{"org_units": [{"code": "legevakt", "name": "Legevakta", "manager": "10003"}],'
        ' "people": [{"employee_number": "10003", "email": "sofie@eksempel.kommune.no", "active": false}]}'
    )

    report = import_people(data)

    assert report.counts["org_units"]["updated"] == 1
    assert report.counts["people"]["updated"] == 1
    unit = OrgUnit.objects.get(code="legevakt")
    assert (unit.name, unit.parent.code, unit.manager.username) == (
        "Legevakta",
        "legetjenester",
        "sofie.lund",
    )
    sofie = User.objects.get(employee_number="10003")
    assert (sofie.email, sofie.is_active, sofie.phone) == (
        "sofie@eksempel.kommune.no",
        False,
        "+47 51 50 70 03",
    )


def test_csv_with_bom_and_semicolons_creates_the_unit_it_names():
    output = run(DATA / "people.csv")

    assert "Organisation units — created: 1" in output
    assert "People — created: 3, updated: 0, unchanged: 0, errors: 0" in output
    nora = User.objects.get(employee_number="20001")
    assert nora.username == "nora.hagen"  # the byte-order mark is not part of the first column's name
    assert nora.org_unit.name == "Kultur og idrett" and nora.org_unit.kind == OrgUnit.Kind.SECTOR
    assert nora.cost_centre == "K4000" and nora.is_active
    ida = User.objects.get(employee_number="20003")
    assert ida.org_unit is None and not ida.is_active

    assert "People — created: 0, updated: 0, unchanged: 3, errors: 0" in run(DATA / "people.csv")


def test_csv_bad_lines_are_reported_by_line_number(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "employee_number,username,first_name,last_name,email,org_unit,active\n"
        "40001,kari.berg,Kari,Berg,kari@eksempel.kommune.no,,true\n"
        "40002,ola.berg,Ola,Berg,not-an-email,,true\n"
        "40003,,Uten,Navn,uten@eksempel.kommune.no,,true\n"
        "40004,liv.berg,Liv,Berg,liv@eksempel.kommune.no,ingen-enhet,true\n",
        encoding="utf-8",
    )

    output = run(path)

    assert "People — created: 1, updated: 0, unchanged: 0, errors: 3" in output
    assert "line 3: email: Enter a valid email address." in output
    assert "line 4: username: A new person needs a username." in output
    assert "line 5: org_unit: No unit has the code “ingen-enhet”." in output
    assert list(User.objects.values_list("employee_number", flat=True)) == ["40001"]


def test_bad_rows_are_reported_and_skipped_and_the_rest_is_imported():
    output = run(DATA / "people_bad.json")

    for expected in (
        "org_units[1]: manager: No person has the employee number “99999”.",
        "org_units[2]: parent: The parents form a cycle: sirkel-a → sirkel-b → sirkel-a.",
        "org_units[3]: parent: The parents form a cycle",
        "org_units[4]: parent: No unit has the code “finnes-ikke”.",
        "org_units[5]: code: The code “teknisk” is already given in org_units[0].",
        "org_units[6]: code: Give the unit's code.",
        "people[1]: email: Enter a valid email address.",
        "people[2]: username: A new person needs a username.",
        "people[3]: org_unit: No unit has the code “ukjent-enhet”.",
        "people[4]: employee_number: The employee number “30001” is already given in people[0].",
        "people[5]: active: Write true or false.",
        "people[6]: employee_number: Give the employee number.",
        "people[7]: Each person must be an object.",
    ):
        assert expected in output
    assert "People — created: 2, updated: 0, unchanged: 0, errors: 7" in output
    assert set(OrgUnit.objects.values_list("code", flat=True)) == {"teknisk", "vei"}
    assert set(User.objects.values_list("employee_number", flat=True)) == {"30001", "30006"}
    assert OrgUnit.objects.get(code="teknisk").manager.username == "geir.holm"
    assert OrgUnit.objects.get(code="vei").manager is None
    # No half-written person: the refused rows left no user behind, not even without their bad field.
    assert not User.objects.filter(username__in=["tone.bakke", "rune.lien", "astrid.moen"]).exists()


def test_full_deactivates_people_missing_from_the_file_but_never_superusers_or_service_accounts():
    leaver = UserFactory(employee_number="77777")
    no_number = UserFactory(employee_number="")
    superuser = UserFactory(employee_number="88888", is_superuser=True)
    machine = UserFactory(employee_number="99999", is_service_account=True)

    output = run(DATA / "people.json", "--full")

    assert "People — created: 5, updated: 0, deactivated: 1, unchanged: 0, errors: 0" in output
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert User.objects.filter(pk=leaver.pk).exists()  # deactivated, never deleted
    for kept in (no_number, superuser, machine):
        kept.refresh_from_db()
        assert kept.is_active


def test_full_refuses_a_file_without_people(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"org_units": [], "people": []}', encoding="utf-8")
    UserFactory(employee_number="77777")

    with pytest.raises(CommandError, match="deactivate everyone"):
        run(path, "--full")
    assert User.objects.get(employee_number="77777").is_active


def test_dry_run_prints_what_would_change_and_saves_nothing():
    leaver = UserFactory(employee_number="77777")

    output = run(DATA / "people.json", "--dry-run", "--full")

    assert "Dry run: nothing was saved." in output
    assert "Organisation units — would create: 4, would update: 0, unchanged: 0, errors: 0" in output
    assert "People — would create: 5, would update: 0, would deactivate: 1" in output
    assert not OrgUnit.objects.filter(code="helse").exists()
    assert User.objects.filter(employee_number__startswith="1000").count() == 0
    leaver.refresh_from_db()
    assert leaver.is_active


def test_a_known_username_without_an_employee_number_is_the_same_person():
    existing = UserFactory(username="per.moe", employee_number="", first_name="P.")

    run(DATA / "people.json")

    existing.refresh_from_db()
    assert existing.employee_number == "10004" and existing.first_name == "Per"
    assert User.objects.filter(username="per.moe").count() == 1


def test_a_username_held_by_another_employee_is_refused():
    UserFactory(username="per.moe", employee_number="55555")

    output = run(DATA / "people.json")

    assert "people[3]: username: “per.moe” belongs to employee number 55555." in output
    # The unit it would have managed is imported, just without that manager.
    assert OrgUnit.objects.get(code="oppvekst").manager is None
    assert "org_units[3]: manager: No person has the employee number “10004”." in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('["a list"]', "must hold one JSON object"),
        ('{"people": {"employee_number": "1"}}', "“people” must be a list"),
    ],
)
def test_an_unreadable_file_is_a_command_error(tmp_path, content, message):
    path = tmp_path / "people.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        run(path)


def test_a_missing_or_non_utf8_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.json")
    path = tmp_path / "latin1.csv"
    path.write_bytes("employee_number,username\n1,bjørn\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(path)
