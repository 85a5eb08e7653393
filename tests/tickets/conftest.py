import pytest

from tests.factories import SupportGroupFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a throwaway directory, never into the project tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def first_line(agent):
    return agent.support_groups.get(is_first_line=True)


@pytest.fixture
def other_agent(first_line):
    user = UserFactory(username="agent2", first_name="Siri", last_name="Agent", roles=["agent"])
    first_line.memberships.create(user=user)
    return user


@pytest.fixture
def network_group(db):
    """A second-line group with one agent of its own."""
    member = UserFactory(username="nettverk", first_name="Nils", last_name="Nett", roles=["agent"])
    return SupportGroupFactory(code="nettverk", name_nb="Nettverk", name_en="Network", members_list=[member])
