"""Reads for change enablement: the services a change reaches through dependencies, and the approved
planned downtime of a service that the availability figures subtract."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes import selectors, services
from changes.models import Change, ChangeApproval, FreezeWindow, MaintenanceWindow
from changes.transitions import ChangeMove
from tests.changes.conftest import LOW_RISK
from tests.factories import ServiceFactory

S = Change.State
OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def minutes(intervals) -> float:
    return sum((end - start).total_seconds() for start, end in intervals) / 60


# --- impact_set ------------------------------------------------------------------------------------------


@pytest.fixture
def chain(operations):
    """Network ← directory ← email ← archive, and printing on its own."""
    network = ServiceFactory(code="kjernenett", support_group=operations)
    directory = ServiceFactory(code="katalog", support_group=operations, depends_on=[network])
    email = ServiceFactory(code="epost", support_group=operations, depends_on=[directory])
    archive = ServiceFactory(code="arkiv", support_group=operations, depends_on=[email, network])
    printing = ServiceFactory(code="utskrift", support_group=operations)
    return network, directory, email, archive, printing


def test_the_impact_set_holds_every_service_that_depends_on_it(chain):
    network, directory, email, archive, printing = chain
    assert selectors.impact_set([network.pk]) == {network.pk, directory.pk, email.pk, archive.pk}
    assert selectors.impact_set([email.pk]) == {email.pk, archive.pk}
    assert selectors.impact_set([archive.pk]) == {archive.pk}
    assert selectors.impact_set([printing.pk, email.pk]) == {printing.pk, email.pk, archive.pk}
    assert selectors.impact_set([]) == set()


def test_the_impact_set_follows_a_dependency_added_later(chain):
    network, _directory, _email, archive, printing = chain
    journal = ServiceFactory(code="journal", support_group=printing.support_group, depends_on=[archive])
    assert journal.pk in selectors.impact_set([network.pk])
    assert selectors.impact_set([printing.pk]) == {printing.pk}


# --- planned_downtime ------------------------------------------------------------------------------------

MAY = (oslo(2026, 5, 1), oslo(2026, 6, 1))


@pytest.fixture
def standalone(network):
    """A maintenance window registered without a change (a supplier's announced window)."""

    def make(start, end, service=None):
        return MaintenanceWindow.objects.create(
            service=service or network, planned_start=start, planned_end=end, description="Leverandør"
        )

    return make


@pytest.fixture
def change_in(make_change, implementer, change_manager, network):
    """A low-risk change with downtime on the network in the given window, moved to the given state."""

    def make(state, start, end):
        change = make_change(answers=LOW_RISK, start=start, hours=1, planned_end=end)
        steps = [
            (implementer, S.SUBMITTED),
            (change_manager, S.ASSESSMENT),
            (change_manager, S.AWAITING_APPROVAL),
        ]
        for actor, to in steps:
            if change.state == state:
                break
            change = services.change_move(change=change, actor=actor, move=ChangeMove(to=to))
        if state in {S.SCHEDULED, S.CANCELLED} and change.state == S.AWAITING_APPROVAL:
            if state == S.SCHEDULED:
                services.approval_decide(
                    change=change, actor=change_manager, decision=ChangeApproval.Decision.APPROVED
                )
            else:
                services.change_move(
                    change=change, actor=implementer, move=ChangeMove(to=S.CANCELLED, reason="Utsatt.")
                )
        change.refresh_from_db()
        assert change.state == state
        return change

    return make


def test_the_spec_example_of_a_maintenance_window_in_may(network, standalone):
    """sla.md §6 example 8: May 2026 (44,640 min), approved window 5 May 20:00–23:00 → AST 44,460."""
    standalone(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    downtime = selectors.planned_downtime(network, *MAY)
    assert downtime == [(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))]
    assert downtime[0][0] == dt.datetime(2026, 5, 5, 18, tzinfo=dt.UTC)  # CEST, UTC+2
    month = (MAY[1] - MAY[0]).total_seconds() / 60
    assert month == 44_640
    assert month - minutes(downtime) == 44_460


def test_the_spec_example_through_an_approved_change(change_in, network):
    change_in(S.SCHEDULED, oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    assert selectors.planned_downtime(network.pk, *MAY) == [(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))]


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.ASSESSMENT, S.AWAITING_APPROVAL, S.CANCELLED])
def test_a_window_of_a_change_not_approved_is_no_downtime(change_in, network, state):
    change = change_in(state, oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    assert change.maintenance_windows.count() == 1
    assert selectors.planned_downtime(network, *MAY) == []


def test_a_window_of_a_rejected_change_is_no_downtime(change_in, change_manager, network):
    change = change_in(S.AWAITING_APPROVAL, oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    services.approval_decide(
        change=change, actor=change_manager, decision=ChangeApproval.Decision.REJECTED, comment="Nei."
    )
    change.refresh_from_db()
    assert change.state == S.REJECTED
    assert selectors.planned_downtime(network, *MAY) == []


def test_the_actual_window_replaces_the_planned_one(change_in, implementer, network):
    change = change_in(S.SCHEDULED, oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    services.change_move(
        change=change,
        actor=implementer,
        move=ChangeMove(to=S.IMPLEMENTING),
        actual_start=oslo(2026, 5, 5, 20, 30),
    )
    assert selectors.planned_downtime(network, *MAY) == [(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))]
    services.change_move(
        change=change, actor=implementer, move=ChangeMove(to=S.REVIEW), actual_end=oslo(2026, 5, 5, 23, 40)
    )
    assert selectors.planned_downtime(network, *MAY) == [(oslo(2026, 5, 5, 20, 30), oslo(2026, 5, 5, 23, 40))]
    services.change_move(
        change=change, actor=implementer, move=ChangeMove(to=S.CLOSED, outcome=Change.Outcome.SUCCESSFUL)
    )
    assert selectors.planned_downtime(network, *MAY) == [(oslo(2026, 5, 5, 20, 30), oslo(2026, 5, 5, 23, 40))]


def test_an_actual_window_outside_the_period_is_not_counted_for_its_planned_one(network, standalone):
    window = standalone(oslo(2026, 5, 31, 22), oslo(2026, 5, 31, 23))
    window.actual_start, window.actual_end = oslo(2026, 6, 1, 0, 30), oslo(2026, 6, 1, 1)
    window.save()
    assert selectors.planned_downtime(network, *MAY) == []
    assert selectors.planned_downtime(network, oslo(2026, 6, 1), oslo(2026, 7, 1)) == [
        (oslo(2026, 6, 1, 0, 30), oslo(2026, 6, 1, 1))
    ]


def test_windows_are_clipped_to_the_period(network, standalone):
    standalone(oslo(2026, 4, 30, 22), oslo(2026, 5, 1, 2))
    standalone(oslo(2026, 5, 31, 23), oslo(2026, 6, 1, 1, 30))
    assert selectors.planned_downtime(network, *MAY) == [
        (oslo(2026, 5, 1), oslo(2026, 5, 1, 2)),
        (oslo(2026, 5, 31, 23), oslo(2026, 6, 1)),
    ]


def test_overlapping_and_touching_windows_are_merged(network, standalone):
    standalone(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 22))
    standalone(oslo(2026, 5, 5, 21), oslo(2026, 5, 5, 23))  # overlaps the first
    standalone(oslo(2026, 5, 5, 20, 30), oslo(2026, 5, 5, 21))  # inside both
    standalone(oslo(2026, 5, 5, 23), oslo(2026, 5, 5, 23, 30))  # touches the end
    standalone(oslo(2026, 5, 12, 1), oslo(2026, 5, 12, 2))  # apart
    downtime = selectors.planned_downtime(network, *MAY)
    assert downtime == [
        (oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23, 30)),
        (oslo(2026, 5, 12, 1), oslo(2026, 5, 12, 2)),
    ]
    assert minutes(downtime) == 270


def test_only_the_services_own_windows_count(network, email_service, standalone):
    standalone(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23), service=email_service)
    assert selectors.planned_downtime(network, *MAY) == []
    assert selectors.planned_downtime(email_service, *MAY) == [(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))]


def test_windows_outside_the_period_are_not_counted(network, standalone):
    standalone(oslo(2026, 4, 30, 20), oslo(2026, 5, 1))  # ends as May begins
    standalone(oslo(2026, 6, 1), oslo(2026, 6, 1, 2))  # begins as May ends
    assert selectors.planned_downtime(network, *MAY) == []


def test_approved_maintenance_filters_by_service(network, email_service, standalone):
    mine = standalone(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))
    theirs = standalone(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23), service=email_service)
    assert set(selectors.approved_maintenance(start=MAY[0], end=MAY[1])) == {mine, theirs}
    assert list(selectors.approved_maintenance(start=MAY[0], end=MAY[1], service_ids=[network.pk])) == [mine]


# --- conflicts_for ------------------------------------------------------------------------------------


def scheduled_on(make_change, implementer, manager, **kwargs) -> Change:
    change = make_change(answers=LOW_RISK, **kwargs)
    for actor, to in [(implementer, S.SUBMITTED), (manager, S.ASSESSMENT), (manager, S.AWAITING_APPROVAL)]:
        change = services.change_move(change=change, actor=actor, move=ChangeMove(to=to))
    services.approval_decide(change=change, actor=manager, decision=ChangeApproval.Decision.APPROVED)
    change.refresh_from_db()
    assert change.state == S.SCHEDULED
    return change


def test_conflicts_are_read_in_the_same_number_of_queries_however_many_there_are(
    make_change, implementer, change_manager, network, soon
):
    def read():
        with CaptureQueriesContext(connection) as queries:
            found = selectors.conflicts_for(
                start=soon, end=soon + dt.timedelta(hours=1), service_ids=[network.pk]
            )
        return len(found), len(queries)

    first = scheduled_on(make_change, implementer, change_manager)
    one = read()
    assert one[0] == 1
    for hours in (1, 2, 3):
        # Each starts within the window before; the override lets it onto the calendar beside the others.
        change = make_change(answers=LOW_RISK, start=first.planned_start - dt.timedelta(minutes=30 * hours))
        for actor, to in [(implementer, S.SUBMITTED), (change_manager, S.ASSESSMENT)]:
            services.change_move(change=change, actor=actor, move=ChangeMove(to=to))
        services.change_move(
            change=change,
            actor=change_manager,
            move=ChangeMove(to=S.AWAITING_APPROVAL, override_reason="Samme team."),
        )
    four = read()
    assert four == (4, one[1])


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), ("soon", None), ("soon", "soon")],
    ids=["no-window", "no-end", "empty-window"],
)
def test_no_window_or_no_services_has_no_conflicts(network, soon, start, end):
    FreezeWindow.objects.create(
        name_nb="Jul", name_en="Christmas", start=soon - dt.timedelta(days=1), end=soon + dt.timedelta(days=1)
    )
    given = {"soon": soon, None: None}
    assert selectors.conflicts_for(start=given[start], end=given[end], service_ids=[network.pk]) == []
    assert selectors.conflicts_for(start=soon, end=soon + dt.timedelta(hours=1), service_ids=[]) == []
    assert (
        len(selectors.conflicts_for(start=soon, end=soon + dt.timedelta(hours=1), service_ids=[network.pk]))
        == 1
    )
