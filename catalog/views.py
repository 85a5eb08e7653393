"""Service register pages: browse, read, create and edit services; and the catalogue administration's
items and order questions."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from catalog import selectors, services
from catalog.forms import (
    CatalogItemForm,
    ItemAdminFilterForm,
    OrderQuestionForm,
    ServiceFilterForm,
    ServiceForm,
)
from catalog.models import CatalogItem, Service
from servicedesk.forms import add_validation_errors
from sla.service_figures import service_figures

# The forms' many-to-many fields, which the services take as lists.
SERVICE_LISTS = ("depends_on",)
ITEM_LISTS = ("visible_to_org_units", "visible_to_roles")


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
            # No permission beyond the page's own: whoever may see the service may see how it ran.
            "availability": service_figures(service, now=timezone.now()),
        },
    )


def _save(request: HttpRequest, form, write, *, lists: tuple[str, ...]):
    """Write the form's data through a catalog service, ``write(actor=..., **data)``, with the many-to-many
    values in ``lists`` as lists and the code only on creation; return the saved object, or None with the
    service's validation errors added to the form."""
    data = dict(form.cleaned_data)
    for name in lists:
        data[name] = list(data.get(name) or [])
    if form.instance.pk is not None:
        data.pop("code", None)
    try:
        return write(actor=request.user, **data)
    except ValidationError as exc:
        add_validation_errors(form, exc)
    return None


@require_http_methods(["GET", "POST"])
@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalog.add_service"):
        raise PermissionDenied
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(request, form, services.service_create, lists=SERVICE_LISTS)
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
        saved = _save(request, form, partial(services.service_update, service=service), lists=SERVICE_LISTS)
        if saved is not None:
            return redirect(saved)
    status = 400 if form.errors else 200
    return render(
        request,
        "catalog/service_form.html",
        {"form": form, "service": service, "title": _("Edit %(name)s") % {"name": service.name}},
        status=status,
    )


# --- Catalogue administration: items and their order questions ---------------------------------------


def _admin_item(request: HttpRequest, code: str, permission: str) -> CatalogItem:
    if not request.user.has_perm(permission):
        raise PermissionDenied
    try:
        return selectors.item_for_admin(code=code)
    except CatalogItem.DoesNotExist:
        raise Http404 from None


@require_GET
@login_required
@vary_on_headers("HX-Request")
def item_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalog.view_catalogitem"):
        raise PermissionDenied
    form = ItemAdminFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.items_for_admin(query=filters.get("q", ""), state=filters.get("state", ""))
    template = "catalog/item_list.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {"form": form, "items": items, "can_add": request.user.has_perm("catalog.add_catalogitem")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalog.add_catalogitem"):
        raise PermissionDenied
    form = CatalogItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(request, form, services.item_create, lists=ITEM_LISTS)
        if created is not None:
            messages.success(request, _("The item is saved. Add the questions the orderer must answer."))
            return redirect("catalog:item_edit", code=created.code)
    return render(
        request,
        "catalog/item_form.html",
        {"form": form, "item": None, "title": _("New catalogue item")},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request: HttpRequest, code: str) -> HttpResponse:
    item = _admin_item(request, code, "catalog.change_catalogitem")
    form = CatalogItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, partial(services.item_update, item=item), lists=ITEM_LISTS)
        if saved is not None:
            messages.success(request, _("The item is saved."))
            return redirect("catalog:item_edit", code=saved.code)
    return render(
        request,
        "catalog/item_form.html",
        {
            "form": form,
            "item": item,
            "questions": list(item.questions.order_by("position", "pk")),
            "title": _("Edit %(name)s") % {"name": item.name},
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def question_edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    item = _admin_item(request, code, "catalog.change_catalogitem")
    question = None
    if pk is not None:
        question = item.questions.filter(pk=pk).first()
        if question is None:
            raise Http404
    initial = {} if question else {"position": (item.questions.count() + 1) * 10}
    form = OrderQuestionForm(request.POST or None, instance=question, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {
            name: form.cleaned_data[name] for name in services.QUESTION_FIELDS if name in form.cleaned_data
        }
        try:
            if question is None:
                services.question_create(item=item, actor=request.user, **data)
            else:
                services.question_update(question=question, actor=request.user, **data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("The question is saved."))
            return redirect("catalog:item_edit", code=item.code)
    title = _("New question") if question is None else _("Edit question")
    return render(
        request,
        "catalog/question_form.html",
        {"form": form, "item": item, "question": question, "title": title},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def question_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    item = _admin_item(request, code, "catalog.change_catalogitem")
    question = item.questions.filter(pk=pk).first()
    if question is None:
        raise Http404
    if request.method == "POST":
        services.question_delete(question=question, actor=request.user)
        messages.success(request, _("The question is deleted."))
        return redirect("catalog:item_edit", code=item.code)
    return render(request, "catalog/question_delete.html", {"item": item, "question": question})
