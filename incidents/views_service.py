"""A service's outage records for its owner: the list, recording an outage and ending an ongoing one."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog import selectors as catalog_selectors
from catalog.models import Service
from incidents import services
from incidents.forms import OutageEndForm, OutageForm
from incidents.models import Outage
from servicedesk.forms import add_validation_errors
from tickets.models import Kind, Ticket


class ServiceOutageForm(OutageForm):
    """An outage of the page's service, tied to an incident by its number."""

    service = None  # The page's service, not a choice.
    incident = forms.CharField(
        label=_("Incident number"),
        max_length=20,
        help_text=_("The incident the outage belongs to, for example INC-2026-000123."),
    )
    field_order = ["incident", "severity", "start", "end"]

    def clean_incident(self) -> Ticket:
        number = self.cleaned_data["incident"].strip().upper()
        incident = Ticket.objects.filter(number=number).first()
        if incident is None:
            raise ValidationError(_("There is no ticket with this number."), code="unknown")
        if incident.kind != Kind.INCIDENT:
            raise ValidationError(_("This ticket is not an incident."), code="not_incident")
        return incident


def _service(request: HttpRequest, code: str) -> Service:
    """Return the service when the user may see it (404) and record its outages (403)."""
    try:
        service = catalog_selectors.services_visible_to(user=request.user).get(code=code)
    except Service.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("incidents.record_service_outage", service):
        raise PermissionDenied
    return service


def _page(request: HttpRequest, service: Service, *, form=None, failed_end=None, status: int = 200):
    outages = list(
        Outage.objects.filter(service=service)
        .select_related("incident", "recorded_by")
        .order_by("-start", "-pk")
    )
    for outage in outages:
        if outage.end is None:
            if failed_end is not None and failed_end.outage_pk == outage.pk:
                outage.end_form = failed_end
            else:
                outage.end_form = OutageEndForm(auto_id=f"outage-{outage.pk}-%s")
    return render(
        request,
        "incidents/service_outages.html",
        {"service": service, "outages": outages, "form": form or ServiceOutageForm()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def service_outages(request: HttpRequest, code: str) -> HttpResponse:
    service = _service(request, code)
    if request.method == "GET":
        return _page(request, service)
    form = ServiceOutageForm(request.POST)
    if form.is_valid():
        try:
            services.outage_record(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return redirect("catalog:service_outages", code=service.code)
    return _page(request, service, form=form, status=400)


@require_POST
@login_required
def service_outage_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    service = _service(request, code)
    outage = Outage.objects.filter(service=service, pk=pk).select_related("service").first()
    if outage is None:
        raise Http404
    form = OutageEndForm(request.POST, auto_id=f"outage-{outage.pk}-%s")
    form.outage_pk = outage.pk
    if form.is_valid():
        try:
            services.outage_end(outage=outage, actor=request.user, end=form.cleaned_data["end"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return redirect("catalog:service_outages", code=service.code)
    return _page(request, service, failed_end=form, status=400)
