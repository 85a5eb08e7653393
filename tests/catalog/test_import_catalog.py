"""``manage.py import_catalog``: support groups, services and catalogue items with their questions."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from catalog.imports import import_catalog
from catalog.models import ApproverGroup, CatalogItem, OrderQuestion, Service
from people import roles
from people.imports import import_people, read_people_file
from people.models import SupportGroup, User

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def people(db):
    import_people(read_people_file(DATA / "people.json"))


def run(*args) -> str:
    out = StringIO()
    call_command("import_catalog", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def history_rows() -> int:
    return Service.history.count() + CatalogItem.history.count() + SupportGroup.history.count()


def catalog() -> dict:
    return json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))


def test_import_creates_groups_services_items_and_questions():
    output = run(DATA / "catalog.json")

    assert "Support groups — created: 2, updated: 0, unchanged: 0, errors: 0" in output
    assert "Services — created: 2, updated: 0, unchanged: 0, errors: 0" in output
    assert "Catalogue items — created: 4, updated: 0, unchanged: 0, errors: 0" in output

    desk = SupportGroup.objects.get(code="servicedesk")
    assert (desk.name_nb, desk.name_en, desk.lead.username) == ("Servicedesken", "Service desk", "hilde.berg")
    assert set(desk.members.values_list("username", flat=True)) == {"hilde.berg", "ola.dahl"}
    ola = User.objects.get(username="ola.dahl")
    assert roles.AGENT in set(ola.groups.values_list("name", flat=True))
    assert User.objects.get(username="hilde.berg").groups.filter(name=roles.GROUP_LEAD).exists()

    pc = Service.objects.get(code="pc")
    assert (pc.name_en, pc.category.code, pc.owner.username, pc.support_group.code) == (
        "PCs and equipment",
        "arbeidsplass",
        "per.moe",
        "klient",
    )
    assert pc.support_calendar is None  # "default": the default calendar
    assert [s.code for s in pc.depends_on.all()] == ["nett"]
    nett = Service.objects.get(code="nett")
    assert nett.support_calendar.code == "24x7"
    assert (nett.criticality, nett.availability_target, nett.in_public_report) == (
        1,
        Decimal("99.950"),
        False,
    )
    assert pc.history.first().history_change_reason == "import"

    laptop = CatalogItem.objects.get(code="baerbar-pc")
    assert (laptop.kind, laptop.price, laptop.stock_count, laptop.reorder_level) == (
        CatalogItem.Kind.EQUIPMENT,
        Decimal("14990"),
        12,
        3,
    )
    assert laptop.approval_policy == CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD
    assert laptop.approval_threshold == Decimal("10000") and laptop.state == CatalogItem.State.LIVE
    keyboard, screens = laptop.questions.order_by("position")
    assert keyboard.choices == [
        {"value": "no", "label_nb": "Norsk", "label_en": "Norwegian"},
        {"value": "us", "label_nb": "Amerikansk", "label_en": "US"},
    ]
    assert keyboard.help_en == "Choose the layout you are used to."
    assert (screens.type, screens.min_value, screens.max_value, screens.required) == (
        OrderQuestion.Type.NUMBER,
        Decimal("0"),
        Decimal("2"),
        False,
    )
    assert CatalogItem.objects.get(code="visio").kind == CatalogItem.Kind.LICENCE
    vpn = CatalogItem.objects.get(code="vpn")
    assert vpn.approval_policy == CatalogItem.ApprovalPolicy.GROUP
    assert vpn.approver_group == ApproverGroup.objects.get(code="informasjonssikkerhet")
    assert CatalogItem.objects.get(code="flytting").kind == CatalogItem.Kind.OTHER


def test_running_the_same_file_again_changes_nothing():
    run(DATA / "catalog.json")
    before = (history_rows(), OrderQuestion.objects.order_by("pk").values_list("pk", "position").count())

    output = run(DATA / "catalog.json")

    assert "Support groups — created: 0, updated: 0, unchanged: 2, errors: 0" in output
    assert "Services — created: 0, updated: 0, unchanged: 2, errors: 0" in output
    assert "Catalogue items — created: 0, updated: 0, unchanged: 4, errors: 0" in output
    assert (history_rows(), OrderQuestion.objects.count()) == before


def test_changes_update_only_what_differs_and_sync_questions_and_members():
    run(DATA / "catalog.json")
    data = catalog()
    data["support_groups"][0]["members"] = ["hilde.berg"]
    data["services"][1]["depends_on"] = []
    data["services"][0]["depends_on"] = []
    data["items"][0]["name"]["en"] = "Laptop computer"
    data["items"][0]["stock"] = 99  # stock counts belong to fulfilment once the item exists
    data["items"][0]["questions"] = data["items"][0]["questions"][1:]

    report = import_catalog(data)

    assert report.counts["support_groups"]["updated"] == 1
    assert report.counts["services"]["updated"] == 1 and report.counts["services"]["unchanged"] == 1
    assert report.counts["items"]["updated"] == 1 and report.counts["items"]["unchanged"] == 3
    laptop = CatalogItem.objects.get(code="baerbar-pc")
    assert laptop.name_en == "Laptop computer" and laptop.stock_count == 12
    assert list(laptop.questions.values_list("key", "position")) == [("skjermer", 10)]
    assert not Service.objects.get(code="pc").depends_on.exists()
    assert list(SupportGroup.objects.get(code="servicedesk").members.values_list("username", flat=True)) == [
        "hilde.berg"
    ]


def test_bad_rows_are_reported_and_skipped_and_never_half_written():
    run(DATA / "catalog.json")

    output = run(DATA / "catalog_bad.json")

    for expected in (
        "support_groups[1]: lead: No user has the username “finnes.ikke”.",
        "support_groups[2]: members: No user has the username: ingen.her.",
        "services[1]: depends_on: These dependencies would make the service depend on itself through others.",
        "services[2]: criticality: Value 7 is not a valid choice.",
        "services[3]: support_group: No support group has the code “ingen-gruppe”.",
        "services[4]: calendar: No business calendar is called “måneskinn”.",
        "services[5]: availability_target_pct: Ensure this value is less than or equal to 100.",
        "services[6]: depends_on: No service has the code: finnes-ikke.",
        "items[1]: kind: Write equipment, software, access or service.",
        "items[2]: price_nok: Ensure this value is greater than or equal to 0.",
        "items[3]: approval.group: No approver group has the code “finnes-ikke”.",
        "items[4]: approval: Write",
        "items[5]: questions[1].max: The largest number cannot be smaller than the smallest.",
        "items[6]: questions[0].choices: Give at least one option.",
        "items[7]: service: No service has the code “ukjent”.",
    ):
        assert expected in output
    assert "Catalogue items — created: 1, updated: 0, unchanged: 0, errors: 7" in output
    assert set(SupportGroup.objects.values_list("code", flat=True)) == {"servicedesk", "klient", "nettverk"}
    assert [s.code for s in Service.objects.get(code="ruter").depends_on.all()] == ["brannmur"]
    assert not Service.objects.get(code="brannmur").depends_on.exists()
    assert not Service.objects.filter(code__in=["kritisk", "mangler", "kalender", "prosent"]).exists()
    assert CatalogItem.objects.filter(code="switch").exists()
    # The item whose second question was bad is not there, nor is its first (good) question.
    assert not CatalogItem.objects.filter(code="sporsmal").exists()
    assert not OrderQuestion.objects.filter(key="ok").exists()


def test_dry_run_prints_what_would_change_and_saves_nothing():
    output = run(DATA / "catalog.json", "--dry-run")

    assert "Dry run: nothing was saved." in output
    assert "Services — would create: 2, would update: 0, unchanged: 0, errors: 0" in output
    assert not Service.objects.exists() and not SupportGroup.objects.exists()
    assert not CatalogItem.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "must hold one JSON object"),
        ('{"services": "pc"}', "“services” must be a list"),
        ("{}", "lists no support groups"),
    ],
)
def test_an_invalid_file_is_a_command_error(tmp_path, content, message):
    path = tmp_path / "catalog.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        run(path)
