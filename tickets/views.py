"""Ticket pages for both sides: employees report and follow their cases; agents work the queues.

Views parse input with a form, call one service or selector, and render a page or a partial."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event
from django_tables2 import RequestConfig

from catalog import selectors as catalog_selectors
from catalog.models import Service
from incidents.forms import OutageForm
from incidents.priority import matrix_rows
from people import selectors as people_selectors
from people.models import SupportGroup, User
from servicedesk.forms import add_validation_errors
from servicedesk.paginator import CappedPaginator
from sla import selectors as sla_selectors
from tickets import selectors, services
from tickets.filters import TicketFilter
from tickets.forms import (
    BulkForm,
    EscalateForm,
    LinkForm,
    OnBehalfForm,
    RatingForm,
    ReopenForm,
    ReplyForm,
    ReportIncidentForm,
    SavedFilterForm,
    TicketFieldsForm,
    TransitionForm,
)
from tickets.models import (
    Attachment,
    CannedResponse,
    Channel,
    Kind,
    Notification,
    QueuePreference,
    SavedFilter,
    Status,
    Ticket,
    TicketLink,
)
from tickets.tables import DEFAULT_COLUMNS, OPTIONAL_COLUMNS, TicketTable
from tickets.transitions import Move, StaleTicket, TransitionNotAllowed, allowed_targets

QUEUE_LABELS = {
    "mine": gettext_lazy("Assigned to me"),
    "unassigned": gettext_lazy("My groups, unassigned"),
    "groups": gettext_lazy("My groups, all open"),
    "all": gettext_lazy("All tickets"),
    "breaching": gettext_lazy("Breaching soon"),
}


def _require(request: HttpRequest, permission: str, obj=None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _ticket(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.ticket_for_page(user=request.user, number=number)
    except Ticket.DoesNotExist:
        raise Http404 from None


# --- Employees --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def report_incident(request: HttpRequest) -> HttpResponse:
    _require(request, "tickets.report_incident")
    live_services = catalog_selectors.service_list(user=request.user, state="live")
    # "?service=<code>" (from a service's page) chooses the service up front.
    code = request.GET.get("service", "") if request.method == "GET" else ""
    preselected = live_services.filter(code=code).first() if code else None
    form = ReportIncidentForm(
        request.POST or None,
        request.FILES or None,
        services=live_services,
        initial={"service": preselected} if preselected else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                requester=request.user,
                created_by=request.user,
                title=data["title"],
                description=data["description"],
                service=data["service"],
                urgency=int(data["affects"]),
                channel=Channel.PORTAL,
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. Your case is registered as %(number)s.") % {"number": ticket.number}
            )
            return redirect(ticket)
    return render(request, "tickets/report.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    tickets = list(selectors.my_tickets(user=request.user)[:200])
    latest = selectors.latest_public_replies(tickets=tickets)
    rows = [(ticket, latest.get(ticket.pk)) for ticket in tickets]
    return render(request, "tickets/my_tickets.html", {"rows": rows})


# --- The ticket page (both sides) ---------------------------------------------------------------------


def _detail_context(request: HttpRequest, ticket: Ticket, **forms) -> dict:
    user = request.user
    agent = user.has_perm("tickets.work_on_tickets")
    events = selectors.timeline_events(ticket=ticket, user=user)
    context = {
        "ticket": ticket,
        "events": events,
        "last_event_id": events[-1].pk if events else 0,
        "agent": agent,
        "is_requester": ticket.requester_id == user.pk,
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"version": ticket.version}),
        # The SLA clocks as of now: the full panel with its log for agents, the aims in words for the rest.
        "sla_panel": sla_selectors.sla_panel(ticket, now=timezone.now()) if ticket.is_open or agent else [],
        "rating": getattr(ticket, "rating", None)
        if ticket.status in {Status.RESOLVED, Status.CLOSED}
        else None,
        "conflict": forms.get("conflict"),
    }
    if agent:
        context["targets"] = [Status(s) for s in Status.values if s in allowed_targets(ticket.status)]
        context["transition_form"] = forms.get("transition_form") or TransitionForm(
            initial={"version": ticket.version}
        )
        # A finished ticket has no reply box, details, escalation or links to edit (agent_panel.html
        # asks the same ticket.is_finished), so none of their forms and lists are built for it.
        if not ticket.is_finished:
            fields_form = forms.get("fields_form") or _fields_form(ticket)
            escalate_form = forms.get("escalate_form") or EscalateForm(
                initial={"version": ticket.version}, auto_id="escalate_%s"
            )
            groups = list(SupportGroup.objects.order_by("name_nb"))  # read once for both forms that list them
            _render_choices_from(fields_form.fields["support_group"], groups)
            _render_choices_from(escalate_form.fields["support_group"], groups)
            context.update(
                fields_form=fields_form,
                link_form=forms.get("link_form") or LinkForm(),
                escalate_form=escalate_form,
                canned=list(CannedResponse.objects.filter(group=ticket.support_group_id))
                if ticket.support_group_id
                else [],
                matrix=matrix_rows(),
                # parent_id too: the related manager reads it on every child, one query each if deferred.
                children=list(ticket.children.only("number", "title", "status", "parent_id")),
                links=selectors.ticket_links(ticket=ticket),
            )
        if ticket.kind == Kind.INCIDENT:  # outages are recorded on incidents, also after they close
            context["outages"] = list(ticket.outages.select_related("service"))
            # The form to record one sits in a closed <details>: built when asked for (?record_outage,
            # which the details fetch with htmx when opened, or a plain link without JavaScript).
            if forms.get("outage_form") or request.GET.get("record_outage"):
                context["outage_form"] = forms.get("outage_form") or OutageForm(
                    initial={"service": ticket.service_id}, auto_id="outage_%s"
                )
    else:
        context.update(
            rating_form=forms.get("rating_form") or RatingForm(),
            reopen_form=forms.get("reopen_form") or ReopenForm(initial={"version": ticket.version}),
        )
    context["response_aim"] = sla_selectors.response_aim(context["sla_panel"])
    return context


def _fields_form(ticket: Ticket, data=None) -> TicketFieldsForm:
    initial = {
        "title": ticket.title,
        "service": ticket.service_id,
        "support_group": ticket.support_group_id,
        "assignee": ticket.assignee_id,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "priority": ticket.priority,
        "category": ticket.category,
        "version": ticket.version,
    }
    return TicketFieldsForm(
        data,
        initial=initial,
        services=Service.objects.exclude(state=Service.State.RETIRED).order_by("name_nb"),
        groups=SupportGroup.objects.order_by("name_nb"),
        agents=people_selectors.agents(),
    )


@require_GET
@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    if ticket.kind == Kind.CHANGE:
        # A change is worked on its change page, which moves it through its own lifecycle.
        return redirect("changes:change_detail", number=ticket.number)
    return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket))


def _respond(
    request: HttpRequest, ticket: Ticket, *, ok: bool, message: str = "", status: int = 200, **forms
) -> HttpResponse:
    """Answer a ticket mutation: the fresh page (or its main partial for htmx), with an event for listeners."""
    if ok and not request.htmx:
        if message:
            messages.success(request, message)
        return redirect(ticket)
    ticket = _ticket(request, ticket.number) if ok else ticket
    template = "tickets/ticket_detail.html" + ("#ticket-main" if request.htmx else "")
    response = render(request, template, _detail_context(request, ticket, **forms), status=status)
    if ok:
        trigger_client_event(response, "ticketChanged", {"number": ticket.number})
    return response


def _conflict(request: HttpRequest, exc: StaleTicket, **forms) -> HttpResponse:
    return _respond(request, exc.current, ok=False, status=409, conflict=exc, **forms)


@require_POST
@login_required
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_comment(
                ticket=ticket,
                actor=request.user,
                body=data["body"],
                public=not data["internal"],
                attachments=data["attachments"],
                version=None,
            )
            return _respond(request, ticket, ok=True, message=_("Your message was added."))
        except StaleTicket as exc:
            return _conflict(request, exc, reply_form=form)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _respond(request, ticket, ok=False, status=400, reply_form=form)


@require_POST
@login_required
def ticket_fields(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    _require(request, "tickets.work_on_tickets")
    form = _fields_form(ticket, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_update(
                ticket=ticket,
                actor=request.user,
                version=data["version"],
                reason=data["priority_reason"],
                changes={
                    k: data[k]
                    for k in (
                        "title",
                        "service",
                        "support_group",
                        "assignee",
                        "impact",
                        "urgency",
                        "category",
                        "priority",
                    )
                },
            )
            return _respond(request, ticket, ok=True, message=_("The ticket was updated."))
        except StaleTicket as exc:
            # A fresh form from the ticket as it is now: re-sending the stale values would undo the other change.
            return _conflict(request, exc)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _respond(request, ticket, ok=False, status=400, fields_form=form)


@require_POST
@login_required
def ticket_transition(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        move = Move(
            to=Status(data["to"]),
            pending_reason=data["pending_reason"],
            resolution_code=data["resolution_code"],
            resolution_note=data["resolution_note"],
            reason=data["reason"],
        )
        try:
            updated = services.ticket_transition(
                ticket=ticket,
                actor=request.user,
                move=move,
                version=data["version"],
                with_children=bool(request.POST.get("resolve_children")),
            )
            return _respond(
                request,
                ticket,
                ok=True,
                message=_("The status is now “%(status)s”.") % {"status": updated.get_status_display()},
            )
        except StaleTicket as exc:
            return _conflict(request, exc, transition_form=form)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _respond(request, ticket, ok=False, status=400, transition_form=form)


@require_POST
@login_required
def ticket_confirm(request: HttpRequest, number: str) -> HttpResponse:
    """The requester confirms the resolution: the ticket closes."""
    ticket = _ticket(request, number)
    try:
        services.ticket_transition(
            ticket=ticket, actor=request.user, move=Move(to=Status.CLOSED), version=None
        )
    except (TransitionNotAllowed, PermissionDenied) as exc:
        raise PermissionDenied(str(exc)) from None
    return _respond(request, ticket, ok=True, message=_("Thank you for confirming. The case is closed."))


@require_POST
@login_required
def ticket_reopen(request: HttpRequest, number: str) -> HttpResponse:
    """The requester (or an agent) says the problem is not solved."""
    ticket = _ticket(request, number)
    form = ReopenForm(request.POST)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if ticket.status == Status.CLOSED:
                follow_up = services.ticket_reopen_closed(ticket=ticket, actor=request.user, reason=reason)
                messages.info(
                    request,
                    _("The case was closed, so we opened %(number)s to follow up.")
                    % {"number": follow_up.number},
                )
                return redirect(follow_up)
            services.ticket_transition(
                ticket=ticket,
                actor=request.user,
                version=form.cleaned_data["version"],
                move=Move(to=Status.IN_PROGRESS, reason=reason),
            )
            return _respond(request, ticket, ok=True, message=_("The case is reopened."))
        except StaleTicket as exc:
            # Keep what they wrote, but with the current version: the posted one would be refused again.
            fresh = ReopenForm(initial={"reason": reason, "version": exc.current.version})
            return _conflict(request, exc, reopen_form=fresh)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _respond(request, ticket, ok=False, status=400, reopen_form=form)


@require_POST
@login_required
def ticket_rate(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_rate(
                ticket=ticket,
                actor=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
            return _respond(request, ticket, ok=True, message=_("Thank you for your rating."))
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _respond(request, ticket, ok=False, status=400, rating_form=form)


@require_POST
@login_required
def ticket_link(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    _require(request, "tickets.work_on_tickets")
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            other = selectors.tickets_visible_to(user=request.user).get(
                number=form.cleaned_data["target"].strip()
            )
        except Ticket.DoesNotExist:
            form.add_error("target", _("There is no ticket with that number."))
        else:
            try:
                kind = form.cleaned_data["type"]
                if kind == "duplicate":
                    services.ticket_merge(duplicate=ticket, master=other, actor=request.user)
                elif kind == "parent":
                    services.ticket_set_parent(child=ticket, parent=other, actor=request.user)
                elif kind == "caused_by":
                    services.ticket_link(
                        source=ticket, target=other, actor=request.user, type_=TicketLink.Type.CAUSED_BY
                    )
                else:
                    services.ticket_link(source=ticket, target=other, actor=request.user)
                return _respond(request, ticket, ok=True, message=_("The tickets are linked."))
            except ValidationError as exc:
                add_validation_errors(form, exc)
    return _respond(request, ticket, ok=False, status=400, link_form=form)


@require_POST
@login_required
def ticket_escalate(request: HttpRequest, number: str) -> HttpResponse:
    """Hand the ticket to another group with a note: unassigns it and tells the new group."""
    ticket = _ticket(request, number)
    _require(request, "tickets.work_on_tickets")
    form = EscalateForm(request.POST, auto_id="escalate_%s")  # ids unique beside the details form
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_escalate(
                ticket=ticket,
                actor=request.user,
                version=data["version"],
                group=data["support_group"],
                note=data["note"],
            )
            return _respond(request, ticket, ok=True, message=_("The ticket was escalated."))
        except StaleTicket as exc:
            return _conflict(request, exc, escalate_form=form)
        except ValidationError as exc:
            add_validation_errors(form, exc)
    return _respond(request, ticket, ok=False, status=400, escalate_form=form)


@require_GET
@login_required
def attachment_download(request: HttpRequest, number: str, pk: int) -> FileResponse:
    try:
        attachment = selectors.attachment_for(user=request.user, number=number, pk=pk)
    except (Ticket.DoesNotExist, Attachment.DoesNotExist):
        raise Http404 from None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Agent workspace ---------------------------------------------------------------------------------


def _columns_for(user) -> tuple[str, ...]:
    return _chosen_columns(
        QueuePreference.objects.filter(user=user).values_list("columns", flat=True).first()
    )


def _chosen_columns(preference: list[str] | None) -> tuple[str, ...]:
    if preference:
        return tuple(c for c in preference if c in OPTIONAL_COLUMNS)
    return DEFAULT_COLUMNS


def _render_choices_from(field, rows) -> None:
    """Let a model choice field render from rows already read (it still validates against its queryset).

    The queue page lists the agents and the groups in both the filter and the bulk form."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.widget.choices = [*empty, *((field.prepare_value(r), field.label_from_instance(r)) for r in rows)]


def queue_context(request: HttpRequest, name: str, *, columns: tuple[str, ...] | None = None) -> dict:
    """Build the queue page's table, filters and saved filters (shared by the page and the live consumer)."""
    agents = people_selectors.agents()
    base = selectors.queue(user=request.user, name=name)
    filterset = TicketFilter(request.GET or None, queryset=base, agents=agents)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    table = TicketTable(
        queryset,
        columns=columns if columns is not None else _columns_for(request.user),
        # "Breaching soon" is read soonest due first; the other queues by priority and age.
        order_by=("sla_due",) if name == "breaching" else None,
    )
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": CappedPaginator}).configure(table)
    return {
        "table": table,
        "filter": filterset,
        "queue": name,
        "queues": QUEUE_LABELS,
        "query": request.GET.urlencode(),
    }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def queue(request: HttpRequest, name: str = "unassigned") -> HttpResponse:
    _require(request, "tickets.work_on_tickets")
    if name not in QUEUE_LABELS:
        raise Http404
    preference, saved_filters = selectors.queue_settings(user=request.user)
    columns = _chosen_columns(preference)
    context = queue_context(request, name, columns=columns)
    # Own ids: the filter form beside it has fields of the same names (status, group, assignee).
    bulk_form = BulkForm(tickets=Ticket.objects.none(), agents=people_selectors.agents(), auto_id="bulk_%s")
    context.update(
        saved_filters=saved_filters,
        saved_filter_form=SavedFilterForm(initial={"query": request.GET.urlencode()}),
        bulk_form=bulk_form,
        optional_columns=[(c, TicketTable.base_columns[c].verbose_name) for c in OPTIONAL_COLUMNS],
        chosen_columns=columns,
        ws_query=urlencode({"queue": name, "q": request.GET.urlencode()}),
    )
    partial = request.htmx and not request.htmx.boosted
    if not partial:
        # Read the agents and the groups once for both forms that list them.
        filter_form = context["filter"].form
        agents, groups = list(people_selectors.agent_choices()), list(SupportGroup.objects.all())
        for form, field, rows in (
            (filter_form, "assignee", agents),
            (bulk_form, "assignee", agents),
            (filter_form, "support_group", groups),
            (bulk_form, "support_group", groups),
        ):
            _render_choices_from(form.fields[field], rows)
    template = "tickets/queue.html" + ("#queue-table" if partial else "")
    return render(request, template, context)


@require_POST
@login_required
def queue_columns(request: HttpRequest) -> HttpResponse:
    _require(request, "tickets.work_on_tickets")
    chosen = [c for c in request.POST.getlist("columns") if c in OPTIONAL_COLUMNS]
    QueuePreference.objects.update_or_create(user=request.user, defaults={"columns": chosen})
    return redirect(request.POST.get("next") or reverse("tickets:queue"))


@require_POST
@login_required
def saved_filter_create(request: HttpRequest, name: str) -> HttpResponse:
    _require(request, "tickets.work_on_tickets")
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        SavedFilter.objects.update_or_create(
            owner=request.user, name=form.cleaned_data["name"], defaults={"query": form.cleaned_data["query"]}
        )
        messages.success(request, _("The filter was saved."))
    else:
        messages.error(request, _("Give the filter a name."))
    return redirect(reverse("tickets:queue", args=[name]) + "?" + form.data.get("query", ""))


@require_POST
@login_required
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deleted, _count = SavedFilter.objects.filter(owner=request.user, pk=pk).delete()
    if not deleted:
        raise Http404
    return redirect(reverse("tickets:queue"))


@require_POST
@login_required
def bulk_action(request: HttpRequest, name: str) -> HttpResponse:
    _require(request, "tickets.work_on_tickets")
    visible = selectors.tickets_visible_to(user=request.user)
    form = BulkForm(request.POST, tickets=visible, agents=people_selectors.agents())
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}: {error}"
                )
        return redirect(reverse("tickets:queue", args=[name]))
    data = form.cleaned_data
    done, refused = [], []
    for ticket in data["tickets"]:
        try:
            if data["action"] == "assign":
                services.ticket_update(
                    ticket=ticket, actor=request.user, version=None, changes={"assignee": data["assignee"]}
                )
            elif data["action"] == "group":
                services.ticket_update(
                    ticket=ticket,
                    actor=request.user,
                    version=None,
                    changes={"support_group": data["support_group"], "assignee": None},
                )
            else:
                services.ticket_transition(
                    ticket=ticket,
                    actor=request.user,
                    version=None,
                    move=Move(to=Status(data["status"]), reason=data["reason"]),
                )
            done.append(ticket.number)
        except ValidationError as exc:
            refused.append(f"{ticket.number}: {' '.join(exc.messages)}")
    if done:
        messages.success(
            request,
            ngettext("Done for %(count)d ticket.", "Done for %(count)d tickets.", len(done))
            % {"count": len(done)},
        )
    for line in refused:
        messages.error(request, line)
    return redirect(reverse("tickets:queue", args=[name]))


@require_http_methods(["GET", "POST"])
@login_required
def register_call(request: HttpRequest) -> HttpResponse:
    """An agent registers a ticket for a caller (phone, walk-in, chat, email)."""
    _require(request, "tickets.work_on_tickets")
    live_services = catalog_selectors.service_list(user=request.user, state="live")
    form = OnBehalfForm(request.POST or None, request.FILES or None, services=live_services)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                requester=data["requester"],
                created_by=request.user,
                title=data["title"],
                description=data["description"],
                service=data["service"],
                urgency=int(data["affects"]),
                impact=data["impact"],
                category=data["category"],
                channel=data["channel"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Registered as %(number)s.") % {"number": ticket.number})
            return redirect(ticket)
    people = (
        User.objects.filter(is_active=True).only("username", "first_name", "last_name").order_by("first_name")
    )
    return render(
        request,
        "tickets/register_call.html",
        {"form": form, "people": people, "matrix": matrix_rows()},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(recipient=request.user).select_related("ticket")[:50])
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "tickets/notifications.html", {"items": items})
