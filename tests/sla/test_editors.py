"""The service levels' settings pages and their services: business calendars with the preview of their
opening hours, SLA policies with their targets, and a service's support hours."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from catalog.models import Service
from sla import settings_services as services
from sla.calendar import CalendarSpec, validate_spec
from sla.forms import HoursMinutesField, hours_minutes
from sla.models import BusinessCalendar, CalendarDate, CalendarSegment, SlaPolicy, SlaTarget
from sla.services import spec_of
from sla.settings_services import SpecialDate, Target
from sla.views import PreviewDay, calendar_preview, holiday_language, opening_hours_preview, week_summary
from tests.factories import ServiceFactory, UserFactory

OFFICE = {weekday: [("08:00", "16:00")] for weekday in range(5)}
T = dt.time


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def office(db):
    return BusinessCalendar.objects.get(code="kontortid")


@pytest.fixture
def around_the_clock(db):
    return BusinessCalendar.objects.get(code="24x7")


@pytest.fixture
def default_policy(db):
    return SlaPolicy.objects.get(service__isnull=True)


@pytest.fixture
def other_owner(db):
    return UserFactory(username="eier2", first_name="Odd", last_name="Eier", roles=["service_owner"])


@pytest.fixture
def others_service(other_owner):
    """A service owned by another service owner."""
    return ServiceFactory(code="nett", name_nb="Nettverk", name_en="Network", owner=other_owner)


@pytest.fixture
def service_policy(service, office):
    return services.policy_create(
        actor=None,
        service=service,
        name_nb="E-post",
        name_en="Email",
        calendar=office,
        pausing_reasons=["requester"],
        warning_percent=80,
        escalations=[{"percent": 100, "notify": "group_lead"}],
        targets=default_targets(),
    )


def default_targets(overrides: dict | None = None) -> dict:
    targets = {
        p: Target(response, resolution) for p, (response, resolution) in services.DEFAULT_TARGETS.items()
    }
    targets.update(overrides or {})
    return targets


def calendar_post(
    *,
    code="brukerstotte",
    name_nb="Brukerstøtte",
    name_en="Help desk",
    time_zone="Europe/Oslo",
    always_open=False,
    public_holidays=True,
    is_default=False,
    week=None,
    dates=(),
    initial_dates=0,
    blank_rows=2,
):
    """The calendar form's POST data; week maps weekday → [(opens, closes)], dates are dicts of a row."""
    data = {"code": code, "name_nb": name_nb, "name_en": name_en, "time_zone": time_zone}
    for name, value in (
        ("always_open", always_open),
        ("public_holidays", public_holidays),
        ("is_default", is_default),
    ):
        if value:
            data[name] = "on"
    for weekday, segments in (OFFICE if week is None else week).items():
        for slot, (opens, closes) in enumerate(segments, start=1):
            data[f"d{weekday}_{slot}_opens"] = opens
            data[f"d{weekday}_{slot}_closes"] = closes
    rows = [*dates, *({} for _ in range(blank_rows))]
    data.update(
        {
            "dates-TOTAL_FORMS": str(len(rows)),
            "dates-INITIAL_FORMS": str(initial_dates),
            "dates-MIN_NUM_FORMS": "0",
            "dates-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        data[f"dates-{index}-kind"] = row.get("kind", "closed")
        for name in ("date", "label", "opens", "closes"):
            data[f"dates-{index}-{name}"] = row.get(name, "")
        if row.get("DELETE"):
            data[f"dates-{index}-DELETE"] = "on"
    return data


def edit_post(calendar: BusinessCalendar, **overrides):
    """The edit form's POST data for a stored calendar as it is, with overrides."""
    week: dict[int, list] = {}
    for segment in calendar.segments.all():
        week.setdefault(segment.weekday, []).append((f"{segment.opens:%H:%M}", f"{segment.closes:%H:%M}"))
    dates = [
        {
            "date": d.date.isoformat(),
            "kind": d.kind,
            "label": d.label,
            "opens": f"{d.opens:%H:%M}" if d.opens else "",
            "closes": f"{d.closes:%H:%M}" if d.closes else "",
        }
        for d in calendar.dates.all()
    ]
    values = {
        "name_nb": calendar.name_nb,
        "name_en": calendar.name_en,
        "time_zone": calendar.time_zone,
        "always_open": calendar.always_open,
        "public_holidays": calendar.public_holidays,
        "is_default": calendar.is_default,
        "week": week,
        "dates": dates,
        "initial_dates": len(dates),
    }
    values.update(overrides)
    data = calendar_post(**values)
    data.pop("code")
    return data


def policy_post(policy: SlaPolicy | None = None, *, service=None, **overrides):
    data = {
        "name_nb": "Tjenestenivå",
        "name_en": "Service level",
        "calendar": BusinessCalendar.objects.get(code="kontortid").pk,
        "pausing_reasons": ["requester"],
        "warning_percent": "75",
        "step1_percent": "75",
        "step1_notify": "assignee",
        "step2_percent": "100",
        "step2_notify": "group_lead",
        "step3_percent": "150",
        "step3_notify": "service_owner",
    }
    for priority, (response, resolution) in services.DEFAULT_TARGETS.items():
        data[f"p{priority}_response"] = hours_minutes(response)
        data[f"p{priority}_resolution"] = hours_minutes(resolution)
        data[f"p{priority}_calendar"] = ""
    if service is not None:
        data["service"] = service.pk
    data.update(overrides)
    return data


# --- Permissions -----------------------------------------------------------------------------------

PAGES = [
    ("sla:index", {}),
    ("sla:calendar_list", {}),
    ("sla:calendar_create", {}),
    ("sla:calendar_edit", {"code": "kontortid"}),
    ("sla:policy_list", {}),
    ("sla:policy_create", {}),
    ("sla:policy_edit", {"pk": "default"}),
    ("sla:service_hours", {"code": "epost"}),
]


def page_url(name, kwargs, *, default_policy):
    objects = {"default": default_policy.pk}
    return reverse(name, kwargs={k: objects.get(v, v) for k, v in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize("who", ["employee", "agent", "management_reader"])
def test_others_may_not_see_the_editors(client, request, service, default_policy, who, name, kwargs):
    client.force_login(request.getfixturevalue(who))
    assert client.get(page_url(name, kwargs, default_policy=default_policy)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize("who", ["administrator", "service_owner"])
def test_administrators_and_service_owners_see_the_editors(
    client, request, service, default_policy, who, name, kwargs
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(page_url(name, kwargs, default_policy=default_policy)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, service, default_policy, name, kwargs):
    response = client.get(page_url(name, kwargs, default_policy=default_policy))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("sla:calendar_create", {}),
        ("sla:calendar_edit", {"code": "kontortid"}),
        ("sla:policy_create", {}),
        ("sla:policy_edit", {"pk": "default"}),
        ("sla:service_hours", {"code": "epost"}),
    ],
)
def test_agents_may_not_write(client, agent, service, default_policy, office, name, kwargs):
    client.force_login(agent)
    response = client.post(page_url(name, kwargs, default_policy=default_policy), calendar_post(name_nb="X"))
    assert response.status_code == 403
    office.refresh_from_db()
    assert office.name_nb == "Kontortid"
    assert BusinessCalendar.objects.count() == 2


def test_the_permissions(administrator, service_owner, other_owner, agent, employee, service, others_service):
    for user in (administrator, service_owner):
        assert user.has_perm("sla.manage_calendars") and user.has_perm("sla.manage_policies")
        assert user.has_perm("sla.view_sla")
    for user in (agent, employee):
        assert not user.has_perm("sla.manage_calendars") and not user.has_perm("sla.manage_policies")
    assert agent.has_perm("sla.view_sla") and not employee.has_perm("sla.view_sla")
    assert administrator.has_perm("sla.manage_service_sla", others_service)
    assert service_owner.has_perm("sla.manage_service_sla", service)
    assert not service_owner.has_perm("sla.manage_service_sla", others_service)
    assert other_owner.has_perm("sla.manage_service_sla", others_service)


def test_a_service_owner_cannot_change_another_owners_service(
    client, service_owner, others_service, around_the_clock
):
    client.force_login(service_owner)
    url = reverse("sla:service_hours", kwargs={"code": others_service.code})
    assert client.get(url).status_code == 403
    assert client.post(url, {"calendar": around_the_clock.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.service_hours_set(service=others_service, actor=service_owner, calendar=around_the_clock)
    others_service.refresh_from_db()
    assert others_service.support_calendar is None


def test_a_service_owner_cannot_give_another_owners_service_a_policy(
    client, service_owner, service, others_service, office
):
    client.force_login(service_owner)
    page = client.get(reverse("sla:policy_create"))
    assert list(page.context["form"].fields["service"].queryset) == [service]
    response = client.post(reverse("sla:policy_create"), policy_post(service=others_service))
    assert response.status_code == 400
    assert "service" in response.context["form"].errors
    with pytest.raises(PermissionDenied):
        services.policy_create(
            actor=service_owner,
            service=others_service,
            name_nb="x",
            name_en="x",
            calendar=office,
            targets=default_targets(),
        )
    assert not SlaPolicy.objects.filter(service=others_service).exists()


def test_a_service_owner_cannot_edit_another_owners_policy(client, service_owner, others_service, office):
    policy = services.policy_create(
        actor=None,
        service=others_service,
        name_nb="Nett",
        name_en="Network",
        calendar=office,
        targets=default_targets(),
    )
    client.force_login(service_owner)
    url = reverse("sla:policy_edit", kwargs={"pk": policy.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, policy_post(name_nb="Endret")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.policy_update(
            policy=policy, actor=service_owner, targets=default_targets(), name_nb="Endret"
        )
    policy.refresh_from_db()
    assert policy.name_nb == "Nett"


def test_the_services_check_the_actor(agent, office, default_policy, service):
    with pytest.raises(PermissionDenied):
        services.calendar_update(calendar=office, actor=agent, week=[[]] * 7, name_nb="X")
    with pytest.raises(PermissionDenied):
        services.calendar_create(actor=agent, week=[[]] * 7, code="x", name_nb="X", name_en="X")
    with pytest.raises(PermissionDenied):
        services.policy_update(policy=default_policy, actor=agent, targets=default_targets())
    with pytest.raises(PermissionDenied):
        services.service_hours_set(service=service, actor=agent, calendar=None)
    office.refresh_from_db()
    assert office.name_nb == "Kontortid"


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("sla:calendar_edit", {"code": "finnes-ikke"}),
        ("sla:policy_edit", {"pk": 999999}),
        ("sla:service_hours", {"code": "finnes-ikke"}),
    ],
)
def test_unknown_objects_are_not_found(client, administrator, name, kwargs):
    client.force_login(administrator)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    assert client.post(reverse(name, kwargs=kwargs), {}).status_code == 404


# --- The overview and the lists --------------------------------------------------------------------


def test_the_overview_links_to_the_calendars_and_policies(client, administrator, office, default_policy):
    client.force_login(administrator)
    html = client.get(reverse("sla:index")).content.decode()
    for url in (
        reverse("sla:calendar_list"),
        reverse("sla:policy_list"),
        reverse("sla:calendar_edit", kwargs={"code": "kontortid"}),
        reverse("sla:calendar_edit", kwargs={"code": "24x7"}),
        reverse("sla:policy_edit", kwargs={"pk": default_policy.pk}),
    ):
        assert f'href="{url}"' in html


def test_the_calendar_list_summarises_the_hours(client, administrator, office):
    client.force_login(administrator)
    html = client.get(reverse("sla:calendar_list")).content.decode()
    assert "Mon–Fri 08:00–16:00" in html
    assert "Open around the clock" in html


def test_the_week_summary_groups_days_with_the_same_hours():
    segments = [CalendarSegment(weekday=d, opens=T(8), closes=T(11, 30)) for d in range(4)] + [
        CalendarSegment(weekday=d, opens=T(12), closes=T(16)) for d in range(4)
    ]
    segments.append(CalendarSegment(weekday=4, opens=T(8), closes=T(15)))
    segments.append(CalendarSegment(weekday=6, opens=T(10), closes=T(14)))
    assert week_summary(segments) == "Mon–Thu 08:00–11:30, 12:00–16:00; Fri 08:00–15:00; Sun 10:00–14:00"
    assert week_summary([]) == ""


def test_the_policy_list_shows_targets_and_services(
    client, administrator, service, others_service, default_policy
):
    client.force_login(administrator)
    html = client.get(reverse("sla:policy_list")).content.decode()
    assert "0:15 / 4:00" in html and "8:00 / 80:00" in html
    assert reverse("sla:service_hours", kwargs={"code": "epost"}) in html
    assert reverse("sla:service_hours", kwargs={"code": "nett"}) in html
    assert "Default (Office hours)" in html


def test_a_service_owner_sees_links_only_for_their_own_services(
    client, service_owner, service, others_service
):
    client.force_login(service_owner)
    html = client.get(reverse("sla:policy_list")).content.decode()
    assert reverse("sla:service_hours", kwargs={"code": "epost"}) in html
    assert reverse("sla:service_hours", kwargs={"code": "nett"}) not in html


# --- Calendars: create and edit --------------------------------------------------------------------


def test_creating_a_calendar(client, administrator):
    client.force_login(administrator)
    week = {**OFFICE, 0: [("08:00", "11:30"), ("12:00", "16:00")], 5: [("10:00", "14:00")]}
    dates = [
        {"date": "2026-12-24", "kind": "closed", "label": "Julaften"},
        {"date": "2026-12-27", "kind": "open", "label": "Romjul", "opens": "09:00", "closes": "12:00"},
    ]
    response = client.post(reverse("sla:calendar_create"), calendar_post(week=week, dates=dates))
    assert response.status_code == 302
    assert response["Location"] == reverse("sla:calendar_edit", kwargs={"code": "brukerstotte"})
    calendar = BusinessCalendar.objects.get(code="brukerstotte")
    assert (calendar.name_nb, calendar.time_zone, calendar.public_holidays) == (
        "Brukerstøtte",
        "Europe/Oslo",
        True,
    )
    assert not calendar.is_default
    assert [(s.weekday, s.opens, s.closes) for s in calendar.segments.order_by("weekday", "opens")][:3] == [
        (0, T(8), T(11, 30)),
        (0, T(12), T(16)),
        (1, T(8), T(16)),
    ]
    assert calendar.segments.filter(weekday=5).get().opens == T(10)
    assert [(d.date, d.kind, d.label, d.opens) for d in calendar.dates.all()] == [
        (dt.date(2026, 12, 24), "closed", "Julaften", None),
        (dt.date(2026, 12, 27), "open", "Romjul", T(9)),
    ]
    record = calendar.history.get()
    assert record.history_type == "+" and record.history_user == administrator


def test_the_new_calendar_form_starts_as_office_hours(client, administrator):
    client.force_login(administrator)
    html = client.get(reverse("sla:calendar_create")).content.decode()
    assert 'name="d0_1_opens" value="08:00"' in html
    assert 'name="d4_1_closes" value="16:00"' in html
    assert 'name="d5_1_opens"' in html and 'name="d5_1_opens" value' not in html


def test_editing_a_calendar_keeps_its_code_and_records_history(client, service_owner, office):
    client.force_login(service_owner)
    url = reverse("sla:calendar_edit", kwargs={"code": "kontortid"})
    page = client.get(url).content.decode()
    assert 'name="code"' not in page and "<code>kontortid</code>" in page
    week = {**OFFICE, 4: [("08:00", "15:00")]}
    data = edit_post(office, name_en="Office hours (winter)", week=week)
    data["code"] = "annen"
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == url
    office.refresh_from_db()
    assert office.code == "kontortid" and office.name_en == "Office hours (winter)"
    assert office.segments.get(weekday=4).closes == T(15)
    assert office.segments.count() == 5
    record = office.history.latest()
    assert record.history_type == "~" and record.history_user == service_owner


def test_special_dates_are_added_kept_and_removed(client, administrator, office):
    client.force_login(administrator)
    url = reverse("sla:calendar_edit", kwargs={"code": "kontortid"})
    dates = [{"date": "2026-12-24", "kind": "closed", "label": "Julaften"}]
    assert client.post(url, edit_post(office, dates=dates)).status_code == 302
    assert list(office.dates.values_list("label", flat=True)) == ["Julaften"]
    # Saved again as it is, the date stays; a new one in a blank row is added.
    data = edit_post(office)
    data.update({"dates-1-date": "2026-12-31", "dates-1-label": "Nyttårsaften"})
    assert client.post(url, data).status_code == 302
    assert list(office.dates.values_list("label", flat=True)) == ["Julaften", "Nyttårsaften"]
    data = edit_post(office)
    data["dates-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert list(office.dates.values_list("label", flat=True)) == ["Nyttårsaften"]


def test_making_a_calendar_the_default_turns_the_other_off(client, administrator, office):
    client.force_login(administrator)
    response = client.post(reverse("sla:calendar_create"), calendar_post(is_default=True))
    assert response.status_code == 302
    assert list(BusinessCalendar.objects.filter(is_default=True).values_list("code", flat=True)) == [
        "brukerstotte"
    ]
    office.refresh_from_db()
    assert not office.is_default
    record = office.history.latest()
    assert record.history_user == administrator and not record.is_default


def test_the_default_calendar_cannot_be_turned_off_without_another(client, administrator, office):
    client.force_login(administrator)
    response = client.post(
        reverse("sla:calendar_edit", kwargs={"code": "kontortid"}), edit_post(office, is_default=False)
    )
    assert response.status_code == 400
    assert "is_default" in response.context["editor"].form.errors
    office.refresh_from_db()
    assert office.is_default


def test_the_service_resolves_two_defaults_in_one_transaction(administrator, office, around_the_clock):
    services.calendar_update(
        calendar=around_the_clock,
        actor=administrator,
        week=[()] * 7,
        is_default=True,
        always_open=True,
        public_holidays=False,
    )
    assert list(BusinessCalendar.objects.filter(is_default=True)) == [around_the_clock]


@pytest.mark.parametrize("code", ["Ikke en slug!", "new", "kontortid", ""])
def test_a_calendar_code_must_be_a_free_slug(client, administrator, office, code):
    client.force_login(administrator)
    response = client.post(reverse("sla:calendar_create"), calendar_post(code=code))
    assert response.status_code == 400
    assert "code" in response.context["editor"].form.errors
    assert BusinessCalendar.objects.count() == 2


# --- Calendars: validation -------------------------------------------------------------------------


def post_week(client, week, **kwargs):
    response = client.post(reverse("sla:calendar_create"), calendar_post(week=week, **kwargs))
    assert response.status_code == 400
    assert not BusinessCalendar.objects.filter(code="brukerstotte").exists()
    return response.context["editor"]


def test_a_boundary_in_the_dst_gap_is_refused(client, administrator):
    client.force_login(administrator)
    editor = post_week(client, {**OFFICE, 6: [("02:30", "06:00")]})
    [error] = editor.week.errors["d6_1_opens"]
    assert error.startswith("Sunday: 02:30 does not exist on the days the clocks go forward")
    assert "02:00–03:00" in error
    html = client.post(
        reverse("sla:calendar_create"), calendar_post(week={**OFFICE, 6: [("02:30", "06:00")]})
    )
    page = html.content.decode()
    assert 'href="#id_d6_1_opens"' in page
    assert 'aria-invalid="true"' in page


def test_a_closing_time_in_the_dst_hour_is_refused(client, administrator):
    client.force_login(administrator)
    editor = post_week(client, {**OFFICE, 6: [("00:30", "02:15")]})
    [error] = editor.week.errors["d6_1_closes"]
    assert error.startswith("Sunday: 02:15 does not exist")


def test_overlapping_segments_are_refused(client, administrator):
    client.force_login(administrator)
    editor = post_week(client, {**OFFICE, 0: [("08:00", "12:00"), ("11:00", "16:00")]})
    assert editor.week.errors["d0_2_opens"] == [
        "Monday: 08:00–12:00 overlaps 11:00–16:00; the opening hours of a day must not overlap."
    ]


def test_a_segment_closing_before_it_opens_is_refused(client, administrator):
    client.force_login(administrator)
    editor = post_week(client, {**OFFICE, 2: [("16:00", "08:00")]})
    assert editor.week.errors["d2_1_closes"] == [
        "Wednesday: 16:00–08:00 closes before it opens; the closing time must be later."
    ]


def test_a_segment_closing_at_midnight_is_refused(client, administrator):
    client.force_login(administrator)
    editor = post_week(client, {**OFFICE, 5: [("20:00", "00:00")]})
    [error] = editor.week.errors["d5_1_closes"]
    assert error.startswith("Saturday: a segment must close by 23:59")


def test_half_a_segment_is_refused(client, administrator):
    client.force_login(administrator)
    data = calendar_post()
    data["d5_1_opens"] = "10:00"
    response = client.post(reverse("sla:calendar_create"), data)
    assert response.status_code == 400
    assert response.context["editor"].week.errors["d5_1_closes"] == ["Give the closing time too."]


def test_an_unknown_time_zone_is_refused(client, administrator):
    client.force_login(administrator)
    for zone in ("Europe/Atlantis", "localtime", "../etc/passwd"):
        editor = post_week(client, OFFICE, time_zone=zone)
        assert list(editor.form.errors) == ["time_zone"]


def test_a_calendar_that_never_opens_is_refused(client, administrator):
    client.force_login(administrator)
    editor = post_week(client, {})
    assert editor.week.non_field_errors()[0].startswith("The calendar is never open")


def test_a_24x7_calendar_has_no_special_dates(client, administrator):
    client.force_login(administrator)
    editor = post_week(client, {}, always_open=True, dates=[{"date": "2026-12-24", "label": "Julaften"}])
    assert editor.date_errors and "around the clock" in editor.date_errors[0]
    response = client.post(reverse("sla:calendar_create"), calendar_post(week={}, always_open=True))
    assert response.status_code == 302


def test_special_date_problems_are_shown_on_their_row(client, administrator):
    client.force_login(administrator)
    dates = [
        {"date": "2026-12-24", "label": "Julaften"},
        {"date": "2026-12-24", "label": "Igjen"},
        {"date": "2026-12-27", "kind": "open", "opens": "09:00"},
        {"date": "2027-03-28", "kind": "open", "opens": "02:30", "closes": "06:00"},
        {"label": "Uten dato"},
    ]
    response = client.post(reverse("sla:calendar_create"), calendar_post(dates=dates))
    assert response.status_code == 400
    forms = response.context["editor"].dates.forms
    assert forms[1].errors["date"] == ["This date is listed twice."]
    assert forms[2].errors["closes"] == ["An open date needs its closing time."]
    assert forms[4].errors["date"] == ["Give the date."]
    # The engine's check comes once the form is otherwise valid.
    response = client.post(reverse("sla:calendar_create"), calendar_post(dates=[dates[0], dates[3]]))
    assert response.status_code == 400
    [error] = response.context["editor"].dates.forms[1].errors["opens"]
    assert "does not exist" in error
    assert not BusinessCalendar.objects.filter(code="brukerstotte").exists()


def test_a_tampered_dates_form_is_refused(client, administrator):
    client.force_login(administrator)
    data = calendar_post()
    del data["dates-TOTAL_FORMS"]
    response = client.post(reverse("sla:calendar_create"), data)
    assert response.status_code == 400
    assert response.context["editor"].dates.non_form_errors()
    assert not BusinessCalendar.objects.filter(code="brukerstotte").exists()


def test_a_24x7_calendar_is_saved_without_weekly_hours(client, administrator, around_the_clock):
    client.force_login(administrator)
    url = reverse("sla:calendar_edit", kwargs={"code": "24x7"})
    response = client.post(url, edit_post(around_the_clock, name_en="Always open"))
    assert response.status_code == 302
    around_the_clock.refresh_from_db()
    assert around_the_clock.always_open and around_the_clock.name_en == "Always open"
    # Turned off without weekly hours, it would never open.
    response = client.post(url, edit_post(around_the_clock, always_open=False))
    assert response.status_code == 400
    assert response.context["editor"].week.non_field_errors()


def test_a_refused_edit_writes_nothing(client, administrator, office):
    client.force_login(administrator)
    before = list(office.segments.values_list("weekday", "opens", "closes"))
    data = edit_post(office, name_nb="Endret", week={0: [("02:30", "16:00")]}, dates=[{"date": "2026-12-24"}])
    response = client.post(reverse("sla:calendar_edit", kwargs={"code": "kontortid"}), data)
    assert response.status_code == 400
    office.refresh_from_db()
    assert office.name_nb == "Kontortid"
    assert list(office.segments.values_list("weekday", "opens", "closes")) == before
    assert not office.dates.exists()
    assert response.context["title"] == "Edit Office hours"


def test_the_service_validates_by_the_engine_and_writes_nothing(office):
    week = [((T(8), T(12)), (T(11), T(16)))] + [()] * 6
    with pytest.raises(ValidationError) as caught:
        services.calendar_update(
            calendar=office,
            actor=None,
            week=week,
            dates=[SpecialDate(dt.date(2026, 12, 24), "closed", "x" * 200)],
            time_zone="Mars/Olympus",
        )
    errors = caught.value.error_dict
    assert set(errors) == {"time_zone", "week", "dates"}
    assert errors["week"][0].params["weekday"] == 0
    assert office.segments.count() == 5 and not office.dates.exists()


def test_the_engines_messages_are_translated():
    spec = CalendarSpec(week=(((T(9), T(8)),), ((T(2, 30), T(5)),), (), (), (), (), ()))
    messages = validate_spec(spec)
    with translation.override("nb"):
        errors = services.spec_errors(messages)
    assert set(errors) == {"week"}
    texts = [str(error.message % error.params) for error in errors["week"]]
    assert all(not text.startswith(("Monday", "Tuesday")) for text in texts)
    assert [e.params["weekday"] for e in errors["week"]] == [0, 1]
    # What is not recognised keeps the engine's English after a general message.
    # The clock change is shown on a date of the year asked for, not the engine's first one (in 2000).
    [gap] = services.spec_errors(messages[1:], tz="Europe/Oslo", year=2027)["week"]
    assert gap.params["example"] == "March 28, 2027"
    [fallback] = services.spec_errors(["Something new went wrong."])["__all__"]
    assert "Something new went wrong." in fallback.message


# --- The preview -----------------------------------------------------------------------------------


def test_the_preview_shows_the_hours_holidays_and_special_dates(office):
    CalendarDate.objects.create(
        calendar=office, date=dt.date(2026, 5, 15), kind="closed", label="Inneklemt dag"
    )
    CalendarDate.objects.create(
        calendar=office,
        date=dt.date(2026, 5, 16),
        kind="open",
        label="Lørdagsåpent",
        opens=T(10),
        closes=T(14),
    )
    days = opening_hours_preview(
        spec_of(office),
        today=dt.date(2026, 5, 11),
        labels={dt.date(2026, 5, 15): "Inneklemt dag"},
        language="no",
    )
    assert len(days) == 14 and days[0].date == dt.date(2026, 5, 11) and days[-1].date == dt.date(2026, 5, 24)
    by_date = {day.date: day for day in days}
    assert by_date[dt.date(2026, 5, 11)] == PreviewDay(dt.date(2026, 5, 11), ("08:00–16:00",))
    assert by_date[dt.date(2026, 5, 14)] == PreviewDay(
        dt.date(2026, 5, 14), (), holiday="Kristi himmelfartsdag"
    )
    assert by_date[dt.date(2026, 5, 15)] == PreviewDay(
        dt.date(2026, 5, 15), (), special="closed", label="Inneklemt dag"
    )
    assert by_date[dt.date(2026, 5, 16)].hours == ("10:00–14:00",)
    assert by_date[dt.date(2026, 5, 16)].special == "open"
    assert by_date[dt.date(2026, 5, 17)] == PreviewDay(dt.date(2026, 5, 17), (), holiday="Grunnlovsdag")
    assert by_date[dt.date(2026, 5, 18)].hours == ("08:00–16:00",)


def test_the_preview_is_in_local_time_across_the_change_of_clocks(office):
    days = opening_hours_preview(spec_of(office), today=dt.date(2026, 3, 26), days=5)
    assert [day.hours for day in days] == [("08:00–16:00",), ("08:00–16:00",), (), (), ("08:00–16:00",)]


def test_the_preview_of_a_24x7_calendar_is_every_whole_day(around_the_clock):
    days = opening_hours_preview(spec_of(around_the_clock), today=dt.date(2026, 3, 28), days=3)
    assert [day.hours for day in days] == [("00:00–24:00",)] * 3
    assert all(not day.holiday for day in days)


def test_the_preview_helper_reads_the_stored_calendar_in_the_active_language(office):
    CalendarDate.objects.create(calendar=office, date=dt.date(2026, 12, 24), kind="closed", label="Julaften")
    preview = calendar_preview(office, today=dt.date(2026, 12, 21))
    by_date = {day.date: day for day in preview["days"]}
    assert by_date[dt.date(2026, 12, 24)].label == "Julaften"
    assert by_date[dt.date(2026, 12, 25)].holiday == "Christmas Day"
    assert (dt.date(2026, 5, 17), "Constitution Day") in preview["holidays"]
    with translation.override("nb"):
        preview = calendar_preview(office, today=dt.date(2026, 12, 21))
    assert (dt.date(2026, 5, 17), "Grunnlovsdag") in preview["holidays"]


@pytest.mark.parametrize(
    ("language", "expected"), [("nb", "no"), ("en", "en_US"), ("en-gb", "en_US"), (None, "no")]
)
def test_the_holidays_language(language, expected):
    assert holiday_language(language) == expected


def test_the_calendar_page_shows_the_preview(client, administrator, office):
    client.force_login(administrator)
    html = client.get(reverse("sla:calendar_edit", kwargs={"code": "kontortid"})).content.decode()
    assert 'id="preview"' in html and html.count('id="preview-20') == 14
    assert "Constitution Day" in html


def test_the_24x7_page_says_open_around_the_clock(client, administrator, around_the_clock):
    client.force_login(administrator)
    html = client.get(reverse("sla:calendar_edit", kwargs={"code": "24x7"})).content.decode()
    assert 'id="preview-always-open"' in html and 'id="preview"' not in html


# --- Policies --------------------------------------------------------------------------------------


def test_editing_the_default_policy(client, administrator, default_policy, around_the_clock):
    client.force_login(administrator)
    url = reverse("sla:policy_edit", kwargs={"pk": default_policy.pk})
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["p1_response"] == 900 and 'value="0:15"' in page.content.decode()
    data = policy_post(
        name_nb="Standard",
        p1_response="0:10",
        p1_calendar=around_the_clock.pk,
        p4_resolution="100",
        pausing_reasons=["requester", "approval"],
        warning_percent="80",
        step3_percent="",
        step3_notify="",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("sla:policy_list")
    default_policy.refresh_from_db()
    assert default_policy.name_nb == "Standard" and default_policy.warning_percent == 80
    assert default_policy.pausing_reasons == ["requester", "approval"]
    assert default_policy.escalations == [
        {"percent": 75, "notify": "assignee"},
        {"percent": 100, "notify": "group_lead"},
    ]
    targets = {t.priority: t for t in default_policy.targets.all()}
    assert (targets[1].response_seconds, targets[1].calendar) == (600, around_the_clock)
    assert targets[4].resolution_seconds == 100 * 3600 and targets[4].calendar is None
    record = default_policy.history.latest()
    assert record.history_type == "~" and record.history_user == administrator


def test_creating_a_services_own_policy(client, service_owner, service, default_policy):
    client.force_login(service_owner)
    page = client.get(reverse("sla:policy_create") + "?service=epost")
    form = page.context["form"]
    assert form.initial["service"] == service.pk
    assert form.initial["p2_resolution"] == 8 * 3600 and "name_nb" not in form.initial
    response = client.post(reverse("sla:policy_create"), policy_post(service=service, p1_resolution="2:00"))
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(service=service)
    assert policy.targets.get(priority=1).resolution_seconds == 7200
    assert policy.history.get().history_user == service_owner
    # The service has its policy now: it is no longer offered.
    assert service not in client.get(reverse("sla:policy_create")).context["form"].fields["service"].queryset


def test_a_service_with_a_policy_cannot_get_another(service_policy, service, office):
    with pytest.raises(ValidationError) as caught:
        services.policy_create(
            actor=None, service=service, name_nb="x", name_en="x", calendar=office, targets=default_targets()
        )
    assert "service" in caught.value.error_dict
    assert SlaPolicy.objects.filter(service=service).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"p1_response": "0:00"}, "p1_response"),
        ({"p3_resolution": "0"}, "p3_resolution"),
        ({"p2_response": "9:00"}, "p2_response"),  # longer than the resolution target (8:00)
        ({"p2_response": "abc"}, "p2_response"),
        ({"p2_response": "1:75"}, "p2_response"),
        ({"p4_resolution": ""}, "p4_resolution"),
        ({"step2_percent": "60"}, "step2_percent"),  # not after step 1's 75 %
        ({"step2_notify": ""}, "step2_notify"),
        ({"step1_notify": "everyone"}, "step1_notify"),
        ({"warning_percent": "0"}, "warning_percent"),
        ({"warning_percent": "101"}, "warning_percent"),
        ({"pausing_reasons": ["holiday"]}, "pausing_reasons"),
        ({"calendar": ""}, "calendar"),
    ],
)
def test_bad_policy_input_is_refused_on_its_field(client, administrator, default_policy, overrides, field):
    client.force_login(administrator)
    response = client.post(
        reverse("sla:policy_edit", kwargs={"pk": default_policy.pk}), policy_post(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    if field != "pausing_reasons":  # a group of checkboxes has no single id to link to
        assert f'href="#id_{field}' in response.content.decode()
    default_policy.refresh_from_db()
    assert default_policy.name_nb == "Standard tjenestenivå"
    assert default_policy.targets.get(priority=1).response_seconds == 900


def test_a_later_step_row_gets_its_own_error(client, administrator, default_policy):
    client.force_login(administrator)
    data = policy_post(step1_percent="", step1_notify="", step3_percent="90")
    response = client.post(reverse("sla:policy_edit", kwargs={"pk": default_policy.pk}), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["step3_percent"]


def test_the_policy_service_refuses_bad_targets(default_policy):
    targets = default_targets({1: Target(0, 100), 2: Target(7200, 3600)})
    with pytest.raises(ValidationError) as caught:
        services.policy_update(policy=default_policy, actor=None, targets=targets, warning_percent=0)
    errors = caught.value.error_dict
    assert set(errors) == {"targets", "warning_percent"}
    assert [(e.params["priority"], e.params["kind"]) for e in errors["targets"]] == [
        (1, "response"),
        (2, "response"),
    ]
    assert default_policy.targets.get(priority=1).response_seconds == 900


@pytest.mark.parametrize(
    ("typed", "seconds", "shown"),
    [
        ("0:15", 900, "0:15"),
        ("4:00", 14400, "4:00"),
        ("80", 288000, "80:00"),
        ("1:30:15", 5415, "1:30:15"),
        (" 8:05 ", 29100, "8:05"),
    ],
)
def test_hours_and_minutes_are_read_as_seconds(typed, seconds, shown):
    assert HoursMinutesField().clean(typed) == seconds
    assert HoursMinutesField().prepare_value(seconds) == shown


@pytest.mark.parametrize("typed", ["1:5", "1:60", "-1", "1,5", "1h"])
def test_other_durations_are_refused(typed):
    with pytest.raises(ValidationError):
        HoursMinutesField().clean(typed)


# --- A service's support hours ---------------------------------------------------------------------


def test_choosing_a_services_support_hours(client, service_owner, service, around_the_clock):
    client.force_login(service_owner)
    url = reverse("sla:service_hours", kwargs={"code": "epost"})
    page = client.get(url).content.decode()
    assert "The default calendar (Office hours)" in page
    response = client.post(url, {"calendar": around_the_clock.pk})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.support_calendar == around_the_clock
    record = service.history.latest()
    assert record.history_user == service_owner and record.support_calendar_id == around_the_clock.pk
    assert client.post(url, {"calendar": ""}).status_code == 302
    service.refresh_from_db()
    assert service.support_calendar is None


def test_an_unknown_calendar_is_refused_for_support_hours(client, administrator, service):
    client.force_login(administrator)
    response = client.post(reverse("sla:service_hours", kwargs={"code": "epost"}), {"calendar": "999999"})
    assert response.status_code == 400
    assert "calendar" in response.context["form"].errors


# --- Query counts ----------------------------------------------------------------------------------


def add_rows(count, owner):
    for n in range(count):
        calendar = services.calendar_create(
            actor=None,
            code=f"kalender-{n}",
            name_nb=f"Kalender {n}",
            name_en=f"Calendar {n}",
            week=[((T(8), T(12)), (T(13), T(16)))] * 5 + [()] * 2,
            dates=[SpecialDate(dt.date(2026, 12, 24), label="Julaften")],
        )
        service = ServiceFactory(owner=owner, code=f"tjeneste-{n}")
        if n % 2:
            services.service_hours_set(service=service, actor=None, calendar=calendar)
            services.policy_create(
                actor=None,
                service=service,
                name_nb=f"Avtale {n}",
                name_en=f"Policy {n}",
                calendar=calendar,
                targets=default_targets({1: Target(600, 3600, calendar)}),
            )


# Every signed-in page: the session, the user, and their roles with the facts the menu checks (approver,
# group lead: people.facts); then the page's own queries.
BASE_QUERIES = 3
LIST_QUERIES = {
    "sla:index": BASE_QUERIES + 2,  # the calendars; the policies with their services and calendars
    "sla:calendar_list": BASE_QUERIES + 2,  # the calendars with their counts; their segments
    # The policies with their services and calendars; their targets with their calendars; the services
    # with their support hours and policies; the default calendar.
    "sla:policy_list": BASE_QUERIES + 4,
}


@pytest.mark.parametrize("rows", [2, 10])
def test_the_lists_run_a_fixed_number_of_queries(client, administrator, rows, django_assert_num_queries):
    add_rows(rows, administrator)
    assert BusinessCalendar.objects.count() == rows + 2
    assert Service.objects.count() == rows
    assert SlaTarget.objects.count() == 4 * (1 + rows // 2)
    client.force_login(administrator)
    for name, expected in LIST_QUERIES.items():
        url = reverse(name)
        client.get(url)  # the first request after signing in also touches the session
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
