"""Account pages: sign in, the user's own profile."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from people import selectors
from people.forms import LoginForm
from people.roles import ROLES


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Show the master data the organisation holds about the signed-in user."""
    user = selectors.user_profile(user=request.user)
    codes = {group.name for group in user.groups.all()}
    return render(
        request,
        "people/profile.html",
        {
            "person": user,
            "units": selectors.org_unit_chain(unit=user.org_unit),
            "roles": [role for role in ROLES if role.code in codes],
            "support_groups": sorted(
                {*user.support_groups.all(), *user.led_groups.all()}, key=lambda group: group.name
            ),
        },
    )
