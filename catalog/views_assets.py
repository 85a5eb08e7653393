"""The asset register for the service desk, and one asset's page for the desk and its holder."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from catalog import selectors, services
from catalog.forms import AssetSearchForm, AssetStateForm
from catalog.models import Asset
from servicedesk.forms import add_validation_errors

PAGE_SIZE = 25


@require_GET
@login_required
@vary_on_headers("HX-Request")
def asset_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalog.use_asset_register"):
        raise PermissionDenied
    form = AssetSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.asset_search(
        user=request.user, query=filters.get("q", ""), state=filters.get("state", "")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    template = "catalog/asset_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "page": page, "query": query})


def _asset(request: HttpRequest, tag: str) -> Asset:
    try:
        return selectors.asset_for_page(user=request.user, tag=tag)
    except Asset.DoesNotExist:
        raise Http404 from None


def _detail_context(request: HttpRequest, asset: Asset, form: AssetStateForm | None = None) -> dict:
    can_manage = request.user.has_perm("catalog.manage_assets")
    history = []
    if can_manage:
        history = list(asset.history.select_related("history_user", "holder").order_by("-history_date")[:20])
    return {
        "asset": asset,
        "can_manage": can_manage,
        "is_holder": asset.holder_id == request.user.pk and asset.state in services.HELD_STATES,
        "form": form if form is not None else AssetStateForm(asset=asset),
        "history": history,
    }


@require_GET
@login_required
def asset_detail(request: HttpRequest, tag: str) -> HttpResponse:
    asset = _asset(request, tag)
    return render(request, "catalog/asset_detail.html", _detail_context(request, asset))


@require_POST
@login_required
def asset_set_state(request: HttpRequest, tag: str) -> HttpResponse:
    asset = _asset(request, tag)
    if not request.user.has_perm("catalog.manage_assets"):
        raise PermissionDenied
    form = AssetStateForm(request.POST, asset=asset)
    if form.is_valid():
        try:
            asset = services.asset_set_state(
                asset=asset,
                state=form.cleaned_data["state"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            asset = selectors.asset_for_page(user=request.user, tag=asset.asset_tag)
            form = None
    template = "catalog/asset_detail.html"
    if request.htmx:
        template += "#state-panel"
    context = _detail_context(request, asset, form)
    response = render(request, template, context, status=400 if form is not None and form.errors else 200)
    if form is None:
        trigger_client_event(response, "assetChanged", {"tag": asset.asset_tag})
    return response
