"""The organisation tree and what a user's master data derives from it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from people.models import OrgUnit
from tests.factories import DepartmentFactory, SectorFactory, UnitFactory, UserFactory


@pytest.mark.django_db
def test_manager_is_derived_from_the_unit_and_skips_oneself():
    unit = UnitFactory()
    head = UserFactory(org_unit=unit)
    unit.manager = head
    unit.save()
    department_head = UserFactory(org_unit=unit.parent)
    unit.parent.manager = department_head
    unit.parent.save()
    worker = UserFactory(org_unit=unit)

    assert worker.manager == head
    # The unit's own manager reports to the manager above.
    assert head.manager == department_head


@pytest.mark.django_db
def test_cost_centre_falls_back_up_the_tree():
    unit = UnitFactory(cost_centre="")
    user = UserFactory(org_unit=unit)
    assert user.effective_cost_centre == unit.parent.cost_centre
    user.cost_centre = "K9999"
    assert user.effective_cost_centre == "K9999"


@pytest.mark.django_db
def test_paths_follow_the_tree_and_moves():
    unit = UnitFactory()
    department = unit.parent
    sector = department.parent
    assert unit.path == f"/{sector.pk}/{department.pk}/{unit.pk}/"
    assert [u.pk for u in unit.ancestors()] == [sector.pk, department.pk, unit.pk]
    assert set(sector.subtree()) == {sector, department, unit}

    other_sector = SectorFactory()
    department.parent = other_sector
    department.save()
    unit.refresh_from_db()
    assert unit.path == f"/{other_sector.pk}/{department.pk}/{unit.pk}/"
    assert not sector.subtree().filter(pk=unit.pk).exists()


@pytest.mark.django_db
def test_kinds_must_nest_in_order():
    sector = SectorFactory()
    wrong = OrgUnit(code="x", name="X", kind=OrgUnit.Kind.UNIT, parent=sector)
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "parent" in exc.value.message_dict
    department = DepartmentFactory(parent=sector)
    OrgUnit(code="y", name="Y", kind=OrgUnit.Kind.UNIT, parent=department).full_clean()


@pytest.mark.django_db
def test_database_refuses_a_rootless_department():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(code="z", name="Z", kind=OrgUnit.Kind.DEPARTMENT)


@pytest.mark.django_db
def test_user_history_never_stores_the_password():
    user = UserFactory()
    user.set_password("another-long-password")
    user.save()
    record = user.history.latest()
    assert not hasattr(record, "password")
