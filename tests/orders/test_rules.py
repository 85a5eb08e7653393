"""orders.rules: who decides approvals (the menu's Approvals entry), read with the user's other facts."""

import pytest

from catalog.models import CatalogItem
from orders.models import Approval
from orders.rules import decides_approvals
from people.models import OrgUnit, User
from tests.factories import UserFactory
from tests.orders.factories import ApproverGroupFactory, place_order

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_a_plain_employee_decides_nothing(employee):
    assert not decides_approvals(fresh(employee))


def test_a_unit_manager_decides(manager, team):
    assert decides_approvals(fresh(manager))


def test_a_member_of_an_approver_group_decides():
    member = UserFactory()
    ApproverGroupFactory(members_list=[member])
    assert decides_approvals(fresh(member))


def test_a_pending_approval_counts_until_it_is_decided(employee, employee_in_team, manager, team, laptop):
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    approval = place_order(employee, laptop, recipient=employee_in_team).lines.get().approvals.get()
    assert approval.approver == manager
    OrgUnit.objects.filter(pk=team.pk).update(manager=None)  # no longer a manager, the approval still waits
    assert decides_approvals(fresh(manager))

    Approval.objects.filter(pk=approval.pk).update(decision=Approval.Decision.WITHDRAWN)
    assert not decides_approvals(fresh(manager))


def test_no_query_of_its_own_beside_the_roles(manager, team, django_assert_num_queries):
    from people.rules import role_codes

    user = fresh(manager)
    with django_assert_num_queries(1):
        role_codes(user)
        assert decides_approvals(user)
