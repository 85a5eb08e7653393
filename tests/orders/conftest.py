import pytest
from django.utils import translation

from tests.factories import DepartmentFactory, ServiceFactory, SupportGroupFactory, UnitFactory, UserFactory
from tests.orders.factories import CatalogItemFactory


@pytest.fixture(autouse=True)
def in_english():
    """Messages are checked in English, so the tests read the same before and after translation (the
    pages' Norwegian is the catalogue's business, checked by tests/servicedesk/test_translations.py)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def warehouse_agent(db):
    return UserFactory(username="lager", first_name="Lars", last_name="Lager", roles=["agent"])


@pytest.fixture
def warehouse(warehouse_agent):
    """The group that fulfils equipment, with one agent."""
    return SupportGroupFactory(
        code="utstyr", name_nb="Utstyr og lager", name_en="Equipment", members_list=[warehouse_agent]
    )


@pytest.fixture
def equipment_service(warehouse):
    return ServiceFactory(code="utstyr", name_nb="Utstyr", name_en="Equipment", support_group=warehouse)


@pytest.fixture
def manager(db):
    return UserFactory(username="sjef", first_name="Siri", last_name="Sjef")


@pytest.fixture
def team(manager):
    """A unit managed by `manager`."""
    return UnitFactory(manager=manager, parent=DepartmentFactory())


@pytest.fixture
def employee_in_team(team):
    return UserFactory(username="medarbeider", first_name="Mona", last_name="Medarbeider", org_unit=team)


@pytest.fixture
def laptop(equipment_service):
    """Stocked equipment without approval."""
    return CatalogItemFactory(
        code="laptop",
        service=equipment_service,
        name_nb="Bærbar PC",
        stocked=True,
        stock_count=10,
        reorder_level=2,
        warranty_months=36,
    )


@pytest.fixture
def network_group(db):
    """Another support group, with one agent of its own."""
    member = UserFactory(username="nettverk", first_name="Nils", last_name="Nett", roles=["agent"])
    return SupportGroupFactory(code="nettverk", name_nb="Nettverk", name_en="Network", members_list=[member])
