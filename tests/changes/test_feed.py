"""The change calendar's iCalendar feed: the signed per-user token, the .ics text parsed back, and who
is refused (404, whatever is wrong with the token)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.urls import reverse
from icalendar import Calendar

from changes import feed, services, services_settings
from changes.calendar_grid import CHANGE, FREEZE, MAINTENANCE, Entry
from changes.transitions import ChangeMove
from tests.factories import UserFactory

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def parse(body: bytes) -> dict:
    """Return the feed's events by UID."""
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


# --- Pure: the token and the text ---------------------------------------------------------------------


class FakeUser:
    def __init__(self, pk):
        self.pk = pk


def test_the_token_is_stable_and_url_safe():
    token = feed.feed_token(FakeUser(42))
    assert token == feed.feed_token(FakeUser(42))
    assert token != feed.feed_token(FakeUser(43))
    assert set(token) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:")
    assert signing.Signer(salt=feed.SALT).unsign(token) == "42"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (
            dt.datetime(2030, 5, 31, 12, tzinfo=UTC),
            (dt.datetime(2030, 2, 28, 12, tzinfo=UTC), dt.datetime(2031, 5, 31, 12, tzinfo=UTC)),
        ),
        (
            dt.datetime(2030, 1, 15, 8, tzinfo=UTC),
            (dt.datetime(2029, 10, 15, 8, tzinfo=UTC), dt.datetime(2031, 1, 15, 8, tzinfo=UTC)),
        ),
    ],
)
def test_the_feed_reaches_three_months_back_and_a_year_ahead(now, expected):
    assert feed.feed_range(now) == expected


def test_build_ics_writes_one_event_per_entry_in_utc():
    entries = [
        Entry(
            kind=CHANGE,
            key="CHG-2030-000001",
            title="Patch switches",
            start=at(2030, 1, 9, 20),
            end=at(2030, 1, 9, 22),
            url="/changes/CHG-2030-000001/",
            number="CHG-2030-000001",
            state="scheduled",
            state_label="Scheduled",
            services=("Network", "Email"),
            group="Operations",
            downtime=True,
        ),
        Entry(
            kind=CHANGE,
            key="CHG-2030-000002",
            title="New firewall",
            start=at(2030, 7, 1, 20),
            end=at(2030, 7, 1, 23),
            url="/changes/CHG-2030-000002/",
            number="CHG-2030-000002",
            state_label="Awaiting approval",
            tentative=True,
        ),
        Entry(kind=FREEZE, key="freeze-7", title="Election", start=at(2030, 9, 8), end=at(2030, 9, 10)),
        Entry(
            kind=MAINTENANCE,
            key="maintenance-3",
            title="Supplier",
            start=at(2030, 2, 1, 6),
            end=at(2030, 2, 1, 7),
        ),
    ]
    body = feed.build_ics(
        entries,
        now=dt.datetime(2030, 1, 1, tzinfo=UTC),
        absolute_url=lambda path: f"https://sd.example{path}",
        name="Change calendar",
    )
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Change calendar"
    events = parse(body)
    assert list(events) == [
        "CHG-2030-000001@servicedesk",
        "CHG-2030-000002@servicedesk",
        "freeze-7@servicedesk",
        "maintenance-3@servicedesk",
    ]
    change = events["CHG-2030-000001@servicedesk"]
    assert change.decoded("DTSTART") == dt.datetime(2030, 1, 9, 19, tzinfo=UTC)
    assert change.decoded("DTEND") == dt.datetime(2030, 1, 9, 21, tzinfo=UTC)
    assert b"DTSTART:20300109T190000Z" in body
    assert str(change["SUMMARY"]) == "CHG-2030-000001 Patch switches"
    assert str(change["URL"]) == "https://sd.example/changes/CHG-2030-000001/"
    assert str(change["STATUS"]) == "CONFIRMED"
    description = str(change["DESCRIPTION"])
    assert "State: Scheduled" in description
    assert "Services: Network, Email" in description
    assert "Downtime: yes" in description
    # Summer time: 20:00 in Oslo is 18:00 UTC.
    tentative = events["CHG-2030-000002@servicedesk"]
    assert tentative.decoded("DTSTART") == dt.datetime(2030, 7, 1, 18, tzinfo=UTC)
    assert str(tentative["STATUS"]) == "TENTATIVE"
    freeze = events["freeze-7@servicedesk"]
    assert str(freeze["SUMMARY"]) == "Freeze window: Election"
    assert "URL" not in freeze
    assert "Services: all" in str(freeze["DESCRIPTION"])
    assert str(events["maintenance-3@servicedesk"]["SUMMARY"]) == "Maintenance: Supplier"


# --- The token against the database ----------------------------------------------------------------


def test_a_token_is_honoured_for_an_active_user_who_may_see_changes(implementer):
    assert feed.user_for_token(feed.feed_token(implementer)) == implementer


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "1:abc", "1", ":", "x" * 500, "1:" + "A" * 27],
)
def test_rubbish_tokens_find_no_one(db, token):
    assert feed.user_for_token(token) is None


def test_a_tampered_token_finds_no_one(implementer, change_manager):
    token = feed.feed_token(implementer)
    _pk, signature = token.split(":")
    assert feed.user_for_token(f"{change_manager.pk}:{signature}") is None
    assert feed.user_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    other_salt = signing.Signer(salt="somewhere.else").sign(str(implementer.pk))
    assert feed.user_for_token(other_salt) is None
    # A timestamped value of the same salt is not a feed token either.
    assert feed.user_for_token(signing.dumps(implementer.pk, salt=feed.SALT)) is None


def test_a_deactivated_user_or_one_without_the_right_is_refused(implementer, db):
    token = feed.feed_token(implementer)
    implementer.is_active = False
    implementer.save(update_fields=["is_active"])
    assert feed.user_for_token(token) is None
    employee = UserFactory(username="ansatt")
    assert feed.user_for_token(feed.feed_token(employee)) is None


# --- The feed view ----------------------------------------------------------------------------------


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
def schedule(implementer):
    def make(template, start, *, title=""):
        change = services.change_from_template(
            actor=implementer, template=template, planned_start=start, title=title
        )
        return services.change_move(change=change, actor=implementer, move=ChangeMove(to="scheduled"))

    return make


def feed_url(user) -> str:
    return reverse("changes:calendar_feed", kwargs={"token": feed.feed_token(user)})


def test_the_feed_lists_changes_and_freeze_windows(
    client, implementer, change_manager, make_change, schedule, patch_template, soon
):
    scheduled = schedule(patch_template, soon, title="Patch the core switch")
    awaiting = make_change(start=soon + dt.timedelta(days=1))
    services.change_move(change=awaiting, actor=implementer, move=ChangeMove(to="submitted"))
    services.change_move(change=awaiting, actor=change_manager, move=ChangeMove(to="assessment"))
    services.change_move(change=awaiting, actor=change_manager, move=ChangeMove(to="awaiting_approval"))
    draft = make_change(start=soon + dt.timedelta(days=2))
    freeze = services_settings.freeze_create(
        actor=change_manager,
        name_nb="Valg",
        name_en="Election",
        start=soon + dt.timedelta(days=20),
        end=soon + dt.timedelta(days=22),
    )
    response = client.get(feed_url(implementer))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    events = parse(response.content)
    number = scheduled.ticket.number
    assert set(events) == {
        f"{number}@servicedesk",
        f"{awaiting.ticket.number}@servicedesk",
        f"freeze-{freeze.pk}@servicedesk",
    }
    assert f"{draft.ticket.number}@servicedesk" not in events
    event = events[f"{number}@servicedesk"]
    assert event.decoded("DTSTART") == scheduled.planned_start.astimezone(UTC)
    assert event.decoded("DTEND") == scheduled.planned_end.astimezone(UTC)
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert str(event["SUMMARY"]) == f"{number} Patch the core switch"
    assert str(event["URL"]) == f"http://testserver/changes/{number}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(events[f"{awaiting.ticket.number}@servicedesk"]["STATUS"]) == "TENTATIVE"
    freeze_event = events[f"freeze-{freeze.pk}@servicedesk"]
    assert freeze_event.decoded("DTSTART") == freeze.start.astimezone(UTC)
    # Its own downtime is in the change's event: no second event for the maintenance window.
    assert not any(uid.startswith("maintenance-") for uid in events)


def test_the_feed_is_in_the_users_language(client, implementer, schedule, patch_template, soon):
    schedule(patch_template, soon)
    implementer.preferred_language = "nb"
    implementer.save(update_fields=["preferred_language"])
    response = client.get(feed_url(implementer), HTTP_ACCEPT_LANGUAGE="en")
    [event] = parse(response.content).values()
    assert "Nettverk" in str(event["DESCRIPTION"])


def test_the_feed_covers_three_months_back_to_a_year_ahead(client, implementer, schedule, patch_template):
    from django.utils import timezone

    now = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    inside = [
        schedule(patch_template, now - dt.timedelta(days=80)),
        schedule(patch_template, now + dt.timedelta(days=350)),
    ]
    outside = [
        schedule(patch_template, now - dt.timedelta(days=100)),
        schedule(patch_template, now + dt.timedelta(days=380)),
    ]
    events = parse(client.get(feed_url(implementer)).content)
    assert set(events) == {f"{change.ticket.number}@servicedesk" for change in inside}
    assert all(f"{change.ticket.number}@servicedesk" not in events for change in outside)


@pytest.mark.parametrize("token", ["nonsense", "1:abc", "1:" + "A" * 43])
def test_a_wrong_token_is_not_found(client, db, token):
    url = reverse("changes:calendar_feed", kwargs={"token": token})
    assert client.get(url).status_code == 404


def test_a_tampered_token_is_not_found(client, implementer, change_manager):
    _pk, signature = feed.feed_token(implementer).split(":")
    url = reverse("changes:calendar_feed", kwargs={"token": f"{change_manager.pk}:{signature}"})
    assert client.get(url).status_code == 404


def test_the_feed_of_a_deactivated_user_or_one_without_the_right_is_not_found(client, implementer, db):
    employee = UserFactory(username="ansatt")
    assert client.get(feed_url(employee)).status_code == 404
    url = feed_url(implementer)
    assert client.get(url).status_code == 200
    implementer.is_active = False
    implementer.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_the_feed_needs_no_session_and_runs_a_fixed_number_of_queries(
    client, implementer, schedule, patch_template, soon, django_assert_num_queries
):
    for n in range(6):
        schedule(patch_template, soon + dt.timedelta(hours=3 * n))
    url = feed_url(implementer)
    # The token's user and their roles, then changes, their services, maintenance and freeze windows.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(parse(response.content)) == 6


def test_calendar_programs_may_ask_with_head_but_not_post(client, implementer):
    assert client.head(feed_url(implementer)).status_code == 200
    assert client.post(feed_url(implementer)).status_code == 405
