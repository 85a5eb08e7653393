"""The management dashboard's quality section: permissions, the month picker, snapshots and ticket links."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.dashboard import change_in_words
from reports.models import QualityReport
from reports.services import report_draft
from tests.factories import UserFactory
from tickets import services
from tickets.filters import TicketFilter
from tickets.models import Ticket
from tickets.transitions import Move

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2026, 4, 15, 12, tzinfo=OSLO)
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def create(employee, when, **kwargs):
    return services.ticket_create(
        requester=employee, created_by=employee, title="Feil", impact=2, urgency=2, now=when, **kwargs
    )


def resolve(ticket, actor, when):
    return services.ticket_transition(
        ticket=ticket,
        actor=actor,
        move=Move(to="resolved", resolution_code="solved", resolution_note="Fikset."),
        version=None,
        now=when,
    )


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def lead(agent):
    """A user with both dashboard and ticket rights."""
    user = UserFactory(username="leder2", roles=["agent", "administrator"])
    agent.support_groups.first().members.add(user)
    return user


@pytest.fixture
def march(employee, agent):
    """March 2026: three tickets opened, one resolved; February: one opened."""
    create(employee, at(2026, 2, 20, 10))
    first = create(employee, at(2026, 3, 2, 10))
    resolve(first, agent, at(2026, 3, 3, 10))
    create(employee, at(2026, 3, 10, 10))
    create(employee, at(2026, 3, 31, 23, 30))  # late on the last day (local time)
    create(employee, at(2026, 4, 1, 0, 30))  # early April: not March
    return first


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dashboard"), params, headers={"Accept-Language": "en"})


def test_an_employee_may_not_see_the_dashboard(client, employee):
    assert page(client, employee).status_code == 403


def test_a_management_reader_sees_the_last_ended_month_by_default(client, management_reader, march):
    response = page(client, management_reader)
    assert response.status_code == 200
    assert response.context["quality"].period == "2026-03"
    # The ended month got its draft computed and stored once.
    assert QualityReport.objects.get(period="2026-03").state == "draft"


def test_the_tiles_show_the_stored_snapshot_with_the_previous_month(client, management_reader, march):
    response = page(client, management_reader, month="2026-03")
    tiles = {tile.key: tile for tile in response.context["quality"].tiles}
    assert tiles["tickets.opened"].value == "3"
    assert tiles["tickets.opened"].change == "Up 2 from 1"
    assert tiles["tickets.resolved"].value == "1"
    # The page reads the stored row, not the tickets: a stored figure shows as it was stored.
    report = QualityReport.objects.get(period="2026-03")
    QualityReport.objects.filter(pk=report.pk).update(figures={**report.figures, "tickets": {"opened": 42}})
    tiles = {
        tile.key: tile for tile in page(client, management_reader, month="2026-03").context["quality"].tiles
    }
    assert tiles["tickets.opened"].value == "42"


def test_a_published_revision_is_preferred_and_linked(client, management_reader, march, monkeypatch):
    report = report_draft(2026, 3, now=NOW)
    QualityReport.objects.filter(pk=report.pk).update(
        state="published", published_at=NOW, content_hash="x" * 64, document="{}"
    )
    response = page(client, management_reader, month="2026-03")
    html = response.content.decode()
    assert "revision 1" in html
    assert 'href="/kvalitet/2026-03/"' in html


@pytest.mark.parametrize("value", ["2026-13", "mars", "2027-01", "2026-3"])
def test_a_bad_month_shows_the_default_with_a_message(client, management_reader, value):
    response = page(client, management_reader, month=value)
    assert response.status_code == 200
    assert response.context["quality"].period == "2026-03"
    assert [str(m) for m in response.context["messages"]] == [
        "That is not a month to show; showing the last ended month instead."
    ]


def test_the_month_in_progress_is_live_and_not_stored(client, management_reader, march):
    response = page(client, management_reader, month="2026-04")
    assert response.context["quality"].snapshot.live
    assert not QualityReport.objects.filter(period="2026-04").exists()


def test_counts_link_to_the_queue_for_agents_and_to_the_records_for_readers(
    client, management_reader, lead, march
):
    opened = "/tickets/queue/all/?opened_from=2026-03-01&amp;opened_to=2026-03-31"
    assert opened in page(client, lead, month="2026-03").content.decode()
    html = page(client, management_reader, month="2026-03").content.decode()
    assert "/tickets/queue/all/" not in html
    assert "/dashboard/records/?opened_from=2026-03-01&amp;opened_to=2026-03-31" in html


def test_the_link_behind_opened_returns_the_months_tickets(client, lead, march):
    response = page(client, lead, month="2026-03")
    href = next(t.href for t in response.context["quality"].tiles if t.key == "tickets.opened")
    queue = client.get(href)
    assert queue.status_code == 200
    numbers = set(re.findall(r"INC-\d{4}-\d+", queue.content.decode()))
    expected = set(
        Ticket.objects.filter(opened_at__gte=at(2026, 3, 1), opened_at__lt=at(2026, 4, 1)).values_list(
            "number", flat=True
        )
    )
    assert len(expected) == 3
    assert numbers == expected


def test_the_ticket_filters_for_a_figures_link(march, agent):
    def numbers(**params):
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for name, value in params.items():
            query.setlist(name, value if isinstance(value, list) else [value])
        filterset = TicketFilter(query, queryset=Ticket.objects.all())
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("pk", flat=True))

    in_march = set(
        Ticket.objects.filter(opened_at__gte=at(2026, 3, 1), opened_at__lt=at(2026, 4, 1)).values_list(
            "pk", flat=True
        )
    )
    assert numbers(opened_from="2026-03-01", opened_to="2026-03-31") == in_march
    # The former names still work (saved filters and bookmarks).
    assert numbers(opened_after="2026-03-01", opened_before="2026-03-31") == in_march
    assert numbers(resolved_from="2026-03-01", resolved_to="2026-03-31") == {march.pk}
    assert numbers(service_code="no-such-service") == set()
    assert numbers(group="servicedesk") == set(Ticket.objects.values_list("pk", flat=True))
    assert numbers(group="nobody") == set()
    assert numbers(kinds=["change"]) == set()
    assert numbers(kinds=["incident", "request"]) == set(Ticket.objects.values_list("pk", flat=True))
    assert numbers(priority="3", resolved_from="2026-03-01") == {march.pk}


def _queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("dashboard"), {"month": "2026-03"})  # warm: stores the drafts
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard"), {"month": "2026-03"}).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_tickets(
    client, lead, employee, agent, django_assert_num_queries
):
    for day in range(1, 4):
        create(employee, at(2026, 3, day, 10))
    few = _queries(client, lead)
    QualityReport.objects.all().delete()
    for day in range(1, 28):
        create(employee, at(2026, 3, day, 11))
    client.get(reverse("dashboard"), {"month": "2026-03"})
    with django_assert_num_queries(few):
        client.get(reverse("dashboard"), {"month": "2026-03"})


@pytest.mark.parametrize(
    ("current", "previous", "unit", "expected"),
    [
        (12, 10, "", "Up 2 from 10"),
        (8, 10, "", "Down 2 from 10"),
        (90.5, 90.5, "%", "Unchanged from 90.5%"),
        (95.0, 90.5, "%", "Up 4.5 percentage points from 90.5%"),
        (5, None, "", "No figure for the previous month"),
    ],
)
def test_the_change_is_told_in_words(current, previous, unit, expected):
    assert change_in_words(current, previous, unit, 1 if unit else 0) == expected


def test_the_backlog_link_of_an_ended_month_returns_the_tickets_open_at_its_end(client, lead, march, agent):
    # A ticket resolved after March's end was still open at it; one resolved in March was not.
    late = Ticket.objects.get(opened_at=at(2026, 3, 10, 10))
    resolve(late, agent, at(2026, 4, 2, 10))
    response = page(client, lead, month="2026-03")
    quality = response.context["quality"]
    tile = next(t for t in quality.tiles if t.key == "tickets.backlog")
    assert "open_end_of=2026-03-31" in tile.href
    queue = client.get(tile.href)
    numbers = set(re.findall(r"INC-\d{4}-\d+", queue.content.decode()))
    expected = set(
        Ticket.objects.filter(opened_at__lt=at(2026, 4, 1))
        .exclude(pk=march.pk)
        .values_list("number", flat=True)
    )
    assert len(expected) == 3
    assert numbers == expected
    assert int(tile.value.replace("\xa0", "")) == 3  # the stored figure counts the same tickets


def test_a_trend_chart_is_drawn_once_and_then_read_from_the_cache():
    from django.core.cache import cache

    from reports import dashboard

    series = [("jan.", 10.0), ("feb.", 12.0)]
    cache.delete(dashboard.chart_cache_key(series, "Saker", "", "trend-opened", 0))  # no other run's drawing
    first = dashboard._trend(series, "Saker", "", "trend-opened", 0)
    assert "<svg" in first["svg"]
    key = dashboard.chart_cache_key(series, "Saker", "", "trend-opened", 0)
    assert cache.get(key) == first["svg"]
    # A second render reads the stored drawing: plant another text under the key and it is what comes back.
    cache.set(key, "<svg>stored</svg>")
    assert dashboard._trend(series, "Saker", "", "trend-opened", 0)["svg"] == "<svg>stored</svg>"
    # Other data are another drawing.
    changed = dashboard._trend([("jan.", 10.0), ("feb.", 13.0)], "Saker", "", "trend-opened", 0)
    assert "<svg" in changed["svg"] and changed["svg"] != first["svg"]
