"""Fixtures for change enablement: a change manager, two CAB members, an implementer group and two
services where one depends on the other; make_change builds changes through changes.services."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory

# Answers that score 4: medium risk (changes/risk.py).
MEDIUM_RISK = {"users": "unit", "done_before": "once", "tested": "partly", "backout": "minutes", "data": "no"}
LOW_RISK = {"users": "few", "done_before": "often", "tested": "full", "backout": "minutes", "data": "no"}
HIGH_RISK = {"users": "many", "done_before": "never", "tested": "no", "backout": "hard", "data": "yes"}


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def change_manager(db):
    return UserFactory(
        username="endring", first_name="Marte", last_name="Vik", roles=["change_manager", "cab_member"]
    )


@pytest.fixture
def cab_members(db):
    return [
        UserFactory(username="cab1", first_name="Anders", last_name="Cab", roles=["cab_member"]),
        UserFactory(username="cab2", first_name="Henrik", last_name="Cab", roles=["cab_member"]),
    ]


@pytest.fixture
def implementer(db):
    return UserFactory(username="drift", first_name="Dag", last_name="Drift", roles=["agent"])


@pytest.fixture
def operations(implementer):
    return SupportGroupFactory(
        code="drift", name_nb="Drift", name_en="Operations", members_list=[implementer]
    )


@pytest.fixture
def network(operations):
    """A service others depend on."""
    return ServiceFactory(code="nett", name_nb="Nettverk", name_en="Network", support_group=operations)


@pytest.fixture
def email_service(operations, network):
    """Depends on the network."""
    return ServiceFactory(
        code="epost", name_nb="E-post", name_en="Email", support_group=operations, depends_on=[network]
    )


@pytest.fixture
def soon():
    """Next Tuesday 20:00 local time: a window in the future, away from the freeze windows tests make."""
    now = timezone.localtime()
    day = now + dt.timedelta(days=7)
    return day.replace(hour=20, minute=0, second=0, microsecond=0)


@pytest.fixture
def make_change(implementer, operations, network, soon, change_manager, cab_members):
    from changes import services

    def make(
        *, actor=None, kind="normal", services_=None, start=None, hours=2, answers=MEDIUM_RISK, **kwargs
    ):
        start = start or soon
        defaults = {
            "title": "Oppgrader kjernesvitsj",
            "services": services_ if services_ is not None else [network],
            "support_group": operations,
            "planned_start": start,
            "planned_end": start + dt.timedelta(hours=hours),
            "implementation_plan": "1. Varsle. 2. Oppgrader. 3. Test.",
            "backout_plan": "Rull tilbake til forrige firmware.",
            "risk_answers": answers,
            "causes_downtime": True,
        }
        defaults.update(kwargs)
        return services.change_create(actor=actor or implementer, kind=kind, **defaults)

    return make
