"""Availability from stored outages and maintenance windows: the figures, the approval rule and the
number of queries."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from changes import services as change_services
from changes.models import Change, ChangeApproval, MaintenanceWindow
from changes.transitions import ChangeMove
from incidents import services as incident_services
from incidents.models import Outage
from sla.availability import month_bounds
from sla.availability_data import last_twelve_months, service_availability
from tests.changes.conftest import LOW_RISK
from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory, make_ticket

S = Change.State
OSLO = ZoneInfo("Europe/Oslo")
AFTER_MAY = dt.datetime(2026, 7, 1, tzinfo=OSLO)


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


@pytest.fixture
def incident(employee, service):
    return make_ticket(employee, title="E-posten er nede", service=service)


@pytest.fixture
def record_outage(agent, incident, service):
    """Record an outage through incidents.services, as the incident page does."""

    def record(start, end=None, *, severity=Outage.Severity.DOWN, on=None):
        return incident_services.outage_record(
            incident=incident, actor=agent, service=on or service, severity=severity, start=start, end=end
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


@pytest.fixture
def change_with_window(service):
    """A low-risk change with downtime on the service, moved through changes.services to a state."""
    implementer = UserFactory(username="drift", roles=["agent"])
    manager = UserFactory(username="endring", roles=["change_manager", "cab_member"])
    group = SupportGroupFactory(code="drift", members_list=[implementer])

    def make(state, start, end):
        change = change_services.change_create(
            actor=implementer,
            kind="normal",
            title="Oppgrader e-posttjeneren",
            services=[service],
            support_group=group,
            planned_start=start,
            planned_end=end,
            implementation_plan="1. Varsle. 2. Oppgrader. 3. Test.",
            backout_plan="Rull tilbake.",
            risk_answers=LOW_RISK,
            causes_downtime=True,
        )
        for actor, to in [
            (implementer, S.SUBMITTED),
            (manager, S.ASSESSMENT),
            (manager, S.AWAITING_APPROVAL),
        ]:
            change = change_services.change_move(change=change, actor=actor, move=ChangeMove(to=to))
        if state == S.SCHEDULED:
            change_services.approval_decide(
                change=change, actor=manager, decision=ChangeApproval.Decision.APPROVED
            )
        change.refresh_from_db()
        assert change.state == state
        assert change.maintenance_windows.count() == 1
        return change

    return make


def example_8_outages(record_outage):
    record_outage(oslo(2026, 5, 5, 22, 30), oslo(2026, 5, 5, 23, 45))
    record_outage(oslo(2026, 5, 12, 9), oslo(2026, 5, 12, 9, 30))


# --- service_availability --------------------------------------------------------------------------------


def test_worked_example_8_from_the_database(
    service, record_outage, standalone_window, django_assert_num_queries
):
    standalone_window(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    example_8_outages(record_outage)
    with django_assert_num_queries(2):
        result = service_availability(service, 2026, 5, now=AFTER_MAY)
    assert result.agreed_minutes == 44_460
    assert result.downtime_minutes == 75
    assert result.reported == Decimal("99.83")
    assert result.meets(service.availability_target) is True
    assert service_availability(service.pk, 2026, 5, now=AFTER_MAY) == result


def test_the_window_of_an_approved_change_counts(service, record_outage, change_with_window):
    change_with_window(S.SCHEDULED, oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    example_8_outages(record_outage)
    result = service_availability(service, 2026, 5, now=AFTER_MAY)
    assert result.agreed_minutes == 44_460
    assert result.downtime_minutes == 75
    assert result.reported == Decimal("99.83")


def test_the_window_of_a_change_awaiting_approval_does_not_count(service, record_outage, change_with_window):
    change_with_window(S.AWAITING_APPROVAL, oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    example_8_outages(record_outage)
    result = service_availability(service, 2026, 5, now=AFTER_MAY)
    assert result.maintenance_seconds == 0
    assert result.agreed_minutes == 44_640
    assert result.downtime_minutes == 75 + 30  # the whole 22:30–23:45 outage
    assert result.reported == Decimal("99.76")  # 99.7647…


def test_outages_of_other_services_and_other_months_are_left_out(service, record_outage):
    other = ServiceFactory(code="skriver")
    record_outage(oslo(2026, 5, 12, 9), oslo(2026, 5, 12, 10), on=other)
    record_outage(oslo(2026, 4, 30, 23), oslo(2026, 5, 1, 0, 20))  # 20 minutes in May
    record_outage(oslo(2026, 6, 1, 0), oslo(2026, 6, 1, 1))
    assert service_availability(service, 2026, 5, now=AFTER_MAY).downtime_minutes == 20


def test_the_month_so_far_ends_now_and_an_open_outage_is_cut_there(service, record_outage):
    record_outage(oslo(2026, 5, 20, 10))
    now = oslo(2026, 5, 20, 10, 45, 30, 123_456)
    result = service_availability(service, 2026, 5, now=now)
    assert result.period_end == oslo(2026, 5, 20, 10, 45, 30)  # whole seconds
    assert result.downtime_seconds == 45 * 60 + 30
    assert result.agreed_seconds == (oslo(2026, 5, 20, 10, 45, 30) - month_bounds(2026, 5)[0]).total_seconds()


def test_an_open_outage_is_cut_at_the_end_of_a_past_month(service, record_outage):
    record_outage(oslo(2026, 5, 31, 23))
    assert service_availability(service, 2026, 5, now=AFTER_MAY).downtime_minutes == 60
    assert service_availability(service, 2026, 6, now=AFTER_MAY).downtime_minutes == 30 * 24 * 60


def test_a_month_not_begun_is_not_applicable(service, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = service_availability(service, 2026, 8, now=AFTER_MAY)
    assert result.availability is None


def test_degraded_outages_are_reported_apart(service, record_outage):
    record_outage(oslo(2026, 5, 12, 9), oslo(2026, 5, 12, 11), severity=Outage.Severity.DEGRADED)
    result = service_availability(service, 2026, 5, now=AFTER_MAY)
    assert result.downtime_seconds == 0
    assert result.degraded_minutes == 120
    assert result.reported == Decimal("100.00")
    counted = service_availability(service, 2026, 5, now=AFTER_MAY, counted_severities={"down", "degraded"})
    assert counted.downtime_minutes == 120


def test_a_service_window_passed_in_limits_the_agreed_time(service, record_outage):
    window = [(oslo(2026, 5, day, 8), oslo(2026, 5, day, 16)) for day in (11, 12, 13)]
    record_outage(oslo(2026, 5, 12, 2), oslo(2026, 5, 12, 9))
    result = service_availability(service, 2026, 5, now=AFTER_MAY, service_window=window)
    assert result.agreed_minutes == 3 * 8 * 60
    assert result.downtime_minutes == 60


# --- last_twelve_months ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 10])
def test_last_twelve_months_reads_a_fixed_number_of_queries(
    service, record_outage, standalone_window, django_assert_num_queries, count
):
    standalone_window(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    for i in range(count):
        month = 1 + i % 5
        record_outage(oslo(2026, month, 10 + i, 9), oslo(2026, month, 10 + i, 9, 30))
    with django_assert_num_queries(2):
        months = last_twelve_months(service, now=oslo(2026, 5, 20, 12))
    assert [(year, month) for year, month, _ in months] == [
        (2025, 6),
        (2025, 7),
        (2025, 8),
        (2025, 9),
        (2025, 10),
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
        (2026, 3),
        (2026, 4),
        (2026, 5),
    ]
    assert sum(result.interruption_count for _, _, result in months) == count
    assert months[-1][2].period_end == oslo(2026, 5, 20, 12)


def test_last_twelve_months_gives_the_figures_of_each_month(service, record_outage, standalone_window):
    standalone_window(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    example_8_outages(record_outage)
    record_outage(oslo(2026, 3, 31, 23))  # open since the end of March
    now = oslo(2026, 5, 20, 12)
    months = last_twelve_months(service, now=now)
    for year, month, result in months:
        assert result == service_availability(service, year, month, now=now)
    by_month = {(year, month): result for year, month, result in months}
    assert by_month[2026, 3].downtime_minutes == 60
    assert by_month[2026, 4].availability == 0
    assert by_month[2026, 2].reported == Decimal("100.00")


def test_last_twelve_months_can_leave_out_the_month_in_progress(service):
    months = last_twelve_months(service, now=oslo(2026, 1, 15), include_current=False)
    assert (months[0][:2], months[-1][:2]) == ((2025, 1), (2025, 12))
    assert months[-1][2].period_end == month_bounds(2025, 12)[1]
