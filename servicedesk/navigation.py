"""The product's areas and which of them each user may reach; the header menu and the home page
redirect both read this, so they can never disagree."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    url_name: str
    label: object
    permission: str


# In order of precedence for the home page: a management reader lands on the dashboard, an agent
# on the workspace, an administrator on the service register, everyone else in the portal.
# The register comes before the workspace so an administrator who also handles tickets lands there.
AREAS: tuple[Area, ...] = (
    Area("dashboard", _("Dashboard"), "servicedesk.use_dashboard_first"),
    Area("catalog:service_list", _("Services"), "catalog.add_service"),
    Area("workspace", _("Workspace"), "servicedesk.use_workspace"),
    Area("portal", _("Self-service"), "servicedesk.use_portal"),
)

MENU: tuple[Area, ...] = (
    Area("portal", _("Self-service"), "servicedesk.use_portal"),
    Area("tickets:my_tickets", _("My cases"), "servicedesk.use_portal"),
    Area("catalogue:index", _("Catalogue"), "servicedesk.use_portal"),
    Area("catalogue:my_equipment", _("My equipment"), "servicedesk.use_portal"),
    Area("orders:cart", _("Cart"), "orders.order"),
    Area("orders:my_orders", _("My orders"), "orders.order"),
    Area("orders:approval_list", _("Approvals"), "orders.approve"),
    Area("workspace", _("Workspace"), "servicedesk.use_workspace"),
    Area("tickets:queue", _("Queues"), "tickets.work_on_tickets"),
    Area("orders:fulfilment_queue", _("Fulfilment"), "orders.fulfil"),
    Area("assets:list", _("Asset register"), "catalog.use_asset_register"),
    Area("changes:change_list", _("Changes"), "changes.view_change"),
    Area("changes:calendar", _("Change calendar"), "changes.view_change"),
    Area("changes:cab", _("CAB"), "changes.vote"),
    Area("sla:index", _("Service levels"), "sla.manage_policies"),
    Area("dashboard", _("Dashboard"), "servicedesk.use_dashboard"),
    Area("catalog:service_list", _("Services"), "catalog.list_services"),
)


def primary_area(user) -> Area:
    """Return the area a user is sent to from the home page."""
    for area in AREAS:
        if user.has_perm(area.permission):
            return area
    return AREAS[-1]


def menu_for(user) -> list[Area]:
    """Return the menu entries the user may use."""
    if not user.is_authenticated:
        return []
    return [area for area in MENU if user.has_perm(area.permission)]
