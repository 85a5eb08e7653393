"""The employees' catalogue: browse and search what can be ordered, read a service's page for
employees, open an item with its order form, find a colleague for a person question, and see and
act on one's own equipment."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from catalog import selectors, services
from catalog.forms import CatalogueFilterForm, ReportBrokenForm
from catalog.models import Asset, Service
from catalog.questions import ANSWER_PREFIX, answer_form, person_lookup_results
from servicedesk.forms import add_validation_errors

FIELD_NAME = re.compile(rf"^{ANSWER_PREFIX}-[-a-zA-Z0-9_]{{1,40}}$")


def _require_portal(request: HttpRequest) -> None:
    if not request.user.has_perm("servicedesk.use_portal"):
        raise PermissionDenied


@require_GET
@login_required
@vary_on_headers("HX-Request")
def catalogue(request: HttpRequest) -> HttpResponse:
    _require_portal(request)
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.catalogue_items(
        user=request.user,
        query=filters.get("q", ""),
        kind=filters.get("kind", ""),
        category=filters.get("category", ""),
    )
    template = "catalog/catalogue.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {"form": form, "items": items, "searching": bool(filters and any(filters.values()))},
    )


@require_GET
@login_required
def catalogue_service(request: HttpRequest, code: str) -> HttpResponse:
    _require_portal(request)
    try:
        service = selectors.services_visible_to(user=request.user).get(code=code)
    except Service.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "catalog/catalogue_service.html",
        {
            "service": service,
            "items": selectors.service_items(user=request.user, service=service),
            "outages": selectors.current_outages(service=service),
            # Availability figures arrive with the SLA issue, knowledge articles with the knowledge issue.
        },
    )


@require_GET
@login_required
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_portal(request)
    retired = False
    try:
        item = selectors.item_orderable_by(user=request.user, code=code)
    except selectors.ItemNotOrderable as exc:
        item, retired = exc.item, True
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "retired": retired,
            "answer_form": None if retired else answer_form(item),
            "quantity": 1,
            "quantity_error": "",
        },
    )


@require_GET
@login_required
def people_lookup(request: HttpRequest) -> HttpResponse:
    """Return at most ten active colleagues matching ?q= as radio buttons for a person question."""
    _require_portal(request)
    name = request.GET.get("field", "")
    if not FIELD_NAME.match(name):
        name = f"{ANSWER_PREFIX}-person"
    search = (request.GET.get("q") or request.GET.get(f"{name}-search") or "").strip()[:100]
    context = person_lookup_results(name=name, search=search, selected=request.GET.get(name, ""))
    return render(request, "catalog/person_lookup.html#results", context)


# --- My equipment -----------------------------------------------------------------------------------


def _my_asset(request: HttpRequest, tag: str) -> Asset:
    """Return one of the user's own assets; anyone else's is not found."""
    try:
        return selectors.my_equipment(user=request.user).get(asset_tag=tag)
    except Asset.DoesNotExist:
        raise Http404 from None


def _equipment_rows(user, bound: ReportBrokenForm | None = None, bound_pk: int | None = None) -> list:
    """Return (asset, report-broken form) pairs; the form that was just sent keeps its input and errors."""
    return [
        (asset, bound if asset.pk == bound_pk else ReportBrokenForm(prefix=f"broken-{asset.pk}"))
        for asset in selectors.my_equipment(user=user)
    ]


@require_GET
@login_required
def my_equipment(request: HttpRequest) -> HttpResponse:
    _require_portal(request)
    return render(request, "catalog/my_equipment.html", {"rows": _equipment_rows(request.user)})


@require_POST
@login_required
def asset_hand_back(request: HttpRequest, tag: str) -> HttpResponse:
    _require_portal(request)
    asset = _my_asset(request, tag)
    try:
        ticket = services.asset_hand_back(asset=asset, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalogue:my_equipment")
    messages.success(
        request,
        _("We have registered that you want to hand in %(tag)s as %(number)s. We will contact you.")
        % {"tag": asset.asset_tag, "number": ticket.number},
    )
    return redirect(ticket)


@require_POST
@login_required
def asset_report_broken(request: HttpRequest, tag: str) -> HttpResponse:
    _require_portal(request)
    asset = _my_asset(request, tag)
    form = ReportBrokenForm(request.POST, prefix=f"broken-{asset.pk}")
    if form.is_valid():
        try:
            ticket = services.asset_report_broken(
                asset=asset,
                actor=request.user,
                description=form.cleaned_data["description"],
                urgency=int(form.cleaned_data["affects"]),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. Your case is registered as %(number)s.") % {"number": ticket.number}
            )
            return redirect(ticket)
    return render(
        request,
        "catalog/my_equipment.html",
        {"rows": _equipment_rows(request.user, form, asset.pk), "open_asset": asset.pk},
        status=400,
    )
