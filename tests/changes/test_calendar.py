"""The change calendar: the pure month and week grids, and the page — filters, boundaries in Oslo time,
the week view, permissions, bad query values and a fixed number of queries."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services, services_settings
from changes.calendar_grid import (
    CHANGE,
    FREEZE,
    MAINTENANCE,
    MONTH,
    WEEK,
    Entry,
    add_months,
    agenda,
    build_grid,
    days_touched,
    period,
    visible_range,
    week_start,
)
from changes.models import Change
from changes.transitions import ChangeMove
from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
URL = "/changes/calendar/"


def at(*args) -> dt.datetime:
    """An aware datetime in Oslo time."""
    return dt.datetime(*args, tzinfo=OSLO)


def entry(key="CHG-1", start=None, end=None, kind=CHANGE, **kwargs) -> Entry:
    start = start or at(2030, 1, 9, 20)
    return Entry(
        kind=kind, key=key, title=key, start=start, end=end or start + dt.timedelta(hours=2), **kwargs
    )


# --- Pure: dates and periods ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2030, 1, 31), 1, dt.date(2030, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2030, 3, 15), -3, dt.date(2029, 12, 15)),
        (dt.date(2030, 12, 1), 1, dt.date(2031, 1, 1)),
        (dt.date(2030, 5, 31), 12, dt.date(2031, 5, 31)),
        (dt.date(2030, 1, 1), 0, dt.date(2030, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("view", "day", "expected_period", "expected_visible"),
    [
        # January 2030 starts on a Tuesday and ends on a Thursday: whole weeks Monday to Sunday around it.
        (MONTH, dt.date(2030, 1, 17), (dt.date(2030, 1, 1), dt.date(2030, 2, 1)),
         (dt.date(2029, 12, 31), dt.date(2030, 2, 4))),
        # February 2027 starts on a Monday and ends on a Sunday: exactly four weeks.
        (MONTH, dt.date(2027, 2, 1), (dt.date(2027, 2, 1), dt.date(2027, 3, 1)),
         (dt.date(2027, 2, 1), dt.date(2027, 3, 1))),
        (WEEK, dt.date(2030, 1, 9), (dt.date(2030, 1, 7), dt.date(2030, 1, 14)),
         (dt.date(2030, 1, 7), dt.date(2030, 1, 14))),
        (WEEK, dt.date(2030, 1, 13), (dt.date(2030, 1, 7), dt.date(2030, 1, 14)),
         (dt.date(2030, 1, 7), dt.date(2030, 1, 14))),
    ],
)  # fmt: skip
def test_period_and_visible_range(view, day, expected_period, expected_visible):
    assert period(view, day) == expected_period
    assert visible_range(view, day) == expected_visible
    assert week_start(expected_visible[0]) == expected_visible[0]


@pytest.mark.parametrize(
    ("day", "numbers"),
    [
        (dt.date(2030, 1, 1), [1, 2, 3, 4, 5]),
        # 2026 has 53 ISO weeks; 1 January 2027 is a Friday in week 53 of 2026.
        (dt.date(2027, 1, 1), [53, 1, 2, 3, 4]),
        (dt.date(2026, 12, 1), [49, 50, 51, 52, 53]),
        (dt.date(2027, 2, 1), [5, 6, 7, 8]),
    ],
)
def test_month_weeks_carry_iso_week_numbers(day, numbers):
    grid = build_grid(view=MONTH, day=day, entries=[], today=dt.date(2030, 1, 1), tz=OSLO)
    assert [week.number for week in grid.weeks] == numbers
    assert all(len(week.days) == 7 for week in grid.weeks)
    assert all(week.days[0].date.isoweekday() == 1 for week in grid.weeks)
    assert [weekday.isoweekday() for weekday in grid.weekdays] == [1, 2, 3, 4, 5, 6, 7]


def test_month_grid_marks_the_days_of_other_months_and_today():
    grid = build_grid(view=MONTH, day=dt.date(2030, 1, 20), entries=[], today=dt.date(2030, 1, 9), tz=OSLO)
    outside = [day.date for day in grid.days if not day.in_period]
    assert outside == [dt.date(2029, 12, 31), dt.date(2030, 2, 1), dt.date(2030, 2, 2), dt.date(2030, 2, 3)]
    assert [day.date for day in grid.days if day.is_today] == [dt.date(2030, 1, 9)]
    assert (grid.previous, grid.next) == (dt.date(2029, 12, 1), dt.date(2030, 2, 1))
    assert grid.last_day == dt.date(2030, 1, 31)


def test_week_grid_has_seven_days_and_moves_a_week_at_a_time():
    grid = build_grid(view=WEEK, day=dt.date(2030, 1, 9), entries=[], today=dt.date(2030, 1, 9), tz=OSLO)
    assert len(grid.weeks) == 1
    assert [day.date for day in grid.days] == [dt.date(2030, 1, 7) + dt.timedelta(days=n) for n in range(7)]
    assert all(day.in_period for day in grid.days)
    assert (grid.previous, grid.next) == (dt.date(2029, 12, 31), dt.date(2030, 1, 14))


def test_an_unknown_view_is_refused():
    with pytest.raises(ValueError, match="year"):
        build_grid(view="year", day=dt.date(2030, 1, 1), entries=[], today=dt.date(2030, 1, 1), tz=OSLO)


# --- Pure: where entries fall ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(2030, 1, 9, 20), at(2030, 1, 9, 22), (dt.date(2030, 1, 9), dt.date(2030, 1, 9))),
        # Across midnight: two days.
        (at(2030, 1, 9, 22), at(2030, 1, 10, 2), (dt.date(2030, 1, 9), dt.date(2030, 1, 10))),
        # Ending at midnight does not touch the next day.
        (at(2030, 1, 9, 22), at(2030, 1, 10, 0), (dt.date(2030, 1, 9), dt.date(2030, 1, 9))),
        # Stored in UTC, drawn in Oslo: 23:30 UTC on 31 January is half past midnight on 1 February.
        (
            dt.datetime(2030, 1, 31, 23, 30, tzinfo=UTC),
            dt.datetime(2030, 2, 1, 1, 0, tzinfo=UTC),
            (dt.date(2030, 2, 1), dt.date(2030, 2, 1)),
        ),
        # Summer time: 22:30 UTC on 30 June is 00:30 on 1 July in Oslo.
        (
            dt.datetime(2030, 6, 30, 22, 30, tzinfo=UTC),
            dt.datetime(2030, 6, 30, 23, 30, tzinfo=UTC),
            (dt.date(2030, 7, 1), dt.date(2030, 7, 1)),
        ),
        # The night the clocks go forward (31 March 2030, 02:00 → 03:00).
        (at(2030, 3, 30, 23), at(2030, 3, 31, 4), (dt.date(2030, 3, 30), dt.date(2030, 3, 31))),
    ],
)
def test_days_touched_in_oslo_time(start, end, expected):
    assert days_touched(entry(start=start, end=end), OSLO) == expected


def test_a_multi_day_entry_has_a_start_a_middle_and_an_end():
    long = entry(start=at(2030, 1, 9, 20), end=at(2030, 1, 11, 6))
    grid = build_grid(view=WEEK, day=dt.date(2030, 1, 9), entries=[long], today=dt.date(2030, 1, 1), tz=OSLO)
    segments = {day.date: day.segments for day in grid.days if day.segments}
    assert list(segments) == [dt.date(2030, 1, 9), dt.date(2030, 1, 10), dt.date(2030, 1, 11)]
    first, middle, last = (segments[day][0] for day in segments)
    assert (first.starts, first.ends) == (at(2030, 1, 9, 20), None)
    assert middle.all_day
    assert (last.starts, last.ends) == (None, at(2030, 1, 11, 6))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Midnight to midnight: whole days, no times.
        (at(2030, 1, 9), at(2030, 1, 11), [(None, None), (None, None)]),
        # Until midnight: from its start to the end of the day.
        (at(2030, 1, 9, 22), at(2030, 1, 10), [(at(2030, 1, 9, 22), None)]),
        # From midnight: until its end.
        (at(2030, 1, 9), at(2030, 1, 9, 2), [(None, at(2030, 1, 9, 2))]),
        (at(2030, 1, 9, 8), at(2030, 1, 9, 9), [(at(2030, 1, 9, 8), at(2030, 1, 9, 9))]),
    ],
)
def test_midnight_is_the_edge_of_a_day_not_a_time(start, end, expected):
    grid = build_grid(
        view=WEEK,
        day=dt.date(2030, 1, 9),
        entries=[entry(start=start, end=end)],
        today=dt.date(2030, 1, 1),
        tz=OSLO,
    )
    assert [(s.starts, s.ends) for day in grid.days for s in day.segments] == expected


def test_an_entry_begun_before_the_grid_shows_from_its_first_visible_day():
    long = entry(start=at(2029, 12, 20), end=at(2030, 1, 2, 12), kind=FREEZE, key="freeze-1")
    grid = build_grid(view=MONTH, day=dt.date(2030, 1, 1), entries=[long], today=dt.date(2030, 1, 1), tz=OSLO)
    days = [day.date for day in grid.days if day.segments]
    assert days == [dt.date(2029, 12, 31), dt.date(2030, 1, 1), dt.date(2030, 1, 2)]
    assert all(day.frozen for day in grid.days if day.segments)
    assert grid.agenda == (long,)


def test_a_day_lists_freeze_windows_first_then_by_time():
    late = entry("CHG-late", start=at(2030, 1, 9, 21))
    early = entry("CHG-early", start=at(2030, 1, 9, 8))
    freeze = entry("freeze-1", start=at(2030, 1, 9, 12), end=at(2030, 1, 12), kind=FREEZE)
    grid = build_grid(
        view=WEEK, day=dt.date(2030, 1, 9), entries=[late, freeze, early], today=dt.date(2030, 1, 1), tz=OSLO
    )
    wednesday = grid.days[2]
    assert [segment.entry.key for segment in wednesday.segments] == ["freeze-1", "CHG-early", "CHG-late"]
    assert [entry.key for entry in grid.agenda] == ["CHG-early", "freeze-1", "CHG-late"]


def test_the_agenda_keeps_to_the_period_while_the_grid_shows_whole_weeks():
    # Oslo time 1 February 00:30: on the January page's last row, but February's business.
    after_midnight = entry(
        "CHG-feb",
        start=dt.datetime(2030, 1, 31, 23, 30, tzinfo=UTC),
        end=dt.datetime(2030, 2, 1, 1, tzinfo=UTC),
    )
    last_evening = entry("CHG-jan", start=at(2030, 1, 31, 21), end=at(2030, 1, 31, 23))
    entries = [after_midnight, last_evening]
    january = build_grid(
        view=MONTH, day=dt.date(2030, 1, 1), entries=entries, today=dt.date(2030, 1, 1), tz=OSLO
    )
    assert [e.key for e in january.agenda] == ["CHG-jan"]
    cells = {day.date: [s.entry.key for s in day.segments] for day in january.days if day.segments}
    assert cells == {dt.date(2030, 1, 31): ["CHG-jan"], dt.date(2030, 2, 1): ["CHG-feb"]}
    february = agenda(entries, start=dt.date(2030, 2, 1), end=dt.date(2030, 3, 1), tz=OSLO)
    assert [e.key for e in february] == ["CHG-feb"]


# --- The page ------------------------------------------------------------------------------------------


@pytest.fixture
def desktop_group(db):
    lead = UserFactory(username="klient", roles=["agent"])
    return SupportGroupFactory(code="klient", name_nb="Klientdrift", name_en="Desktop", members_list=[lead])


@pytest.fixture
def desktop_service(desktop_group):
    return ServiceFactory(
        code="klient", name_nb="Klient-PC", name_en="Desktop PCs", support_group=desktop_group
    )


@pytest.fixture
def patch_template(change_manager, operations, network):
    return services_settings.template_create(
        actor=change_manager,
        services=[network],
        code="patch-switch",
        name_nb="Patch svitsjer",
        name_en="Patch switches",
        implementer_group=operations,
        implementation_plan="Patch.",
        backout_plan="Roll back.",
        causes_downtime=True,
        duration_minutes=120,
    )


@pytest.fixture
def desktop_template(change_manager, desktop_group, desktop_service):
    return services_settings.template_create(
        actor=change_manager,
        services=[desktop_service],
        code="patch-pc",
        name_nb="Patch klienter",
        name_en="Patch desktops",
        implementer_group=desktop_group,
        implementation_plan="Patch.",
        backout_plan="Roll back.",
        causes_downtime=False,
        duration_minutes=60,
    )


@pytest.fixture
def schedule(implementer):
    """Make a standard change from a template and put it on the calendar."""

    def make(template, start, *, title="", hours=None, before_scheduling=None):
        change = services.change_from_template(
            actor=implementer,
            template=template,
            planned_start=start,
            planned_end=start + dt.timedelta(hours=hours) if hours else None,
            title=title,
        )
        if before_scheduling:
            before_scheduling(change)
        return services.change_move(change=change, actor=implementer, move=ChangeMove(to="scheduled"))

    return make


@pytest.fixture
def agent_client(client, implementer):
    client.force_login(implementer)
    return client


def page(client, **params):
    response = client.get(URL, params)
    return response, response.content.decode()


def agenda_keys(html: str) -> list[str]:
    return re.findall(r'<tr id="agenda-([^"]+)"', html)


def test_the_url_names(db):
    assert reverse("changes:calendar") == URL
    assert reverse("changes:calendar_feed", kwargs={"token": "1:abc"}) == "/changes/calendar/feed/1:abc.ics"


def test_the_month_shows_scheduled_changes_in_grid_and_agenda(agent_client, schedule, patch_template):
    change = schedule(patch_template, at(2030, 1, 9, 20), title="Patch core switch")
    response, html = page(agent_client, view="month", date="2030-01-15")
    assert response.status_code == 200
    number = change.ticket.number
    assert agenda_keys(html) == [number]
    link = f'href="/changes/{number}/"'
    assert html.count(link) == 2  # the day cell and the agenda row
    assert change.get_absolute_url() == f"/changes/{number}/"
    grid = response.context["grid"]
    day = next(day for day in grid.days if day.date == dt.date(2030, 1, 9))
    assert [segment.entry.key for segment in day.segments] == [number]
    assert "Scheduled" in html
    assert "20:00–22:00" in html
    assert '<table class="ds-table sd-cal-month"' in html
    assert "<caption" in html and "January 2030" in html
    assert 'scope="col"' in html and "Monday" in html
    # The downtime of the change's own window is said in its row, not listed a second time.
    assert [e.kind for e in grid.agenda] == [CHANGE]
    assert grid.agenda[0].downtime is True
    assert grid.agenda[0].services == ("Network",)
    assert grid.agenda[0].group == "Operations"


def test_changes_off_the_calendar_do_not_appear(agent_client, schedule, patch_template, implementer):
    draft = services.change_from_template(
        actor=implementer, template=patch_template, planned_start=at(2030, 1, 10, 20)
    )
    cancelled = services.change_from_template(
        actor=implementer, template=patch_template, planned_start=at(2030, 1, 11, 20)
    )
    services.change_move(change=cancelled, actor=implementer, move=ChangeMove(to="cancelled", reason="No."))
    scheduled = schedule(patch_template, at(2030, 1, 12, 20))
    _response, html = page(agent_client, date="2030-01-01")
    assert agenda_keys(html) == [scheduled.ticket.number]
    assert draft.ticket.number not in html
    assert cancelled.ticket.number not in html


def test_a_change_awaiting_approval_is_shown_with_its_state(
    agent_client, make_change, implementer, change_manager
):
    change = make_change(start=at(2030, 1, 15, 20))
    services.change_move(change=change, actor=implementer, move=ChangeMove(to="submitted"))
    services.change_move(change=change, actor=change_manager, move=ChangeMove(to="assessment"))
    services.change_move(change=change, actor=change_manager, move=ChangeMove(to="awaiting_approval"))
    response, html = page(agent_client, date="2030-01-15")
    [shown] = response.context["grid"].agenda
    assert shown.key == change.ticket.number
    assert shown.state == Change.State.AWAITING_APPROVAL
    assert shown.tentative
    assert "Awaiting approval" in html


def test_filter_by_service(
    agent_client, schedule, patch_template, desktop_template, desktop_service, network
):
    switch = schedule(patch_template, at(2030, 1, 9, 20))
    desktops = schedule(desktop_template, at(2030, 1, 9, 20))
    _response, html = page(agent_client, date="2030-01-09")
    assert sorted(agenda_keys(html)) == sorted([switch.ticket.number, desktops.ticket.number])
    _response, html = page(agent_client, date="2030-01-09", service=desktop_service.pk)
    assert agenda_keys(html) == [desktops.ticket.number]
    _response, html = page(agent_client, date="2030-01-09", service=network.pk)
    assert agenda_keys(html) == [switch.ticket.number]
    assert f'<option value="{network.pk}" selected>' in html


def test_filter_by_implementer_group(
    agent_client, schedule, patch_template, desktop_template, desktop_group, operations
):
    switch = schedule(patch_template, at(2030, 1, 9, 20))
    desktops = schedule(desktop_template, at(2030, 1, 10, 20))
    _response, html = page(agent_client, date="2030-01-09", group=desktop_group.pk)
    assert agenda_keys(html) == [desktops.ticket.number]
    _response, html = page(agent_client, date="2030-01-09", group=operations.pk)
    assert agenda_keys(html) == [switch.ticket.number]
    # The navigation keeps the filter.
    assert f"group={operations.pk}" in html.split('id="calendar-next"')[1].split(">")[0]


def test_month_boundaries_in_oslo_time(agent_client, schedule, patch_template):
    # 23:30 UTC on 31 January is 00:30 on 1 February in Oslo: February's change.
    february = schedule(patch_template, dt.datetime(2030, 1, 31, 23, 30, tzinfo=UTC), title="Night")
    january = schedule(patch_template, at(2030, 1, 31, 8), title="Morning", hours=1)
    later = schedule(patch_template, at(2030, 2, 4, 20), title="Next week")
    response, html = page(agent_client, date="2030-01-20")
    assert agenda_keys(html) == [january.ticket.number]
    # The grid's last row runs to Sunday 3 February, so February's first change is in it, not the later one.
    cells = {
        day.date: [s.entry.key for s in day.segments] for day in response.context["grid"].days if day.segments
    }
    assert cells == {
        dt.date(2030, 1, 31): [january.ticket.number],
        dt.date(2030, 2, 1): [february.ticket.number],
    }
    assert later.ticket.number not in html
    _response, html = page(agent_client, date="2030-02-01")
    assert agenda_keys(html) == [february.ticket.number, later.ticket.number]
    assert "00:30–02:30" in html


def test_the_week_view_shows_seven_days_with_times(agent_client, schedule, patch_template):
    monday = schedule(patch_template, at(2030, 1, 7, 6), hours=1)
    sunday = schedule(patch_template, at(2030, 1, 13, 23), hours=2)  # into Monday the 14th
    next_week = schedule(patch_template, at(2030, 1, 15, 20))
    response, html = page(agent_client, view="week", date="2030-01-09")
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [day.date for day in grid.days] == [dt.date(2030, 1, 7) + dt.timedelta(days=n) for n in range(7)]
    assert agenda_keys(html) == [monday.ticket.number, sunday.ticket.number]
    assert next_week.ticket.number not in html
    assert "06:00–07:00" in html
    assert "from 23:00" in html
    assert html.count('class="sd-cal-week__day"') == 7
    assert "Week 2" in html
    assert 'href="?view=week&amp;date=2030-01-14"' in html
    assert 'href="?view=week&amp;date=2029-12-31"' in html


def test_freeze_windows_are_shown_as_such(
    agent_client, change_manager, desktop_service, network, schedule, patch_template
):
    everything = services_settings.freeze_create(
        actor=change_manager, name_nb="Valg", name_en="Election", start=at(2030, 1, 20), end=at(2030, 1, 22)
    )
    desktops_only = services_settings.freeze_create(
        actor=change_manager,
        services=[desktop_service],
        name_nb="Eksamen",
        name_en="Exams",
        start=at(2030, 1, 24),
        end=at(2030, 1, 25),
    )
    response, html = page(agent_client, date="2030-01-01")
    assert agenda_keys(html) == [f"freeze-{everything.pk}", f"freeze-{desktops_only.pk}"]
    assert "Freeze window: Election" in html
    assert "All services" in html
    frozen = [day.date for day in response.context["grid"].days if day.frozen]
    assert frozen == [dt.date(2030, 1, 20), dt.date(2030, 1, 21), dt.date(2030, 1, 24)]
    # A freeze of every service shows for any service; one of other services does not.
    _response, html = page(agent_client, date="2030-01-01", service=network.pk)
    assert agenda_keys(html) == [f"freeze-{everything.pk}"]
    _response, html = page(agent_client, date="2030-01-01", service=desktop_service.pk)
    assert agenda_keys(html) == [f"freeze-{everything.pk}", f"freeze-{desktops_only.pk}"]
    _response, html = page(agent_client, date="2030-01-01", group=desktop_service.support_group_id)
    assert agenda_keys(html) == [f"freeze-{everything.pk}", f"freeze-{desktops_only.pk}"]


def test_maintenance_windows_apart_from_the_change_and_without_one(
    agent_client, change_manager, implementer, schedule, patch_template, email_service, desktop_service
):
    def set_apart(change):
        services.change_update(
            change=change, actor=implementer, data={}, services=[*change.services.all(), email_service]
        )
        services.maintenance_window_set(
            change=change,
            actor=implementer,
            service=email_service,
            start=at(2030, 1, 9, 21),
            end=at(2030, 1, 9, 23),
        )

    change = schedule(patch_template, at(2030, 1, 9, 20), before_scheduling=set_apart)
    supplier = services_settings.maintenance_create(
        actor=change_manager,
        service=desktop_service,
        planned_start=at(2030, 1, 12, 8),
        planned_end=at(2030, 1, 12, 10),
        description="Leverandørens vedlikehold",
    )
    response, html = page(agent_client, date="2030-01-01")
    agenda = response.context["grid"].agenda
    assert [(e.kind, e.number, e.services) for e in agenda] == [
        (CHANGE, change.ticket.number, ("Email", "Network")),
        (MAINTENANCE, change.ticket.number, ("Email",)),
        (MAINTENANCE, "", ("Desktop PCs",)),
    ]
    assert agenda[2].key == f"maintenance-{supplier.pk}"
    assert agenda[2].group == "Desktop"
    assert f"Downtime: Email ({change.ticket.number})" in html
    assert "Downtime: Desktop PCs – Leverandørens vedlikehold" in html
    assert 'href=""' not in html
    _response, html = page(agent_client, date="2030-01-01", service=desktop_service.pk)
    assert agenda_keys(html) == [f"maintenance-{supplier.pk}"]


def test_the_page_shows_the_personal_feed_address(agent_client, implementer):
    from changes.feed import feed_token

    response, html = page(agent_client)
    expected = f"http://testserver/changes/calendar/feed/{feed_token(implementer)}.ics"
    assert response.context["feed_url"] == expected
    assert f'value="{expected}"' in html
    assert "Outlook" in html


def test_the_cab_and_the_change_manager_may_see_it(client, change_manager, cab_members):
    for user in (change_manager, cab_members[0]):
        client.force_login(user)
        assert client.get(URL).status_code == 200


def test_a_plain_employee_is_refused(client, db):
    client.force_login(UserFactory(username="ansatt"))
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_only_get(agent_client):
    assert agent_client.post(URL).status_code == 405


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"view": "year"}, "view"),
        ({"date": "2030-13-01"}, "date"),
        ({"date": "yesterday"}, "date"),
        ({"date": "0001-01-01"}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"service": "abc"}, "service"),
        ({"service": "999999"}, "service"),
        ({"service": "99999999999999999999999"}, "service"),
        ({"group": "-1"}, "group"),
        ({"group": "1.5"}, "group"),
        ({"view": "week", "date": "2030-02-30", "group": "x"}, "date"),
    ],
)
def test_bad_query_values_give_a_clear_400_page(agent_client, params, field):
    response, html = page(agent_client, **params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'id="calendar-errors"' in html
    assert 'id="calendar-grid"' in html
    assert 'id="calendar-agenda"' in html


def test_the_last_and_first_allowed_months_render_without_links_beyond(agent_client):
    response, html = page(agent_client, date="2199-12-31")
    assert response.status_code == 200
    assert 'id="calendar-next"' not in html
    response, html = page(agent_client, date="2000-01-01", view="week")
    assert response.status_code == 200
    assert 'id="calendar-previous"' not in html


def test_the_page_runs_a_fixed_number_of_queries(
    agent_client, schedule, patch_template, desktop_template, change_manager, desktop_service
):
    services_settings.freeze_create(
        actor=change_manager, name_nb="Valg", name_en="Election", start=at(2030, 1, 27), end=at(2030, 1, 28)
    )
    services_settings.freeze_create(
        actor=change_manager,
        services=[desktop_service],
        name_nb="Eksamen",
        name_en="Exams",
        start=at(2030, 1, 29),
        end=at(2030, 1, 30),
    )

    def add(count, offset):
        for n in range(count):
            template = patch_template if n % 2 else desktop_template
            schedule(template, at(2030, 1, 2, 0) + dt.timedelta(hours=3 * (n + offset)))

    def queries(**params) -> int:
        agent_client.get(URL, params)  # warm the session and the per-user caches the same way each time
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get(URL, params)
        assert response.status_code == 200
        return len(captured)

    add(3, 0)
    few = {view: queries(view=view, date="2030-01-09") for view in (MONTH, WEEK)}
    filtered_few = queries(
        date="2030-01-09", service=desktop_service.pk, group=desktop_service.support_group_id
    )
    add(12, 3)
    many = {view: queries(view=view, date="2030-01-09") for view in (MONTH, WEEK)}
    filtered_many = queries(
        date="2030-01-09", service=desktop_service.pk, group=desktop_service.support_group_id
    )
    assert few == many
    assert filtered_few == filtered_many
    assert len(agenda_keys(agent_client.get(URL, {"date": "2030-01-09"}).content.decode())) == 17


# Sign-in (session, user, the user's roles with the facts the menu checks: people.facts), the page's own
# five (changes, their services, maintenance windows, freeze windows, their services) and the two filter
# lists.
QUERIES_PER_PAGE = 3 + 5 + 2


@pytest.mark.parametrize("count", [3, 15])
def test_the_query_count_is_the_same_for_3_and_15_changes(
    agent_client, schedule, patch_template, change_manager, django_assert_num_queries, count
):
    services_settings.freeze_create(
        actor=change_manager, name_nb="Valg", name_en="Election", start=at(2030, 1, 27), end=at(2030, 1, 28)
    )
    for n in range(count):
        schedule(patch_template, at(2030, 1, 2, 0) + dt.timedelta(hours=3 * n))
    with django_assert_num_queries(QUERIES_PER_PAGE):
        response = agent_client.get(URL, {"date": "2030-01-09"})
    assert len(response.context["grid"].agenda) == count + 1
