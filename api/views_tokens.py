"""The token pages: list one's own tokens, create one (shown once), revoke one; administrators also
create and revoke tokens for service accounts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from api import tokens
from api.forms import ServiceTokenForm, TokenForm
from api.models import ApiToken
from people.rules import is_administrator, is_employee
from servicedesk.forms import add_validation_errors

may_administer = is_employee & is_administrator


def _require_employee(request: HttpRequest) -> bool:
    """Return whether the user is an administrator; refuse anyone who may not use the portal at all."""
    if not request.user.has_perm("people.view_own_profile"):
        raise PermissionDenied
    return may_administer(request.user)


def _page(request: HttpRequest, *, form=None, service_form=None, status: int = 200) -> HttpResponse:
    admin = may_administer(request.user)
    context = {
        "tokens": tokens.tokens_of(user=request.user),
        "form": form or TokenForm(may_administer=admin),
        "may_administer": admin,
    }
    if admin:
        context["service_accounts"] = tokens.service_accounts_with_tokens()
        context["service_form"] = service_form or ServiceTokenForm()
    return render(request, "api/tokens.html", context, status=status)


def _create(request: HttpRequest, form, *, user) -> tuple[ApiToken, str] | None:
    """Create the token from a valid form; return (token, plain) or None with the domain's errors on the form."""
    data = form.cleaned_data
    try:
        return tokens.token_create(
            user=user, name=data["name"], scopes=data["scopes"], created_by=request.user, days=data["days"]
        )
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return None


def _created(request: HttpRequest, token: ApiToken, plain: str) -> HttpResponse:
    response = render(request, "api/token_created.html", {"token": token, "plain": plain}, status=201)
    # The secret is on this page only: never keep a copy in a cache or the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    _require_employee(request)
    return _page(request)


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    admin = _require_employee(request)
    form = TokenForm(request.POST, may_administer=admin)
    created = _create(request, form, user=request.user) if form.is_valid() else None
    if created is None:
        return _page(request, form=form, status=400)
    return _created(request, *created)


@require_POST
@login_required
def service_token_create(request: HttpRequest) -> HttpResponse:
    if not _require_employee(request):
        raise PermissionDenied
    form = ServiceTokenForm(request.POST)
    created = None
    if form.is_valid():
        created = _create(request, form, user=form.cleaned_data["account"])
    if created is None:
        return _page(request, service_form=form, status=400)
    return _created(request, *created)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_employee(request)
    token = tokens.tokens_revocable_by(user=request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    tokens.token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
