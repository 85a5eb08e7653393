"""Who is who: role predicates shared by every app's policy, and the people app's own permissions."""

import rules

from people import facts, roles


def role_codes(user) -> frozenset[str]:
    """Return the user's role codes, read with the other facts once per user object (people.facts)."""
    if not user.is_authenticated:
        return frozenset()
    facts.load(user)
    return user._role_codes


def has_role(code: str) -> rules.Predicate:
    @rules.predicate(name=f"has_role:{code}")
    def predicate(user) -> bool:
        return code in role_codes(user)

    return predicate


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


@rules.predicate
def manages_a_unit(user) -> bool:
    if not user.is_authenticated:
        return False
    facts.load(user)
    return user._manages_a_unit


@rules.predicate
def leads_a_group(user) -> bool:
    if not user.is_authenticated:
        return False
    facts.load(user)
    return user._leads_a_group


is_employee = rules.is_authenticated & rules.is_active
is_administrator = is_superuser | has_role(roles.ADMINISTRATOR)
is_approver = has_role(roles.APPROVER) | manages_a_unit
is_agent = has_role(roles.AGENT)
is_group_lead = has_role(roles.GROUP_LEAD) | leads_a_group
is_change_manager = has_role(roles.CHANGE_MANAGER)
is_cab_member = has_role(roles.CAB_MEMBER) | is_change_manager
is_service_owner = has_role(roles.SERVICE_OWNER)
is_management_reader = has_role(roles.MANAGEMENT_READER)

# Areas of the product.
can_use_portal = is_employee
can_use_workspace = is_employee & (is_agent | is_group_lead | is_administrator)
can_use_dashboard = is_employee & (is_management_reader | is_service_owner | is_group_lead | is_administrator)

rules.add_perm("servicedesk.use_portal", can_use_portal)
rules.add_perm("servicedesk.use_workspace", can_use_workspace)
rules.add_perm("servicedesk.use_dashboard", can_use_dashboard)
rules.add_perm("people.view_own_profile", is_employee)
rules.add_perm("people.view_directory", is_employee & (is_agent | is_group_lead | is_administrator))
# The dashboard is the landing page only for those whose job is reading figures and answering for them.
rules.add_perm("servicedesk.use_dashboard_first", is_employee & (is_management_reader | is_service_owner))
