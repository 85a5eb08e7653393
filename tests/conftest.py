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
    """Run the browser tests first, together.

    Playwright's synchronous API runs an event loop in the main thread while its browser is open, and
    Django refuses ORM calls from a thread with a running loop. The browser and the servers are
    package-scoped (tests/e2e/conftest.py), so they close after the last browser test and the database
    tests run after them. In a parallel run (make test) the browser tests start at once on one worker,
    alongside the database tests on the others, instead of waiting for them.
    """
    items.sort(key=lambda item: "tests/e2e/" not in str(item.path).replace("\\", "/"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Parallel runs (pytest -n N) hand out whole modules, and all browser tests as one unit, in order.

    A module's tests stay on one worker, so data it builds once for all of them (tests/shared_data.py)
    is built once; the browser tests share one seeded server; and the units go out in collection order,
    which puts the browser tests (the longest unit) first.
    """
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/e2e" if path.startswith("tests/e2e/") else path

    config.option.loadscopereorder = False
    return ModuleScheduling(config, log)
