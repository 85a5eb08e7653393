"""The roles of the service desk, as Django groups with their model permissions.

Roles are data: a data migration creates the groups, and ``sync_roles`` can be run again after new
permissions appear. Object-level decisions (may this user edit *this* service?) live in each app's
``rules.py``; the groups here carry the coarse "may use this area at all" permissions.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: object
    description: object
    permissions: tuple[str, ...] = ()


EMPLOYEE = "employee"
APPROVER = "approver"
AGENT = "agent"
GROUP_LEAD = "group_lead"
CHANGE_MANAGER = "change_manager"
CAB_MEMBER = "cab_member"
SERVICE_OWNER = "service_owner"
MANAGEMENT_READER = "management_reader"
ADMINISTRATOR = "administrator"

ROLES: tuple[Role, ...] = (
    Role(
        EMPLOYEE, _("Employee"), _("Everyone: orders from the catalogue, reports incidents, follows tickets.")
    ),
    Role(APPROVER, _("Approver"), _("Managers: approve orders for their people.")),
    Role(
        AGENT,
        _("Service desk agent"),
        _("Handles incidents, requests and changes in the workspace."),
        ("people.view_user", "people.view_orgunit", "people.view_supportgroup", "catalog.view_asset"),
    ),
    Role(
        GROUP_LEAD,
        _("Group lead"),
        _("Leads a support group; receives escalations."),
        ("people.view_user", "people.view_orgunit", "people.view_supportgroup"),
    ),
    Role(CHANGE_MANAGER, _("Change manager"), _("Runs change enablement and chairs the CAB.")),
    Role(CAB_MEMBER, _("CAB member"), _("Votes on changes in the change advisory board.")),
    Role(
        SERVICE_OWNER,
        _("Service owner"),
        _("Owns services in the catalogue and answers for their quality."),
        ("catalog.view_service",),
    ),
    Role(
        MANAGEMENT_READER,
        _("Management (read-only)"),
        _("Reads SLA, availability and satisfaction figures."),
        ("catalog.view_service",),
    ),
    Role(
        ADMINISTRATOR,
        _("Administrator"),
        _("Maintains master data, services and configuration."),
        (
            "people.view_user",
            "people.change_user",
            "people.view_orgunit",
            "people.add_orgunit",
            "people.change_orgunit",
            "people.view_supportgroup",
            "people.add_supportgroup",
            "people.change_supportgroup",
            "catalog.view_service",
            "catalog.add_service",
            "catalog.change_service",
            "catalog.view_servicecategory",
            "catalog.add_servicecategory",
            "catalog.change_servicecategory",
            "catalog.view_catalogitem",
            "catalog.add_catalogitem",
            "catalog.change_catalogitem",
            "catalog.view_asset",
            "catalog.change_asset",
            "catalog.view_approvergroup",
            "catalog.add_approvergroup",
            "catalog.change_approvergroup",
            "incidents.view_priorityrule",
            "incidents.change_priorityrule",
            "tickets.view_cannedresponse",
            "tickets.add_cannedresponse",
            "tickets.change_cannedresponse",
            "tickets.delete_cannedresponse",
        ),
    ),
)

ROLE_CODES = frozenset(role.code for role in ROLES)


def sync_roles(group_model, permission_model, using: str = "default") -> None:
    """Create every role's group and set its permissions to exactly the declared ones.

    Takes the models as arguments so that a data migration can pass its historical models.
    """
    for role in ROLES:
        group, _created = group_model.objects.using(using).get_or_create(name=role.code)
        wanted = Q()
        for dotted in role.permissions:
            app_label, codename = dotted.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        # A permission of an app not migrated yet is skipped here; post_migrate adds it afterwards.
        perms = list(permission_model.objects.using(using).filter(wanted)) if role.permissions else []
        group.permissions.set(perms)
