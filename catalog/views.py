"""Service register pages: browse, read, create and edit services."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from catalog import selectors, services
from catalog.forms import ServiceFilterForm, ServiceForm
from catalog.models import Service


@require_GET
@login_required
@vary_on_headers("HX-Request")
def service_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalog.list_services"):
        raise PermissionDenied
    show_state = request.user.has_perm("catalog.see_all_services")
    form = ServiceFilterForm(request.GET or None, show_state=show_state)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.service_list(
        user=request.user,
        query=filters.get("q", ""),
        category=filters.get("category", ""),
        state=filters.get("state", ""),
    )
    template = "catalog/service_list.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "services": queryset,
            "show_state": show_state,
            "can_add": request.user.has_perm("catalog.add_service"),
        },
    )


def _visible_service(request: HttpRequest, code: str) -> Service:
    try:
        return selectors.service_detail(user=request.user, code=code)
    except Service.DoesNotExist:
        raise Http404 from None


@require_GET
@login_required
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = _visible_service(request, code)
    history = []
    if request.user.has_perm("catalog.view_service_history"):
        history = list(service.history.select_related("history_user").order_by("-history_date")[:20])
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "history": history,
            "can_change": request.user.has_perm("catalog.change_service", service),
        },
    )


def _save(request: HttpRequest, form: ServiceForm, service: Service | None) -> Service | None:
    """Call the service layer; turn its validation errors into form errors naming the field."""
    data = dict(form.cleaned_data)
    depends_on = list(data.pop("depends_on", []))
    try:
        if service is None:
            return services.service_create(actor=request.user, depends_on=depends_on, **data)
        data.pop("code", None)
        return services.service_update(service=service, actor=request.user, depends_on=depends_on, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    return None


@require_http_methods(["GET", "POST"])
@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalog.add_service"):
        raise PermissionDenied
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(request, form, None)
        if created is not None:
            return redirect(created)
    status = 400 if form.errors else 200
    return render(
        request,
        "catalog/service_form.html",
        {"form": form, "service": None, "title": _("New service")},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def service_edit(request: HttpRequest, code: str) -> HttpResponse:
    service = _visible_service(request, code)
    if not request.user.has_perm("catalog.change_service", service):
        raise PermissionDenied
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, service)
        if saved is not None:
            return redirect(saved)
    status = 400 if form.errors else 200
    return render(
        request,
        "catalog/service_form.html",
        {"form": form, "service": service, "title": _("Edit %(name)s") % {"name": service.name}},
        status=status,
    )
