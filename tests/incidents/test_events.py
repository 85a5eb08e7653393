"""Event management: events open, count, and clear incidents; one incident per open condition."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from catalog.models import Service
from incidents.events import DEFAULT_EVENT_RULES, event_ingest, event_rule_for
from incidents.models import Alert, EventRule, MonitoringEvent, MonitoringSource, Outage, PriorityRule
from tests.catalog.factories import AssetFactory, CatalogItemFactory
from tests.factories import ServiceFactory, UserFactory, resolve_ticket
from tickets.models import Channel, ResolutionCode, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def monitor(db):
    return UserFactory(username="zabbix", first_name="Zabbix", last_name="Monitor", is_service_account=True)


@pytest.fixture
def network(db):
    return ServiceFactory(code="nettverk", name_nb="Nettverk", name_en="Network", criticality=1)


def ingest(user, service, n=1, *, key="nett/sw-1/uplink", severity="critical", at=None, **extra):
    at = at or timezone.now() - dt.timedelta(minutes=30)
    return event_ingest(
        user=user,
        source=extra.pop("source", "zabbix"),
        event_id=extra.pop("event_id", f"{key}-{severity}-{n}"),
        dedup_key=key,
        severity=severity,
        summary=extra.pop("summary", "Switch sw-1: uplink down"),
        occurred_at=at,
        service=service,
        **extra,
    )


def test_first_event_opens_an_incident_on_the_services_group(monitor, network):
    result = ingest(monitor, network, details={"host": "sw-1"})
    ticket = result.ticket
    assert result.created and result.event.outcome == "created"
    assert ticket.number.startswith("INC-")
    assert (ticket.channel, ticket.requester, ticket.support_group) == (
        Channel.EVENT,
        monitor,
        network.support_group,
    )
    assert ticket.priority == 1  # critical on a criticality-1 service
    assert "nett/sw-1/uplink" in ticket.description and '"host": "sw-1"' in ticket.description
    assert list(ticket.events.values_list("type", flat=True)) == [TicketEvent.Type.CREATED]
    source = MonitoringSource.objects.get(code="zabbix")
    assert source.service_account == monitor
    assert (result.alert.count, result.alert.state) == (1, Alert.State.OPEN)


def test_the_same_event_id_twice_is_stored_once(monitor, network):
    first = ingest(monitor, network, event_id="zbx-1")
    again = ingest(monitor, network, event_id="zbx-1", summary="changed text")
    assert not again.created
    assert again.event.pk == first.event.pk and again.ticket.number == first.ticket.number
    assert MonitoringEvent.objects.count() == 1
    assert Alert.objects.get().count == 1
    assert first.ticket.events.count() == 1


def test_ten_thousand_events_for_one_key_make_one_incident(monitor, network):
    at = timezone.now() - dt.timedelta(hours=1)
    service = Service.objects.get(pk=network.pk)
    for n in range(10_000):
        event_ingest(
            user=monitor,
            source="zabbix",
            event_id=f"zbx-{n}",
            dedup_key="nett/sw-1/uplink",
            severity="major",
            summary="Switch sw-1: uplink flapping",
            occurred_at=at,
            service=service,
        )
    assert Ticket.objects.count() == 1
    alert = Alert.objects.get()
    assert alert.count == 10_000
    assert MonitoringEvent.objects.filter(ticket=alert.ticket).count() == 10_000
    assert alert.ticket.events.count() == 1


def test_a_repeat_costs_a_few_queries_and_no_ticket_write(monitor, network):
    first = ingest(monitor, network, 0)
    version = first.ticket.version
    with CaptureQueriesContext(connection) as queries:
        ingest(monitor, network, 1)
    assert len(queries) == 3, [q["sql"] for q in queries]  # the read, the count UPDATE, the event INSERT
    first.ticket.refresh_from_db()
    assert first.ticket.version == version


def test_only_a_new_severity_reaches_the_timeline(monitor, network):
    ticket = ingest(monitor, network, 1, severity="minor").ticket
    ingest(monitor, network, 2, severity="minor")
    ingest(monitor, network, 3, severity="info")
    ingest(monitor, network, 4, severity="critical")
    ingest(monitor, network, 5, severity="critical")
    notes = ticket.events.filter(type=TicketEvent.Type.NOTE)
    assert [n.data["to"] for n in notes] == ["critical"]
    assert "from Minor to Critical" in notes.get().body
    alert = Alert.objects.get()
    assert (alert.count, alert.severity, alert.highest_severity) == (5, "critical", "critical")


def test_a_clear_resolves_when_the_rules_say_so_and_closes_the_key(monitor, network):
    ticket = ingest(monitor, network, 1).ticket
    cleared = ingest(monitor, network, 2, severity="clear", summary="Uplink up again")
    assert cleared.event.outcome == "cleared" and cleared.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.resolution_code == ResolutionCode.MONITORING_CLEARED
    assert "Uplink up again" in ticket.resolution_note
    assert Alert.objects.get().state == Alert.State.CLEARED
    again = ingest(monitor, network, 3)
    assert again.event.outcome == "created" and again.ticket != ticket


def test_a_clear_is_only_noted_when_the_rule_does_not_resolve(monitor, network):
    EventRule.objects.filter(severity="critical", criticality=1).update(auto_resolve=False)
    ticket = ingest(monitor, network, 1).ticket
    ingest(monitor, network, 2, severity="clear", summary="Uplink up again")
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.events.filter(type=TicketEvent.Type.NOTE, body__contains="Cleared by monitoring").exists()
    assert Alert.objects.get().state == Alert.State.CLEARED


def test_the_source_may_override_the_rules_auto_resolve(monitor, network):
    ingest(monitor, network, 1)
    MonitoringSource.objects.filter(code="zabbix").update(auto_resolve=False)
    ticket = ingest(monitor, network, 2, severity="clear").ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_clear_and_info_without_an_open_condition_are_only_stored(monitor, network):
    for n, severity in enumerate(["clear", "info"]):
        result = ingest(monitor, network, n, severity=severity)
        assert result.created and result.event.outcome == "stored" and result.ticket is None
    assert MonitoringEvent.objects.count() == 2
    assert not Ticket.objects.exists() and not Alert.objects.exists()


def test_an_incident_resolved_by_an_agent_ends_the_condition(monitor, network, agent):
    ticket = ingest(monitor, network, 1).ticket
    resolve_ticket(ticket, agent)
    again = ingest(monitor, network, 2)
    assert again.event.outcome == "created" and again.ticket != ticket
    assert list(Alert.objects.order_by("pk").values_list("state", flat=True)) == ["closed", "open"]


def _outage_round(monitor, service):
    start = timezone.now() - dt.timedelta(minutes=40)
    end = start + dt.timedelta(minutes=25)
    ticket = ingest(monitor, service, 1, at=start, outage=True).ticket
    outage = Outage.objects.get(incident=ticket)
    assert (outage.service, outage.start, outage.end, outage.severity) == (service, start, None, "down")
    ingest(monitor, service, 2, at=start + dt.timedelta(minutes=5), outage=True)  # already recorded
    ingest(monitor, service, 3, at=end, severity="clear")
    outage.refresh_from_db()
    assert outage.end == end and Outage.objects.count() == 1
    assert Alert.objects.get().outage == outage


def test_an_outage_starts_with_the_event_and_ends_with_the_clear(monitor):
    # The source's account owns this service, so it may record its outages.
    _outage_round(monitor, ServiceFactory(code="bygg", criticality=2, owner=monitor))


def test_the_monitoring_process_records_outages_of_any_service(monitor, network):
    _outage_round(monitor, network)


def test_priority_follows_the_event_rules_even_against_the_matrix(monitor):
    service = ServiceFactory(criticality=3)
    assert event_rule_for(severity="major", criticality=3) == (3, True)
    EventRule.objects.filter(severity="major", criticality=3).update(priority=2)
    PriorityRule.objects.filter(impact=1, urgency=2).update(priority=4)
    ticket = ingest(monitor, service, 1, severity="major").ticket
    assert ticket.priority == 2


def test_the_default_rules_are_installed():
    rules = {(r.severity, r.criticality): r.priority for r in EventRule.objects.all()}
    expected = {
        (severity, criticality): priorities[criticality - 1]
        for severity, priorities in DEFAULT_EVENT_RULES.items()
        for criticality in (1, 2, 3, 4)
    }
    assert rules == expected
    assert EventRule.objects.filter(auto_resolve=False).count() == 0


def test_an_asset_event_goes_to_the_assets_service(monitor):
    asset = AssetFactory(
        item=CatalogItemFactory(service=ServiceFactory(criticality=4)), asset_tag="LYS-214-03"
    )
    result = ingest(monitor, None, 1, key="lys/rom-214/armatur-3", severity="minor", asset=asset)
    assert result.ticket.service == asset.item.service
    assert result.ticket.priority == 4
    assert "LYS-214-03" in result.ticket.description


def test_sources_belong_to_their_service_account(monitor, network, employee):
    with pytest.raises(ValidationError) as refused:
        ingest(employee, network, 1, source="manual")
    assert "source" in refused.value.message_dict
    ingest(monitor, network, 1)
    other = UserFactory(is_service_account=True)
    with pytest.raises(ValidationError) as refused:
        ingest(other, network, 2)
    assert "source" in refused.value.message_dict
    assert MonitoringEvent.objects.count() == 1 and MonitoringSource.objects.count() == 1


def test_a_time_without_offset_is_refused(monitor, network):
    with pytest.raises(ValidationError) as refused:
        ingest(monitor, network, 1, at=dt.datetime(2026, 3, 2, 7, 15))
    assert "occurred_at" in refused.value.message_dict
    assert not MonitoringEvent.objects.exists()
