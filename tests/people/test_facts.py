"""people.facts: a user's roles and the facts the predicates ask, read in one statement per user object."""

import pytest
from django.contrib.auth.models import Group

from people import facts, roles
from people.models import User
from people.rules import is_approver, is_group_lead, leads_a_group, manages_a_unit, role_codes
from tests.factories import SupportGroupFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def groups_of(user) -> frozenset[str]:
    """The roles as the ORM reads them."""
    return frozenset(user.groups.values_list("name", flat=True))


def test_one_query_answers_the_roles_and_every_fact(django_assert_num_queries):
    lead = UserFactory(roles=[roles.AGENT, roles.GROUP_LEAD])
    SupportGroupFactory(lead=lead)
    user = fresh(lead)
    expected = groups_of(lead)
    assert {roles.AGENT, roles.GROUP_LEAD} <= expected
    with django_assert_num_queries(1):
        assert role_codes(user) == expected
        assert leads_a_group(user)
        assert not manages_a_unit(user)
        assert is_group_lead(user)
        assert not is_approver(user)


def test_the_facts_follow_the_data_for_each_new_user_object():
    person = UserFactory()
    user = fresh(person)
    assert (role_codes(user), leads_a_group(user), manages_a_unit(user)) == (groups_of(person), False, False)
    assert roles.AGENT not in role_codes(user)

    SupportGroupFactory(lead=person)
    UnitFactory(manager=person)
    person.groups.add(Group.objects.get(name=roles.AGENT))
    assert not leads_a_group(user), "cached on the user object for its request"
    user = fresh(person)
    assert roles.AGENT in groups_of(person)
    assert (role_codes(user), leads_a_group(user), manages_a_unit(user)) == (groups_of(person), True, True)


def test_roles_are_matched_whole_and_other_groups_count_as_roles_by_name():
    person = UserFactory(roles=[roles.AGENT])
    person.groups.add(Group.objects.create(name="agent-extra"))
    assert role_codes(fresh(person)) == groups_of(person)
    assert {roles.AGENT, "agent-extra"} <= role_codes(fresh(person))


def test_an_anonymous_user_reads_nothing(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert role_codes(AnonymousUser()) == frozenset()
        assert not leads_a_group(AnonymousUser())


def test_every_registered_fact_is_cached_on_the_user():
    user = fresh(UserFactory())
    facts.load(user)
    for name in ("leads_a_group", "manages_a_unit", "has_approvals_to_decide"):
        assert getattr(user, f"_{name}") is False
