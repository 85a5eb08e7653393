"""Outage records on incidents (they feed the availability figures)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incidents import services
from incidents.forms import OutageEndForm, OutageForm
from incidents.models import Outage
from tickets import selectors
from tickets.models import Ticket


def _incident(request, number: str) -> Ticket:
    if not request.user.has_perm("tickets.work_on_tickets"):
        raise PermissionDenied
    try:
        return selectors.tickets_visible_to(user=request.user).get(number=number)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _report_errors(request, form, exc=None) -> None:
    errors = (
        form.errors.items() if exc is None else getattr(exc, "message_dict", {None: exc.messages}).items()
    )
    for field, messages_ in errors:
        label = form.fields[field].label if field in form.fields else _("Outage")
        for message in messages_:
            messages.error(request, f"{label}: {message}")


@require_POST
@login_required
def outage_create(request, number: str):
    incident = _incident(request, number)
    form = OutageForm(request.POST)
    if form.is_valid():
        try:
            services.outage_record(incident=incident, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The outage was recorded."))
        except ValidationError as exc:
            _report_errors(request, form, exc)
    else:
        _report_errors(request, form)
    return redirect(incident)


@require_POST
@login_required
def outage_close(request, number: str, pk: int):
    incident = _incident(request, number)
    outage = Outage.objects.filter(incident=incident, pk=pk).first()
    if outage is None:
        raise Http404
    form = OutageEndForm(request.POST)
    if form.is_valid():
        try:
            services.outage_end(outage=outage, actor=request.user, end=form.cleaned_data["end"])
            messages.success(request, _("The outage is recorded as ended."))
        except ValidationError as exc:
            _report_errors(request, form, exc)
    else:
        _report_errors(request, form)
    return redirect(incident)
