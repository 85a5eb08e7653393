"""Roles exist after migrate with their permissions; predicates read them."""

import pytest
from django.contrib.auth.models import Group

from people import roles
from people.rules import is_approver, is_group_lead
from tests.factories import SupportGroupFactory, UnitFactory, UserFactory


@pytest.mark.django_db
def test_migration_created_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= roles.ROLE_CODES
    admin = Group.objects.get(name=roles.ADMINISTRATOR)
    assert admin.permissions.filter(codename="add_service").exists()
    assert not Group.objects.get(name=roles.EMPLOYEE).permissions.exists()


@pytest.mark.django_db
def test_sync_roles_is_idempotent_and_restores_permissions():
    agent = Group.objects.get(name=roles.AGENT)
    agent.permissions.clear()
    from django.contrib.auth.models import Permission

    roles.sync_roles(Group, Permission)
    roles.sync_roles(Group, Permission)
    assert agent.permissions.count() == 4  # people: user, unit, group; catalog: asset
    assert Group.objects.filter(name=roles.AGENT).count() == 1


@pytest.mark.django_db
def test_any_manager_is_an_approver():
    unit = UnitFactory()
    manager = UserFactory(org_unit=unit)
    assert not is_approver(manager)
    unit.manager = manager
    unit.save()
    manager = type(manager).objects.get(pk=manager.pk)
    assert is_approver(manager)


@pytest.mark.django_db
def test_leading_a_group_makes_a_group_lead():
    lead = UserFactory()
    assert not is_group_lead(lead)
    SupportGroupFactory(lead=lead)
    lead = type(lead).objects.get(pk=lead.pk)
    assert is_group_lead(lead)


@pytest.mark.django_db
def test_administrator_group_grants_model_permissions():
    admin = UserFactory(roles=[roles.ADMINISTRATOR])
    assert admin.has_perm("catalog.add_service")
    assert not UserFactory().has_perm("catalog.add_service")
