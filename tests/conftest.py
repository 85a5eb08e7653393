import pytest

from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory


@pytest.fixture
def employee(db):
    return UserFactory(username="ansatt", first_name="Kari", last_name="Nordmann")


@pytest.fixture
def other_employee(db):
    return UserFactory(username="kollega", first_name="Ola", last_name="Hansen")


@pytest.fixture
def agent(db):
    user = UserFactory(username="agent", first_name="Per", last_name="Agent", roles=["agent"])
    SupportGroupFactory(
        code="servicedesk", name_nb="1. linje", name_en="1st line", is_first_line=True, members_list=[user]
    )
    return user


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", first_name="Anne", last_name="Admin", roles=["administrator"])


@pytest.fixture
def service_owner(db):
    return UserFactory(username="eier", first_name="Eva", last_name="Eier", roles=["service_owner"])


@pytest.fixture
def management_reader(db):
    return UserFactory(username="leder", first_name="Liv", last_name="Ledelse", roles=["management_reader"])


@pytest.fixture
def service(db, service_owner):
    return ServiceFactory(
        code="epost", name_nb="E-post og kalender", name_en="Email and calendar", owner=service_owner
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last.

    Playwright's synchronous API keeps an event loop running in the main thread for the rest of the
    session (the browser is session-scoped), and Django refuses ORM calls from a thread with a
    running loop; so no database test may run after the first browser test.
    """
    items.sort(key=lambda item: "tests/e2e/" in str(item.path).replace("\\", "/"))
