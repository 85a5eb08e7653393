"""The change manager's settings pages: change types, standard change templates, freeze windows and
maintenance windows that belong to no change. Only the change manager and administrators may use them."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Service
from changes import services_settings as services
from changes.forms_settings import (
    ChangeTypeForm,
    FreezeWindowForm,
    MaintenanceWindowForm,
    StandardChangeTemplateForm,
    TemplateActiveForm,
)
from changes.models import ChangeType, FreezeWindow, MaintenanceWindow, StandardChangeTemplate
from servicedesk.forms import add_validation_errors

# How far back the maintenance list shows windows that have ended.
RECENT_MAINTENANCE = dt.timedelta(days=30)


def _service_names():
    return Service.objects.only("pk", "code", "name_nb", "name_en").order_by("name_nb")


def _check_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("changes.manage_changes"):
        raise PermissionDenied


def _save(request: HttpRequest, form, write, *, keep_code: bool = False):
    """Write the form's data through a settings service, ``write(actor=..., **data)``; return the saved
    object, or None with the service's validation errors added to the form."""
    data = dict(form.cleaned_data)
    if "services" in data:
        data["services"] = list(data["services"])
    if keep_code:
        data.pop("code", None)
    try:
        return write(actor=request.user, **data)
    except ValidationError as exc:
        add_validation_errors(form, exc)
    return None


def _form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, status=400 if context["form"].errors else 200)


@require_GET
@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    return render(request, "changes/settings/index.html")


# --- Change types ---------------------------------------------------------------------------------


@require_GET
@login_required
def type_list(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    return render(request, "changes/settings/type_list.html", {"types": list(ChangeType.objects.all())})


@require_http_methods(["GET", "POST"])
@login_required
def type_edit(request: HttpRequest, kind: str) -> HttpResponse:
    _check_manager(request)
    change_type = get_object_or_404(ChangeType, kind=kind)
    # Named before the form binds: a rejected name must not become the page's title.
    title = _("Edit %(name)s") % {"name": change_type.name}
    form = ChangeTypeForm(request.POST or None, instance=change_type)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, partial(services.change_type_update, change_type=change_type))
        if saved is not None:
            messages.success(request, _("The change type “%(name)s” is saved.") % {"name": saved.name})
            return redirect("changes:type_list")
    return _form_page(
        request, "changes/settings/type_form.html", {"form": form, "change_type": change_type, "title": title}
    )


# --- Standard change templates --------------------------------------------------------------------


@require_GET
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    templates = StandardChangeTemplate.objects.select_related("implementer_group").prefetch_related(
        Prefetch("services", queryset=_service_names())
    )
    return render(request, "changes/settings/template_list.html", {"templates": list(templates)})


@require_http_methods(["GET", "POST"])
@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    form = StandardChangeTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(request, form, services.template_create)
        if created is not None:
            messages.success(request, _("The template “%(name)s” is saved.") % {"name": created.name})
            return redirect("changes:template_list")
    return _form_page(
        request,
        "changes/settings/template_form.html",
        {"form": form, "template": None, "title": _("New standard change template")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request: HttpRequest, code: str) -> HttpResponse:
    _check_manager(request)
    template = get_object_or_404(StandardChangeTemplate, code=code)
    title = _("Edit %(name)s") % {"name": template.name}
    form = StandardChangeTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        write = partial(services.template_update, template=template)
        saved = _save(request, form, write, keep_code=True)
        if saved is not None:
            messages.success(request, _("The template “%(name)s” is saved.") % {"name": saved.name})
            return redirect("changes:template_list")
    return _form_page(
        request,
        "changes/settings/template_form.html",
        {"form": form, "template": template, "title": title},
    )


@require_POST
@login_required
def template_toggle(request: HttpRequest, code: str) -> HttpResponse:
    _check_manager(request)
    template = get_object_or_404(StandardChangeTemplate, code=code)
    form = TemplateActiveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            _("Choose whether the template is in use."), status=400, content_type="text/plain"
        )
    saved = services.template_set_active(
        template=template, actor=request.user, is_active=form.cleaned_data["is_active"]
    )
    if saved.is_active:
        messages.success(request, _("The template “%(name)s” is in use again.") % {"name": saved.name})
    else:
        messages.success(
            request,
            _("The template “%(name)s” is retired: no new changes can be made from it.")
            % {"name": saved.name},
        )
    return redirect("changes:template_list")


# --- Freeze windows -------------------------------------------------------------------------------


@require_GET
@login_required
def freeze_list(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    now = timezone.now()
    windows = list(FreezeWindow.objects.prefetch_related(Prefetch("services", queryset=_service_names())))
    return render(
        request,
        "changes/settings/freeze_list.html",
        {
            "upcoming": [w for w in windows if w.end >= now],
            "past": sorted((w for w in windows if w.end < now), key=lambda w: w.start, reverse=True),
            "now": now,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def freeze_create(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    form = FreezeWindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(request, form, services.freeze_create)
        if created is not None:
            messages.success(request, _("The freeze window “%(name)s” is saved.") % {"name": created.name})
            return redirect("changes:freeze_list")
    return _form_page(
        request,
        "changes/settings/freeze_form.html",
        {"form": form, "window": None, "title": _("New freeze window")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def freeze_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _check_manager(request)
    window = get_object_or_404(FreezeWindow, pk=pk)
    title = _("Edit %(name)s") % {"name": window.name}
    form = FreezeWindowForm(request.POST or None, instance=window)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, partial(services.freeze_update, window=window))
        if saved is not None:
            messages.success(request, _("The freeze window “%(name)s” is saved.") % {"name": saved.name})
            return redirect("changes:freeze_list")
    return _form_page(
        request, "changes/settings/freeze_form.html", {"form": form, "window": window, "title": title}
    )


@require_http_methods(["GET", "POST"])
@login_required
def freeze_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _check_manager(request)
    window = get_object_or_404(FreezeWindow, pk=pk)
    if request.method == "POST":
        services.freeze_delete(window=window, actor=request.user)
        messages.success(request, _("The freeze window “%(name)s” is deleted.") % {"name": window.name})
        return redirect("changes:freeze_list")
    return render(request, "changes/settings/freeze_delete.html", {"window": window})


# --- Maintenance windows --------------------------------------------------------------------------


@require_GET
@login_required
def maintenance_list(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    now = timezone.now()
    windows = list(
        MaintenanceWindow.objects.annotate(window_end=Coalesce("actual_end", "planned_end"))
        .filter(window_end__gte=now - RECENT_MAINTENANCE)
        .select_related("service", "change__ticket")
        .order_by("planned_start", "pk")
    )
    return render(
        request,
        "changes/settings/maintenance_list.html",
        {
            "upcoming": [w for w in windows if w.window_end >= now],
            "recent": sorted((w for w in windows if w.window_end < now), key=lambda w: w.start, reverse=True),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def maintenance_create(request: HttpRequest) -> HttpResponse:
    _check_manager(request)
    form = MaintenanceWindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(request, form, services.maintenance_create)
        if created is not None:
            messages.success(
                request,
                _("The maintenance window of %(service)s is saved.") % {"service": created.service.name},
            )
            return redirect("changes:maintenance_list")
    return _form_page(
        request,
        "changes/settings/maintenance_form.html",
        {"form": form, "title": _("New maintenance window")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def maintenance_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _check_manager(request)
    # A change's windows follow the change and are edited there; this page knows only the others.
    window = get_object_or_404(
        MaintenanceWindow.objects.select_related("service"), pk=pk, change__isnull=True
    )
    if request.method == "POST":
        services.maintenance_delete(window=window, actor=request.user)
        messages.success(
            request,
            _("The maintenance window of %(service)s is deleted.") % {"service": window.service.name},
        )
        return redirect("changes:maintenance_list")
    return render(request, "changes/settings/maintenance_delete.html", {"window": window})
