"""Template context shared by every page."""

from django.conf import settings

from servicedesk.navigation import menu_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user) if user is not None else [],
        "organisation_name": settings.SERVICEDESK_ORGANISATION_NAME,
    }
