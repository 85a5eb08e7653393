"""Reads of people master data, scoped and with their related rows fetched up front."""

from django.db.models import Prefetch, Q, QuerySet

from people.models import OrgUnit, SupportGroup, User


def user_profile(*, user: User) -> User:
    """Return the user with everything the profile page shows, in a fixed number of queries."""
    return (
        User.objects.select_related(
            "org_unit__manager", "org_unit__parent__manager", "org_unit__parent__parent__manager"
        )
        .prefetch_related(
            "groups",
            Prefetch("support_groups", queryset=SupportGroup.objects.select_related("lead")),
            "managed_units",
            "led_groups",
        )
        .get(pk=user.pk)
    )


def org_unit_chain(*, unit: OrgUnit | None) -> list[OrgUnit]:
    """Return the units from the sector down to this one, using already-fetched parents."""
    chain: list[OrgUnit] = []
    while unit is not None:
        chain.append(unit)
        unit = unit.parent
    return list(reversed(chain))


def agents() -> QuerySet[User]:
    """Return the active people who work tickets (agents and group leads), for assignee choices."""
    from people.roles import AGENT, GROUP_LEAD

    return (
        User.objects.filter(is_active=True, groups__name__in=[AGENT, GROUP_LEAD])
        .distinct()
        .order_by("first_name", "last_name")
    )


def agent_choices() -> QuerySet[User]:
    """Return agents() with only what a choice shows (the name): for listing, not for validating."""
    return agents().only("id", "username", "first_name", "last_name")


def support_groups_of(*, user: User) -> QuerySet[SupportGroup]:
    """Return the support groups the user is a member or lead of."""
    return (
        SupportGroup.objects.filter(Q(memberships__user=user) | Q(lead=user))
        .distinct()
        .select_related("lead")
    )
