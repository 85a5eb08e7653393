"""The availability section of the service page: the service window from its support calendar, the
figures against a hand computation, the page itself and its number of queries."""

import datetime as dt
import types
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.models import Service
from changes.models import MaintenanceWindow
from incidents import services as incident_services
from sla.availability_data import (
    last_twelve_months,
    monthly_availability,
    service_window_for,
    support_calendar,
)
from sla.models import BusinessCalendar, CalendarSegment
from sla.service_figures import service_figures
from tests.factories import ServiceFactory, make_ticket

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


# Mid-June 2026: June is the month so far, May 2026 the newest whole month in the table.
MID_JUNE = oslo(2026, 6, 15, 12)
# Early July 2026: June 2026 is the newest whole month.
EARLY_JULY = oslo(2026, 7, 2, 9)


@pytest.fixture
def incident(employee, service):
    return make_ticket(employee, title="E-posten er nede", service=service)


@pytest.fixture
def record_outage(agent, incident, service):
    """Record an outage through incidents.services, as the incident page does."""

    def record(start, end):
        return incident_services.outage_record(
            incident=incident,
            actor=agent,
            service=service,
            severity="down",
            start=start,
            end=end,
            now=EARLY_JULY,
        )

    return record


@pytest.fixture
def standalone_window(service):
    """A maintenance window without a change (a supplier's announced window): approved downtime."""

    def make(start, end):
        return MaintenanceWindow.objects.create(
            service=service, planned_start=start, planned_end=end, description="Leverandør"
        )

    return make


def on_calendar(service: Service, calendar: BusinessCalendar) -> Service:
    # The service form does not offer the support calendar yet (see the report), so it is set directly.
    Service.objects.filter(pk=service.pk).update(support_calendar=calendar)
    service.refresh_from_db()
    return service


@pytest.fixture
def around_the_clock(service):
    return on_calendar(service, BusinessCalendar.objects.get(code="24x7"))


@pytest.fixture
def evening_shift(service):
    """A calendar of the service's own: every day 06:00–22:00, open on public holidays too."""
    calendar = BusinessCalendar.objects.create(
        code="vakt", name_nb="Vakttid", name_en="Shift hours", public_holidays=False
    )
    CalendarSegment.objects.bulk_create(
        CalendarSegment(calendar=calendar, weekday=day, opens=dt.time(6), closes=dt.time(22))
        for day in range(7)
    )
    return on_calendar(service, calendar)


def worked_example_8(record_outage, standalone_window):
    """sla.md worked example 8: 20:00–23:00 maintenance on 5 May, outages 22:30–23:45 and 09:00–09:30."""
    standalone_window(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    record_outage(oslo(2026, 5, 5, 22, 30), oslo(2026, 5, 5, 23, 45))
    record_outage(oslo(2026, 5, 12, 9), oslo(2026, 5, 12, 9, 30))


# --- The service window ----------------------------------------------------------------------------------


def test_a_24x7_calendar_is_no_window_and_costs_one_query(around_the_clock, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert service_window_for(around_the_clock, oslo(2026, 6, 1), oslo(2026, 7, 1)) is None


def test_a_service_without_a_calendar_is_measured_in_the_default_calendar(service, django_assert_num_queries):
    assert service.support_calendar_id is None
    with django_assert_num_queries(3):
        window = service_window_for(service, oslo(2026, 6, 8), oslo(2026, 6, 15))
    # Monday to Friday 08:00–16:00 Oslo (06:00–14:00 UTC in summer), the weekend closed.
    assert window == [
        (dt.datetime(2026, 6, day, 6, tzinfo=UTC), dt.datetime(2026, 6, day, 14, tzinfo=UTC))
        for day in range(8, 13)
    ]


def test_the_services_own_calendar_comes_before_the_default(evening_shift, django_assert_num_queries):
    with django_assert_num_queries(3):
        calendar = support_calendar(evening_shift.pk)  # by id: the calendar is found in the same query
    assert calendar.code == "vakt"
    assert service_window_for(evening_shift, oslo(2026, 6, 13), oslo(2026, 6, 14)) == [
        (oslo(2026, 6, 13, 6), oslo(2026, 6, 13, 22))
    ]
    assert support_calendar(Service.objects.get(pk=evening_shift.pk)).code == "vakt"


def test_a_service_id_without_a_calendar_gets_the_default(service):
    assert support_calendar(service.pk).is_default


# --- The figures -----------------------------------------------------------------------------------------


def test_figures_of_a_24x7_service_match_worked_example_8(around_the_clock, record_outage, standalone_window):
    worked_example_8(record_outage, standalone_window)
    figures = service_figures(around_the_clock, now=MID_JUNE)

    assert [row.month for row in figures.months] == [
        dt.date(2026, 5, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 3, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 1, 1),
        dt.date(2025, 12, 1),
        dt.date(2025, 11, 1),
        dt.date(2025, 10, 1),
        dt.date(2025, 9, 1),
        dt.date(2025, 8, 1),
        dt.date(2025, 7, 1),
        dt.date(2025, 6, 1),
    ]
    may = figures.months[0]
    # AST = 31 × 24 h − 3 h of maintenance = 44,460 min. DT = 23:00–23:45 (the part of the first outage
    # after the window) + 30 min = 75 min. A = 44,385 / 44,460 = 99.8313…% → 99.83.
    assert may.result.agreed_minutes == 44_460
    assert may.downtime_minutes == 75
    assert may.reported == Decimal("99.83")
    assert may.interruptions == 2
    assert may.mtrs_minutes == Decimal("37.5")
    assert may.met is True  # the target is 99.5

    assert figures.current.month == dt.date(2026, 6, 1)
    assert figures.current.result.period_end == MID_JUNE
    assert figures.current.reported == Decimal("100.00")
    assert figures.current.mtrs_minutes is None
    assert figures.calendar.code == "24x7"
    assert figures.target == Decimal("99.500")


def test_business_hours_leave_night_outages_out(service, record_outage, standalone_window):
    # The default calendar: Monday–Friday 08:00–16:00. June 2026 has 22 weekdays and no public holiday.
    record_outage(oslo(2026, 6, 10, 1), oslo(2026, 6, 10, 3))  # at night: outside the agreed hours
    record_outage(oslo(2026, 6, 11, 7, 30), oslo(2026, 6, 11, 9))  # 08:00–09:00 counts
    record_outage(oslo(2026, 6, 13, 10), oslo(2026, 6, 13, 12))  # a Saturday
    standalone_window(oslo(2026, 6, 12, 15), oslo(2026, 6, 12, 17))  # 15:00–16:00 is in the hours
    june = service_figures(service, now=EARLY_JULY).months[0]
    # AST = 22 × 8 h − 1 h = 10,500 min; DT = 60 min; A = 10,440 / 10,500 = 99.4285…% → 99.42.
    assert june.month == dt.date(2026, 6, 1)
    assert june.result.agreed_minutes == 10_500
    assert june.downtime_minutes == 60
    assert june.interruptions == 1
    assert june.reported == Decimal("99.42")
    assert june.met is False


def test_the_services_own_hours_are_used(evening_shift, record_outage):
    record_outage(oslo(2026, 6, 10, 1), oslo(2026, 6, 10, 3))  # closed at night
    record_outage(oslo(2026, 6, 10, 21), oslo(2026, 6, 10, 23))  # 21:00–22:00 counts
    june = service_figures(evening_shift, now=EARLY_JULY).months[0]
    # AST = 30 days × 16 h = 28,800 min; A = 28,740 / 28,800 = 99.7916…% → 99.79.
    assert june.result.agreed_minutes == 28_800
    assert june.downtime_minutes == 60
    assert june.reported == Decimal("99.79")
    assert june.met is True


def test_a_month_without_agreed_time_is_not_applicable(around_the_clock, standalone_window):
    standalone_window(oslo(2026, 3, 1), oslo(2026, 4, 1))
    march = next(
        row for row in service_figures(around_the_clock, now=MID_JUNE).months if row.month.month == 3
    )
    assert not march.applicable
    assert march.reported is None
    assert march.met is None
    assert march.mtrs_minutes is None


def test_downtime_minutes_are_rounded_up_never_down(around_the_clock, record_outage):
    record_outage(oslo(2026, 5, 12, 9), oslo(2026, 5, 12, 9, 45, 1))
    may = service_figures(around_the_clock, now=MID_JUNE).months[0]
    assert may.result.downtime_seconds == 45 * 60 + 1
    assert may.downtime_minutes == Decimal("45.1")


def test_last_twelve_months_is_monthly_availability_of_twelve(
    around_the_clock, record_outage, standalone_window
):
    worked_example_8(record_outage, standalone_window)
    for include_current in (True, False):
        assert last_twelve_months(around_the_clock, now=MID_JUNE, include_current=include_current) == (
            monthly_availability(around_the_clock, now=MID_JUNE, count=12, include_current=include_current)
        )


# --- The page --------------------------------------------------------------------------------------------


@pytest.fixture
def page(client, employee, monkeypatch):
    """GET the service page as an employee, with the view's clock at MID_JUNE."""
    monkeypatch.setattr("catalog.views.timezone", types.SimpleNamespace(now=lambda: MID_JUNE))
    client.force_login(employee)

    def get(service, language="en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("catalog:service_detail", args=[service.code]))
        assert response.status_code == 200
        return response

    return get


def section_of(response) -> str:
    content = response.content.decode()
    start = content.index('<section id="availability"')
    return content[start : content.index("</section>", start)]


def test_the_page_shows_the_availability_section(around_the_clock, record_outage, standalone_window, page):
    worked_example_8(record_outage, standalone_window)
    standalone_window(oslo(2026, 3, 1), oslo(2026, 4, 1))
    response = page(around_the_clock)
    assert response.context["availability"] == service_figures(around_the_clock, now=MID_JUNE)
    section = section_of(response)
    assert 'aria-labelledby="availability-heading"' in section
    assert "This month so far (June 2026)" in section
    assert "<caption>" in section
    may_row = section[section.index('<time datetime="2026-05">') : section.index('<time datetime="2026-04">')]
    assert "May 2026" in may_row
    assert "99.83&nbsp;%" in may_row
    assert "<td>75</td><td>2</td><td>37.5</td>" in may_row
    assert "Met" in may_row and 'aria-hidden="true"' in may_row  # in words, the icon only adds to them
    march_row = section[section.index('<time datetime="2026-03">') :]
    assert "n/a</abbr>" in march_row.split("</tr>")[0]
    assert "Around the clock (24x7)" in section  # the calendar it is measured in


def test_the_page_formats_in_bokmal(service, record_outage, page):
    # The default calendar. May 2026 has 21 weekdays, three of them public holidays (1, 14 and 25 May):
    # AST = 18 × 8 h = 8,640 min; 1 h down → 8,580 / 8,640 = 99.3055…% → 99,30.
    record_outage(oslo(2026, 5, 12, 9), oslo(2026, 5, 12, 10))
    section = section_of(page(service, language="nb"))
    assert "Mai 2026" in section
    assert "99,30&nbsp;%" in section
    assert "Kontortid" in section


def test_the_section_is_shown_to_whoever_sees_the_page(client, employee, agent, monkeypatch):
    monkeypatch.setattr("catalog.views.timezone", types.SimpleNamespace(now=lambda: MID_JUNE))
    planned = ServiceFactory(code="kommer", name_nb="Kommer snart", state="planned")
    url = reverse("catalog:service_detail", args=[planned.code])
    client.force_login(employee)
    assert client.get(url).status_code == 404  # employees see live services only, figures included
    client.force_login(agent)
    assert '<section id="availability"' in client.get(url).content.decode()


@pytest.mark.parametrize("outages", [1, 10])
def test_the_page_reads_a_fixed_number_of_queries(
    service, record_outage, standalone_window, page, django_assert_num_queries, outages
):
    # The default (business-hours) calendar is the dearest to read: the calendar, its segments, its dates.
    standalone_window(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    for i in range(outages):
        month = 1 + i % 6
        record_outage(oslo(2026, month, 10 + i, 9), oslo(2026, month, 10 + i, 9, 30))
    page(service)  # warm the session and the permission caches of the request user
    with django_assert_num_queries(PAGE_QUERIES):
        page(service)


# The page without the section: the session, the user, their roles with the facts the menu checks
# (people.facts), the service with its two dependency lists (six). The section: the calendar with its
# segments and dates (three), the outages and the maintenance windows (two).
PAGE_QUERIES = 6 + 5
