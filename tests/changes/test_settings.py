"""The change manager's settings pages and their services: change types, standard change templates,
freeze windows and maintenance windows that belong to no change."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from catalog.models import Service
from changes import services_settings as services
from changes.models import ChangeType, FreezeWindow, MaintenanceWindow, StandardChangeTemplate
from tests.factories import ServiceFactory

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC


@pytest.fixture
def template(operations, network):
    return services.template_create(
        actor=None,
        code="patch-klienter",
        name_nb="Patch Windows-klienter",
        name_en="Patch Windows clients",
        implementer_group=operations,
        implementation_plan="Rull ut månedens oppdateringer.",
        backout_plan="Avinstaller oppdateringen.",
        duration_minutes=90,
        services=[network],
    )


@pytest.fixture
def freeze(network):
    start = timezone.now() + dt.timedelta(days=30)
    return services.freeze_create(
        actor=None,
        name_nb="Eksamen",
        name_en="Exams",
        start=start,
        end=start + dt.timedelta(days=5),
        services=[network],
    )


@pytest.fixture
def standalone(network):
    start = timezone.now() + dt.timedelta(days=3)
    return services.maintenance_create(
        actor=None,
        service=network,
        planned_start=start,
        planned_end=start + dt.timedelta(hours=2),
        description="Leverandøren oppgraderer linja.",
    )


def template_post(operations, services_, **overrides):
    data = {
        "code": "ny-mal",
        "name_nb": "Ny mal",
        "name_en": "New template",
        "description": "",
        "services": [s.pk for s in services_],
        "implementer_group": operations.pk,
        "implementation_plan": "Gjør det.",
        "backout_plan": "Angre det.",
        "test_plan": "",
        "tasks": "Varsle\nGjør\nTest",
        "duration_minutes": "45",
    }
    data.update(overrides)
    return data


def type_post(change_type: ChangeType, **overrides):
    data = {
        "name_nb": change_type.name_nb,
        "name_en": change_type.name_en,
        "description_nb": change_type.description_nb,
        "description_en": change_type.description_en,
        "approval_rule": change_type.approval_rule,
        "cab_from_risk": change_type.cab_from_risk,
        "cab_quorum": str(change_type.cab_quorum),
    }
    if change_type.needs_approval:
        data["needs_approval"] = "on"
    if change_type.needs_review:
        data["needs_review"] = "on"
    data.update(overrides)
    return data


# --- Permissions -----------------------------------------------------------------------------------

PAGES = [
    ("changes:settings", {}),
    ("changes:type_list", {}),
    ("changes:type_edit", {"kind": "normal"}),
    ("changes:template_list", {}),
    ("changes:template_create", {}),
    ("changes:template_edit", {"code": "patch-klienter"}),
    ("changes:freeze_list", {}),
    ("changes:freeze_create", {}),
    ("changes:freeze_edit", {"pk": "freeze"}),
    ("changes:freeze_delete", {"pk": "freeze"}),
    ("changes:maintenance_list", {}),
    ("changes:maintenance_create", {}),
    ("changes:maintenance_delete", {"pk": "standalone"}),
]


def page_url(name, kwargs, *, freeze, standalone):
    objects = {"freeze": freeze.pk, "standalone": standalone.pk}
    return reverse(name, kwargs={k: objects.get(v, v) for k, v in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize("who", ["employee", "agent"])
def test_others_may_not_see_the_settings(client, request, template, freeze, standalone, who, name, kwargs):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page_url(name, kwargs, freeze=freeze, standalone=standalone))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize("who", ["change_manager", "administrator"])
def test_the_change_manager_and_administrators_see_the_settings(
    client, request, template, freeze, standalone, who, name, kwargs
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page_url(name, kwargs, freeze=freeze, standalone=standalone))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, template, freeze, standalone, name, kwargs):
    url = page_url(name, kwargs, freeze=freeze, standalone=standalone)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


@pytest.mark.parametrize(
    ("name", "method", "kwargs"),
    [
        ("changes:type_edit", "post", {"kind": "normal"}),
        ("changes:template_create", "post", {}),
        ("changes:template_toggle", "post", {"code": "patch-klienter"}),
        ("changes:freeze_create", "post", {}),
        ("changes:freeze_delete", "post", {"pk": "freeze"}),
        ("changes:maintenance_create", "post", {}),
        ("changes:maintenance_delete", "post", {"pk": "standalone"}),
    ],
)
def test_agents_may_not_write(client, agent, template, freeze, standalone, name, method, kwargs):
    client.force_login(agent)
    response = client.post(
        page_url(name, kwargs, freeze=freeze, standalone=standalone), {"is_active": "false"}
    )
    assert response.status_code == 403
    assert FreezeWindow.objects.count() == 1
    assert MaintenanceWindow.objects.count() == 1
    assert StandardChangeTemplate.objects.get().is_active


def test_services_check_the_actor(agent, template, freeze, standalone, operations):
    with pytest.raises(PermissionDenied):
        services.change_type_update(
            change_type=ChangeType.objects.get(kind="normal"), actor=agent, cab_quorum=3
        )
    with pytest.raises(PermissionDenied):
        services.template_set_active(template=template, actor=agent, is_active=False)
    with pytest.raises(PermissionDenied):
        services.freeze_delete(window=freeze, actor=agent)
    with pytest.raises(PermissionDenied):
        services.maintenance_delete(window=standalone, actor=agent)
    assert ChangeType.objects.get(kind="normal").cab_quorum == 2


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("changes:type_edit", {"kind": "minor"}),
        ("changes:template_edit", {"code": "finnes-ikke"}),
        ("changes:template_toggle", {"code": "finnes-ikke"}),
        ("changes:freeze_edit", {"pk": 999999}),
        ("changes:freeze_delete", {"pk": 999999}),
        ("changes:maintenance_delete", {"pk": 999999}),
    ],
)
def test_unknown_objects_are_not_found(client, change_manager, name, kwargs):
    client.force_login(change_manager)
    method = client.post if name.endswith("toggle") else client.get
    assert method(reverse(name, kwargs=kwargs)).status_code == 404


def test_the_overview_links_to_every_section(client, change_manager):
    client.force_login(change_manager)
    html = client.get(reverse("changes:settings")).content.decode()
    for name in ("type_list", "template_list", "freeze_list", "maintenance_list"):
        assert f'href="{reverse(f"changes:{name}")}"' in html


# --- Change types ----------------------------------------------------------------------------------


def test_the_types_list_shows_the_three_types(client, change_manager):
    client.force_login(change_manager)
    html = client.get(reverse("changes:type_list")).content.decode()
    for kind in ("standard", "normal", "emergency"):
        assert reverse("changes:type_edit", kwargs={"kind": kind}) in html
    assert "Pre-approved" in html


def test_editing_a_type_saves_it_with_history(client, change_manager):
    normal = ChangeType.objects.get(kind="normal")
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:type_edit", kwargs={"kind": "normal"}),
        type_post(normal, cab_quorum="3", cab_from_risk="high", approval_rule="any", needs_review="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("changes:type_list")
    normal.refresh_from_db()
    assert (normal.cab_quorum, normal.cab_from_risk, normal.approval_rule, normal.needs_review) == (
        3,
        "high",
        "any",
        True,
    )
    assert normal.kind == "normal"
    record = normal.history.latest()
    assert record.history_type == "~"
    assert record.history_user == change_manager


def test_the_kind_cannot_be_changed_through_the_form(client, change_manager):
    normal = ChangeType.objects.get(kind="normal")
    client.force_login(change_manager)
    client.post(reverse("changes:type_edit", kwargs={"kind": "normal"}), type_post(normal, kind="emergency"))
    assert ChangeType.objects.filter(kind="normal").exists()
    assert ChangeType.objects.filter(kind="emergency").count() == 1


@pytest.mark.parametrize("quorum", ["21", "-1", "abc"])
def test_a_quorum_out_of_range_is_refused(client, change_manager, quorum):
    normal = ChangeType.objects.get(kind="normal")
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:type_edit", kwargs={"kind": "normal"}), type_post(normal, cab_quorum=quorum)
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"cab_quorum"}
    assert 'aria-invalid="true"' in response.content.decode()
    normal.refresh_from_db()
    assert normal.cab_quorum == 2
    # The title is the saved name, not what was typed.
    assert response.context["title"] == "Edit Normal change"


def test_the_service_refuses_a_quorum_out_of_range(db):
    normal = ChangeType.objects.get(kind="normal")
    with pytest.raises(ValidationError) as caught:
        services.change_type_update(change_type=normal, actor=None, cab_quorum=21)
    assert caught.value.message_dict.keys() == {"cab_quorum"}
    services.change_type_update(change_type=normal, actor=None, cab_quorum=20)
    normal.refresh_from_db()
    assert normal.cab_quorum == 20


def test_a_type_that_needs_approval_may_never_need_the_cab(client, change_manager):
    normal = ChangeType.objects.get(kind="normal")
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:type_edit", kwargs={"kind": "normal"}),
        type_post(normal, cab_from_risk="", cab_quorum="0"),
    )
    assert response.status_code == 302
    normal.refresh_from_db()
    assert normal.needs_approval and normal.cab_from_risk == "" and normal.cab_quorum == 0


def test_a_cab_from_a_risk_needs_a_quorum(client, change_manager):
    normal = ChangeType.objects.get(kind="normal")
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:type_edit", kwargs={"kind": "normal"}),
        type_post(normal, cab_from_risk="low", cab_quorum="0"),
    )
    assert response.status_code == 400
    assert "cab_quorum" in response.context["form"].errors


def test_the_standard_type_cannot_need_approval(client, change_manager):
    standard = ChangeType.objects.get(kind="standard")
    client.force_login(change_manager)
    page = client.get(reverse("changes:type_edit", kwargs={"kind": "standard"}))
    html = page.content.decode()
    assert "Standard changes need no approval" in html
    assert 'name="needs_approval"' not in html
    assert 'name="cab_quorum"' not in html

    # A tampered post cannot turn it on: the form has no such field, so the stored value stays.
    response = client.post(
        reverse("changes:type_edit", kwargs={"kind": "standard"}),
        type_post(standard, needs_approval="on", cab_quorum="5", name_en="Standard"),
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.needs_approval is False
    assert standard.cab_quorum == 0
    assert standard.name_en == "Standard"


def test_the_service_refuses_approval_for_standard_changes(db):
    standard = ChangeType.objects.get(kind="standard")
    with pytest.raises(ValidationError) as caught:
        services.change_type_update(change_type=standard, actor=None, needs_approval=True)
    assert caught.value.message_dict.keys() == {"needs_approval"}
    standard.refresh_from_db()
    assert standard.needs_approval is False


# --- Standard change templates ---------------------------------------------------------------------


def test_creating_a_template(client, change_manager, operations, network, email_service):
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:template_create"), template_post(operations, [network, email_service])
    )
    assert response.status_code == 302
    created = StandardChangeTemplate.objects.get(code="ny-mal")
    assert set(created.services.all()) == {network, email_service}
    assert created.implementer_group == operations
    assert created.task_list == ["Varsle", "Gjør", "Test"]
    assert created.is_active
    assert created.history.get().history_user == change_manager


def test_the_template_form_offers_only_live_services(client, change_manager, network, operations):
    retired = ServiceFactory(code="gammel", name_nb="Gammel", name_en="Old", state=Service.State.RETIRED)
    client.force_login(change_manager)
    form = client.get(reverse("changes:template_create")).context["form"]
    assert list(form.fields["services"].queryset) == [network]
    response = client.post(reverse("changes:template_create"), template_post(operations, [retired]))
    assert response.status_code == 400
    assert "services" in response.context["form"].errors


def test_a_duplicate_template_code_is_refused(client, change_manager, template, operations, network):
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:template_create"), template_post(operations, [network], code=template.code)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["Another template already has this code."]
    assert StandardChangeTemplate.objects.count() == 1


@pytest.mark.parametrize("code", ["Ikke en slug!", "new", ""])
def test_a_template_code_must_be_a_free_slug(client, change_manager, operations, network, code):
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:template_create"), template_post(operations, [network], code=code)
    )
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert not StandardChangeTemplate.objects.exists()


def test_the_service_refuses_a_duplicate_code_and_writes_nothing(template, operations, network):
    with pytest.raises(ValidationError) as caught:
        services.template_create(
            actor=None,
            code=template.code,
            name_nb="Kopi",
            name_en="Copy",
            implementer_group=operations,
            implementation_plan="x",
            backout_plan="y",
            services=[network],
        )
    assert caught.value.message_dict == {"code": ["Another template already has this code."]}
    assert StandardChangeTemplate.objects.count() == 1


def test_a_template_needs_a_positive_duration(client, change_manager, operations, network):
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:template_create"), template_post(operations, [network], duration_minutes="0")
    )
    assert response.status_code == 400
    assert "duration_minutes" in response.context["form"].errors
    with pytest.raises(ValidationError) as caught:
        services.template_create(
            actor=None,
            code="null",
            name_nb="Null",
            name_en="Zero",
            implementer_group=operations,
            implementation_plan="x",
            backout_plan="y",
            duration_minutes=0,
        )
    assert caught.value.message_dict.keys() == {"duration_minutes"}
    assert not StandardChangeTemplate.objects.exists()


def test_editing_a_template_keeps_its_code(client, change_manager, template, operations, email_service):
    client.force_login(change_manager)
    url = reverse("changes:template_edit", kwargs={"code": template.code})
    page = client.get(url).content.decode()
    assert 'name="code"' not in page and "<code>patch-klienter</code>" in page
    response = client.post(
        url, template_post(operations, [email_service], code="annen-kode", name_en="Patch all clients")
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.code == "patch-klienter"
    assert template.name_en == "Patch all clients"
    assert list(template.services.all()) == [email_service]
    latest = template.history.latest()
    assert latest.history_type == "~" and latest.history_user == change_manager


def test_a_retired_service_stays_on_a_template_when_saved(
    client, change_manager, template, operations, network
):
    from catalog import services as catalog_services

    catalog_services.service_update(service=network, actor=None, state=Service.State.RETIRED)
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:template_edit", kwargs={"code": template.code}), template_post(operations, [network])
    )
    assert response.status_code == 302
    assert list(template.services.all()) == [network]


def test_retiring_and_reactivating_a_template(client, change_manager, template):
    client.force_login(change_manager)
    url = reverse("changes:template_toggle", kwargs={"code": template.code})
    assert client.get(url).status_code == 405

    response = client.post(url, {"is_active": "false"})
    assert response.status_code == 302 and response["Location"] == reverse("changes:template_list")
    template.refresh_from_db()
    assert not template.is_active
    # The same post again changes nothing (no second history record).
    client.post(url, {"is_active": "false"})
    assert template.history.count() == 2
    assert template.history.latest().history_user == change_manager

    client.post(url, {"is_active": "true"})
    template.refresh_from_db()
    assert template.is_active
    assert template.history.count() == 3


def test_the_toggle_refuses_a_missing_state(client, change_manager, template):
    client.force_login(change_manager)
    url = reverse("changes:template_toggle", kwargs={"code": template.code})
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"is_active": "maybe"}).status_code == 400
    template.refresh_from_db()
    assert template.is_active


def test_the_template_list_shows_services_group_duration_and_state(client, change_manager, template):
    services.template_set_active(template=template, actor=None, is_active=False)
    client.force_login(change_manager)
    html = client.get(reverse("changes:template_list")).content.decode()
    assert "Patch Windows clients" in html
    assert "Network" in html and "Operations" in html
    assert "90 minutes" in html
    assert "Retired" in html and "Reactivate" in html


# --- Freeze windows --------------------------------------------------------------------------------


def freeze_post(**overrides):
    data = {
        "name_nb": "Juleferie",
        "name_en": "Christmas",
        "reason": "Lite bemanning.",
        "start": "2026-12-20T08:00",
        "end": "2027-01-02T08:00",
    }
    data.update(overrides)
    return data


def test_creating_a_freeze_window_in_oslo_time(client, change_manager):
    client.force_login(change_manager)
    response = client.post(reverse("changes:freeze_create"), freeze_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("changes:freeze_list")
    window = FreezeWindow.objects.get()
    # Typed as Oslo wall-clock time (winter: UTC+1), stored in UTC.
    assert window.start == dt.datetime(2026, 12, 20, 7, 0, tzinfo=UTC)
    assert window.end == dt.datetime(2027, 1, 2, 7, 0, tzinfo=UTC)
    assert not window.services.exists()
    assert window.history.get().history_user == change_manager
    listing = client.get(response["Location"]).content.decode()
    assert "Christmas" in listing and "All services" in listing


def test_the_freeze_form_shows_oslo_time_whatever_zone_is_active(client, change_manager, network):
    window = services.freeze_create(
        actor=None,
        name_nb="Valg",
        name_en="Election",
        start=dt.datetime(2027, 9, 13, 6, 0, tzinfo=UTC),
        end=dt.datetime(2027, 9, 14, 6, 0, tzinfo=UTC),
    )
    client.force_login(change_manager)
    with timezone.override(ZoneInfo("America/New_York")):
        html = client.get(reverse("changes:freeze_edit", kwargs={"pk": window.pk})).content.decode()
    # Summer time in Oslo: UTC+2.
    assert 'value="2027-09-13T08:00"' in html
    assert 'type="datetime-local"' in html


@pytest.mark.parametrize(
    ("start", "end"), [("2026-12-20T08:00", "2026-12-20T08:00"), ("2026-12-20T08:00", "2026-12-19T08:00")]
)
def test_a_freeze_window_must_end_after_it_starts(client, change_manager, start, end):
    client.force_login(change_manager)
    response = client.post(reverse("changes:freeze_create"), freeze_post(start=start, end=end))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"end": ["The end must be after the start."]}
    html = response.content.decode()
    assert 'href="#id_end">End: The end must be after the start.' in html
    assert not FreezeWindow.objects.exists()


@pytest.mark.parametrize("value", ["", "i morgen", "2026-13-01T08:00"])
def test_a_freeze_window_needs_a_valid_start(client, change_manager, value):
    client.force_login(change_manager)
    response = client.post(reverse("changes:freeze_create"), freeze_post(start=value))
    assert response.status_code == 400
    assert "start" in response.context["form"].errors
    assert not FreezeWindow.objects.exists()


def test_a_time_that_does_not_exist_in_oslo_is_refused(client, change_manager):
    # The clocks jump from 02:00 to 03:00 on the last Sunday of March.
    client.force_login(change_manager)
    response = client.post(reverse("changes:freeze_create"), freeze_post(start="2027-03-28T02:30"))
    assert response.status_code == 400
    assert "start" in response.context["form"].errors


def test_the_service_refuses_an_end_before_the_start_and_writes_nothing(network):
    start = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.freeze_create(
            actor=None, name_nb="Feil", name_en="Wrong", start=start, end=start, services=[network]
        )
    assert caught.value.message_dict == {"end": ["The end must be after the start."]}
    assert not FreezeWindow.objects.exists()


def test_editing_a_freeze_window(client, change_manager, freeze, email_service):
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:freeze_edit", kwargs={"pk": freeze.pk}),
        freeze_post(name_en="Exam weeks", services=[email_service.pk]),
    )
    assert response.status_code == 302
    freeze.refresh_from_db()
    assert freeze.name_en == "Exam weeks"
    assert list(freeze.services.all()) == [email_service]
    assert freeze.history.latest().history_user == change_manager


def test_a_bad_edit_leaves_the_freeze_window_as_it_was(client, change_manager, freeze, network):
    before = (freeze.start, freeze.end, freeze.name_en)
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:freeze_edit", kwargs={"pk": freeze.pk}),
        freeze_post(name_en="Changed", start="2027-01-02T08:00", end="2027-01-01T08:00", services=[]),
    )
    assert response.status_code == 400
    freeze.refresh_from_db()
    assert (freeze.start, freeze.end, freeze.name_en) == before
    assert list(freeze.services.all()) == [network]
    assert freeze.history.count() == 1


def test_deleting_a_freeze_window_asks_first(client, change_manager, freeze):
    client.force_login(change_manager)
    url = reverse("changes:freeze_delete", kwargs={"pk": freeze.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Exams" in confirm.content.decode()
    assert FreezeWindow.objects.exists()

    response = client.post(url)
    assert response.status_code == 302
    assert not FreezeWindow.objects.exists()
    deleted = FreezeWindow.history.filter(id=freeze.pk).latest()
    assert deleted.history_type == "-" and deleted.history_user == change_manager


def test_the_freeze_list_separates_past_windows(client, change_manager, freeze):
    start = timezone.now() - dt.timedelta(days=60)
    services.freeze_create(
        actor=None, name_nb="Fjor", name_en="Last year", start=start, end=start + dt.timedelta(days=2)
    )
    client.force_login(change_manager)
    response = client.get(reverse("changes:freeze_list"))
    assert [w.name for w in response.context["upcoming"]] == ["Exams"]
    assert [w.name for w in response.context["past"]] == ["Last year"]


# --- Maintenance windows ---------------------------------------------------------------------------


def maintenance_post(service_, **overrides):
    data = {
        "service": service_.pk,
        "planned_start": "2026-12-08T22:00",
        "planned_end": "2026-12-09T02:00",
        "description": "Leverandøren bytter ruter.",
    }
    data.update(overrides)
    return data


def test_creating_a_standalone_maintenance_window(client, change_manager, network):
    client.force_login(change_manager)
    response = client.post(reverse("changes:maintenance_create"), maintenance_post(network))
    assert response.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.change is None and window.service == network
    assert window.planned_start == dt.datetime(2026, 12, 8, 21, 0, tzinfo=UTC)
    assert window.planned_end == dt.datetime(2026, 12, 9, 1, 0, tzinfo=UTC)


def test_a_maintenance_window_must_end_after_it_starts(client, change_manager, network):
    client.force_login(change_manager)
    response = client.post(
        reverse("changes:maintenance_create"), maintenance_post(network, planned_end="2026-12-08T21:00")
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"planned_end": ["The end must be after the start."]}
    assert not MaintenanceWindow.objects.exists()
    with pytest.raises(ValidationError) as caught:
        start = timezone.now()
        services.maintenance_create(actor=None, service=network, planned_start=start, planned_end=start)
    assert caught.value.message_dict.keys() == {"planned_end"}
    assert not MaintenanceWindow.objects.exists()


@pytest.mark.parametrize("service_", ["retired", "999999", ""])
def test_a_maintenance_window_needs_a_live_service(client, change_manager, network, service_):
    if service_ == "retired":
        service_ = ServiceFactory(
            code="gammel", name_nb="Gammel", name_en="Old", state=Service.State.RETIRED
        ).pk
    client.force_login(change_manager)
    response = client.post(reverse("changes:maintenance_create"), maintenance_post(network, service=service_))
    assert response.status_code == 400
    assert "service" in response.context["form"].errors
    assert not MaintenanceWindow.objects.exists()


def test_the_maintenance_list_shows_changes_and_standalone_windows(
    client, change_manager, make_change, standalone
):
    change = make_change()
    assert change.maintenance_windows.exists()
    old = timezone.now() - dt.timedelta(days=45)
    services.maintenance_create(
        actor=None, service=standalone.service, planned_start=old, planned_end=old + dt.timedelta(hours=1)
    )
    recent = timezone.now() - dt.timedelta(days=2)
    services.maintenance_create(
        actor=None,
        service=standalone.service,
        planned_start=recent,
        planned_end=recent + dt.timedelta(hours=1),
        description="Nylig",
    )
    client.force_login(change_manager)
    response = client.get(reverse("changes:maintenance_list"))
    upcoming = response.context["upcoming"]
    assert [w.change_id for w in upcoming] == [None, change.pk]
    assert [w.description for w in response.context["recent"]] == ["Nylig"]
    html = response.content.decode()
    assert f'href="{change.get_absolute_url()}"' in html
    assert reverse("changes:maintenance_delete", kwargs={"pk": standalone.pk}) in html
    change_window = change.maintenance_windows.get()
    assert reverse("changes:maintenance_delete", kwargs={"pk": change_window.pk}) not in html


def test_deleting_a_standalone_maintenance_window(client, change_manager, standalone):
    client.force_login(change_manager)
    url = reverse("changes:maintenance_delete", kwargs={"pk": standalone.pk})
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not MaintenanceWindow.objects.exists()


def test_a_changes_window_cannot_be_deleted_here(client, change_manager, make_change):
    window = make_change().maintenance_windows.get()
    client.force_login(change_manager)
    url = reverse("changes:maintenance_delete", kwargs={"pk": window.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    with pytest.raises(services.MaintenanceBelongsToChange):
        services.maintenance_delete(window=window, actor=change_manager)
    assert MaintenanceWindow.objects.filter(pk=window.pk).exists()


# --- Query counts ----------------------------------------------------------------------------------


def add_templates(count, operations, network, email_service):
    for n in range(count):
        services.template_create(
            actor=None,
            code=f"mal-{n}",
            name_nb=f"Mal {n}",
            name_en=f"Template {n}",
            implementer_group=operations,
            implementation_plan="x",
            backout_plan="y",
            services=[network, email_service],
        )


def add_freezes(count, network, email_service):
    for n in range(count):
        start = timezone.now() + dt.timedelta(days=n - count // 2)
        services.freeze_create(
            actor=None,
            name_nb=f"Frys {n}",
            name_en=f"Freeze {n}",
            start=start,
            end=start + dt.timedelta(hours=12),
            services=[network, email_service] if n % 2 else [],
        )


def add_maintenance(count, make_change, network, email_service, soon):
    for n in range(count):
        if n % 2:
            make_change(start=soon + dt.timedelta(days=n), services_=[network, email_service])
        else:
            start = timezone.now() + dt.timedelta(days=n - count // 2)
            services.maintenance_create(
                actor=None,
                service=email_service,
                planned_start=start,
                planned_end=start + dt.timedelta(hours=1),
            )


# Every signed-in page: the session, the user, and their roles with the facts the menu checks (approver,
# group lead: people.facts); then the list's own queries.
BASE_QUERIES = 3
LIST_QUERIES = {
    "changes:type_list": BASE_QUERIES + 1,  # the types
    "changes:template_list": BASE_QUERIES + 2,  # the templates with their groups; their services
    "changes:freeze_list": BASE_QUERIES + 2,  # the windows; their services
    "changes:maintenance_list": BASE_QUERIES + 1,  # the windows with their services and changes
}


@pytest.mark.parametrize("rows", [2, 10])
def test_the_lists_run_a_fixed_number_of_queries(
    client,
    change_manager,
    operations,
    network,
    email_service,
    make_change,
    soon,
    rows,
    django_assert_num_queries,
):
    add_templates(rows, operations, network, email_service)
    add_freezes(rows, network, email_service)
    add_maintenance(rows, make_change, network, email_service, soon)
    assert StandardChangeTemplate.objects.count() == rows
    assert FreezeWindow.objects.count() == rows
    assert MaintenanceWindow.objects.count() >= rows
    client.force_login(change_manager)
    for name, expected in LIST_QUERIES.items():
        url = reverse(name)
        client.get(url)  # the first request after signing in also touches the session
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
