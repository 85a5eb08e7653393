"""Change pages: the list, the request-for-change form, standard changes from templates, the change page
with its moves, and the CAB view with its votes.

Views parse input with a form, call one service or selector, and render a page or a partial."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from catalog.models import Service
from changes import risk, selectors, services
from changes.forms import (
    CabPeriodForm,
    ChangeFilterForm,
    ChangeForm,
    MoveForm,
    TemplateChangeForm,
    VoteForm,
)
from changes.models import Change, ChangeKind, ChangeTask, ChangeType, StandardChangeTemplate
from changes.transitions import (
    COMMITTING,
    EDITABLE,
    FINAL,
    ChangeMove,
    ChangeTransitionNotAllowed,
    allowed_targets,
)
from servicedesk.forms import add_validation_errors

State = Change.State
CHANGE_EVENT = "changeChanged"

# The button of each move, as the person making it would say it.
MOVE_LABELS = {
    (State.DRAFT, State.SUBMITTED): gettext_lazy("Submit for assessment"),
    (State.DRAFT, State.SCHEDULED): gettext_lazy("Schedule"),
    (State.SUBMITTED, State.DRAFT): gettext_lazy("Back to draft"),
    (State.SUBMITTED, State.ASSESSMENT): gettext_lazy("Start assessment"),
    (State.SUBMITTED, State.AWAITING_APPROVAL): gettext_lazy("Send for emergency approval"),
    (State.ASSESSMENT, State.AWAITING_APPROVAL): gettext_lazy("Send for approval"),
    (State.AWAITING_APPROVAL, State.ASSESSMENT): gettext_lazy("Back to assessment"),
    (State.AWAITING_APPROVAL, State.SCHEDULED): gettext_lazy("Schedule"),
    (State.SCHEDULED, State.IMPLEMENTING): gettext_lazy("Start implementation"),
    (State.SCHEDULED, State.ASSESSMENT): gettext_lazy("Re-plan"),
    (State.SCHEDULED, State.DRAFT): gettext_lazy("Back to draft"),
    (State.IMPLEMENTING, State.REVIEW): gettext_lazy("Implementation finished"),
    (State.REVIEW, State.CLOSED): gettext_lazy("Close the change"),
}
# Which of MoveForm's fields each move asks for.
MOVE_FIELDS = {
    State.REJECTED: ("reason",),
    State.CANCELLED: ("reason",),
    State.IMPLEMENTING: ("actual_start",),
    State.REVIEW: ("actual_end",),
    State.CLOSED: ("outcome", "review_note"),
}
DANGER = frozenset({State.REJECTED, State.CANCELLED})


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _change(request: HttpRequest, number: str) -> Change:
    try:
        return selectors.change_for_page(request.user, number)
    except Change.DoesNotExist:
        raise Http404 from None


def _move_label(current: str, to: str):
    if to == State.REJECTED:
        return _("Reject")
    if to == State.CANCELLED:
        return _("Cancel the change")
    return MOVE_LABELS.get((current, to), State(to).label)


def _actions(request: HttpRequest, change: Change, conflicts, bound: MoveForm | None) -> list[dict]:
    """The moves the user may offer from here, each with its form (the bound one when it failed)."""
    user = request.user
    manager = user.has_perm("changes.manage_changes")
    if not user.has_perm("changes.work_change"):
        return []
    actions = []
    for to in sorted(allowed_targets(change.state, change.kind), key=lambda s: list(State).index(s)):
        if (change.state, to) in services.MANAGER_MOVES and not manager:
            continue
        # Approval schedules a change; the button is there only when an approved change waits on conflicts.
        if change.state == State.AWAITING_APPROVAL and to == State.SCHEDULED and not change.is_approved:
            continue
        fields = list(MOVE_FIELDS.get(to, ()))
        if change.state in {State.AWAITING_APPROVAL, State.SCHEDULED} and to in {
            State.ASSESSMENT,
            State.DRAFT,
        }:
            fields.append("reason")
        if to in COMMITTING and conflicts and not change.override_holds:
            if not manager:
                fields.append("blocked")
            else:
                fields.append("override_reason")
        form = bound if bound is not None and bound.to == to else None
        actions.append(
            {
                "to": to,
                "label": _move_label(change.state, to),
                "fields": fields,
                "form": form or MoveForm(prefix_to=to, initial={"version": change.ticket.version}),
                "danger": to in DANGER,
            }
        )
    return actions


def _detail_context(request: HttpRequest, change: Change, *, bound: MoveForm | None = None, vote_form=None):
    conflicts = selectors.change_conflicts(change) if change.state not in FINAL else []
    approvals = selectors.current_approvals(change)
    my_votes = [a for a in approvals if a.approver_id == request.user.pk]
    policy = services.policy_for(change.kind)
    return {
        "change": change,
        "ticket": change.ticket,
        "services": list(change.services.all()),
        "affected": selectors.affected_through(change),
        "conflicts": conflicts,
        "actions": _actions(request, change, conflicts, bound),
        "risk_rows": risk.explain(change.risk_answers),
        "approvals": approvals,
        "earlier_approvals": [a for a in change.approvals.all() if a.round != change.approval_round],
        "quorum": services.quorum_for(change, policy, approvals) if change.approval_round else None,
        "policy": policy,
        "my_vote": my_votes[0] if my_votes and change.state == State.AWAITING_APPROVAL else None,
        "vote_form": vote_form or _vote_form(change),
        "windows": list(change.maintenance_windows.all()),
        "tasks": list(change.tasks.all()),
        "caused": list(services.caused_incidents(change)),
        "events": selectors.change_timeline(change),
        "editable": change.state in EDITABLE and request.user.has_perm("changes.work_change"),
        "manager": request.user.has_perm("changes.manage_changes"),
    }


# --- The list -----------------------------------------------------------------------------------------

SHOW_STATES = {
    "open": [s for s in State if s not in FINAL],
    "awaiting": [State.AWAITING_APPROVAL],
    "upcoming": [State.SCHEDULED, State.IMPLEMENTING],
    "finished": list(FINAL),
}


@require_GET
@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    _require(request, "changes.view_change")
    form = ChangeFilterForm(request.GET or None)
    changes = selectors.changes_visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        show = data.get("show") or "open"
        if show in SHOW_STATES:
            changes = changes.filter(state__in=SHOW_STATES[show])
        if data.get("kind"):
            changes = changes.filter(kind=data["kind"])
        if data.get("service"):
            changes = changes.filter(services=data["service"])
        if data.get("q"):
            q = data["q"].strip()
            changes = changes.filter(Q(ticket__number__iexact=q) | Q(ticket__title__icontains=q))
    elif form.is_bound:
        changes = changes.none()
    else:
        changes = changes.filter(state__in=SHOW_STATES["open"])
    changes = (
        changes.select_related("ticket", "ticket__support_group", "owner")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.only("pk", "code", "name_nb", "name_en"))
        )
        .order_by("-planned_start", "-pk")
    )
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "changes/change_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Raising a change ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def change_new(request: HttpRequest) -> HttpResponse:
    _require(request, "changes.raise_change")
    form = ChangeForm(
        request.POST or None,
        initial={"owner": request.user, "support_group": _default_group(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.change_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                reason=data["reason"],
                services=list(data["services"]),
                owner=data["owner"],
                support_group=data["support_group"],
                impact=data["impact"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                implementation_plan=data["implementation_plan"],
                backout_plan=data["backout_plan"],
                test_plan=data["test_plan"],
                risk_answers=form.risk_answers(),
                causes_downtime=data["causes_downtime"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request,
                _("The change is registered as %(number)s (draft). Submit it when the plan is ready.")
                % {"number": change.ticket.number},
            )
            return redirect(change)
    return render(
        request,
        "changes/change_form.html",
        {"form": form, "change": None, "conflicts": _form_conflicts(form)},
        status=400 if form.errors else 200,
    )


def _default_group(user):
    from people.selectors import support_groups_of

    return support_groups_of(user=user).order_by("name_nb").first()


def _form_conflicts(form) -> list:
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return []
    data = form.cleaned_data
    return selectors.conflicts_for(
        start=data.get("planned_start"),
        end=data.get("planned_end"),
        service_ids=[service.pk for service in data.get("services") or []],
        exclude_pk=form.editing.pk if getattr(form, "editing", None) else None,
    )


@require_POST
@login_required
def conflict_check(request: HttpRequest) -> HttpResponse:
    """The change form's live preview: the risk the answers give and the conflicts of the window."""
    _require(request, "changes.raise_change")
    number = request.POST.get("number", "")
    editing = _change(request, number) if number else None
    form = ChangeForm(request.POST, editing=editing)
    form.is_valid()  # the preview reads whatever fields are valid so far
    answers = {q.code: request.POST.get(f"risk_{q.code}", "") for q in risk.QUESTIONS}
    try:
        score, level = risk.assess(answers)
    except ValidationError:
        score, level = None, None
    return render(
        request,
        "changes/change_form.html#preview",
        {"conflicts": _form_conflicts(form), "score": score, "level": level, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def change_edit(request: HttpRequest, number: str) -> HttpResponse:
    _require(request, "changes.work_change")
    change = _change(request, number)
    if change.state not in EDITABLE:
        messages.error(request, _("This change can no longer be edited. Re-plan it to change the plan."))
        return redirect(change)
    form = ChangeForm(request.POST or None, editing=change, initial=ChangeForm.initial_for(change))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_edit(
                change=change,
                actor=request.user,
                version=_int(request.POST.get("version")),
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                support_group=data["support_group"],
                impact=data["impact"],
                plan={name: data[name] for name in services.PLAN_FIELDS},
                services=list(data["services"]),
                risk_answers=form.risk_answers(),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect(change)
    return render(
        request,
        "changes/change_form.html",
        {"form": form, "change": change, "conflicts": _form_conflicts(form)},
        status=400 if form.errors else 200,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Standard changes ---------------------------------------------------------------------------------


@require_GET
@login_required
def standard_catalogue(request: HttpRequest) -> HttpResponse:
    _require(request, "changes.raise_change")
    templates = selectors.standard_templates()
    return render(request, "changes/standard_catalogue.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
@login_required
def change_from_template(request: HttpRequest, code: str) -> HttpResponse:
    _require(request, "changes.raise_change")
    template = get_object_or_404(
        StandardChangeTemplate.objects.select_related("implementer_group").prefetch_related("services"),
        code=code,
        is_active=True,
    )
    form = TemplateChangeForm(request.POST or None)
    conflicts = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.standard_change_schedule(
                actor=request.user,
                template=template,
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                title=data["title"],
                override_reason=request.POST.get("override_reason", ""),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
            end = data["planned_end"] or data["planned_start"] + dt.timedelta(
                minutes=template.duration_minutes
            )
            conflicts = selectors.conflicts_for(
                start=data["planned_start"], end=end, service_ids=[s.pk for s in template.services.all()]
            )
        else:
            messages.success(
                request,
                _("%(number)s is scheduled. Standard changes need no approval.")
                % {"number": change.ticket.number},
            )
            return redirect(change)
    return render(
        request,
        "changes/template_change.html",
        {
            "template": template,
            "form": form,
            "conflicts": conflicts,
            "manager": request.user.has_perm("changes.manage_changes"),
        },
        status=400 if form.errors else 200,
    )


# --- The change page ------------------------------------------------------------------------------------


@require_GET
@login_required
def change_detail(request: HttpRequest, number: str) -> HttpResponse:
    change = _change(request, number)
    return render(request, "changes/change_detail.html", _detail_context(request, change))


@require_POST
@login_required
def change_move(request: HttpRequest, number: str) -> HttpResponse:
    change = _change(request, number)
    to = request.POST.get("to", "")
    if to not in State.values:
        return HttpResponse(_("Unknown state."), status=400, content_type="text/plain; charset=utf-8")
    form = MoveForm(request.POST, prefix_to=to)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.change_move(
                change=change,
                actor=request.user,
                move=ChangeMove(
                    to=to,
                    reason=data["reason"],
                    outcome=data["outcome"],
                    review_note=data["review_note"],
                    override_reason=data["override_reason"],
                ),
                version=data["version"],
                actual_start=data["actual_start"],
                actual_end=data["actual_end"],
            )
        except ChangeTransitionNotAllowed as exc:
            add_validation_errors(form, exc)
            status = 409 if not hasattr(exc, "error_dict") else 400
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s is now “%(state)s”.")
                % {"number": change.ticket.number, "state": State(to).label},
            )
            return redirect(change)
    change = _change(request, number)
    return render(
        request, "changes/change_detail.html", _detail_context(request, change, bound=form), status=status
    )


def _vote_form(change: Change, data=None) -> VoteForm:
    # Unique ids for each change's form: the CAB view shows many at once.
    return VoteForm(data, auto_id=f"vote-{change.pk}-%s")


def _vote(request: HttpRequest, change: Change) -> tuple[VoteForm, bool]:
    form = _vote_form(change, request.POST)
    if form.is_valid():
        try:
            services.approval_decide(
                change=change,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return form, True
    return form, False


@require_POST
@login_required
@vary_on_headers("HX-Request")
def change_vote(request: HttpRequest, number: str) -> HttpResponse:
    """A vote from the change page or (htmx) from the CAB view, which gets its card back."""
    change = _change(request, number)
    form, ok = _vote(request, change)
    fresh = _change(request, number)
    if request.htmx and request.POST.get("from") == "cab":
        response = render(
            request,
            "changes/cab.html#card",
            _cab_card_context(request, fresh, vote_form=None if ok else form),
            status=200 if ok else 400,
        )
        if ok:
            trigger_client_event(response, CHANGE_EVENT, {"number": number})
        return response
    if ok:
        messages.success(request, _("Your vote is recorded."))
        return redirect(fresh)
    return render(
        request, "changes/change_detail.html", _detail_context(request, fresh, vote_form=form), status=400
    )


@require_POST
@login_required
def task_complete(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    change = _change(request, number)
    task = get_object_or_404(ChangeTask, pk=pk, change=change)
    try:
        services.task_complete(task=task, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(change)
    return redirect(f"{change.get_absolute_url()}#tasks")


# --- The CAB view ---------------------------------------------------------------------------------------


def _cab_card_context(
    request: HttpRequest, change: Change, *, vote_form=None, policies=None, conflict_count=None
) -> dict:
    approvals = selectors.current_approvals(change)
    mine = [a for a in approvals if a.approver_id == request.user.pk]
    policy = (policies or {}).get(change.kind) or services.policy_for(change.kind)
    if conflict_count is None:
        awaiting = change.state == State.AWAITING_APPROVAL
        conflict_count = selectors.conflict_counts([change])[change.pk] if awaiting else 0
    return {
        "change": change,
        "approvals": approvals,
        "quorum": services.quorum_for(change, policy, approvals),
        "my_vote": mine[0] if mine and change.state == State.AWAITING_APPROVAL else None,
        "vote_form": vote_form or _vote_form(change),
        "conflict_count": conflict_count,
    }


@require_GET
@login_required
def cab(request: HttpRequest) -> HttpResponse:
    """The CAB meeting: the agenda of changes awaiting the CAB in a period, each approver's vote, the
    decision; and, for the change manager, the changes that await their approval alone."""
    _require(request, "changes.vote")
    form = CabPeriodForm(request.GET or None)
    start = end = start_day = end_day = None
    if form.is_valid():
        tz = timezone.get_current_timezone()
        start_day, end_day = form.cleaned_data.get("start"), form.cleaned_data.get("end")
        if start_day:
            start = dt.datetime.combine(start_day, dt.time.min, tzinfo=tz)
        if end_day:
            end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    # Without a period, the agenda is everything awaiting the CAB, soonest first.
    agenda = (
        list(selectors.awaiting_cab(start=start, end=end)) if form.is_valid() or not form.is_bound else []
    )
    # The same queries for an agenda of two changes or twenty: policies and conflicts are read at once.
    policies = {policy.kind: policy for policy in ChangeType.objects.all()}
    counts = selectors.conflict_counts(agenda)
    cards = [
        _cab_card_context(request, change, policies=policies, conflict_count=counts[change.pk])
        for change in agenda
    ]
    manager_only = (
        list(selectors.awaiting_manager_alone()) if request.user.has_perm("changes.manage_changes") else []
    )
    decided = selectors.recent_votes(request.user)
    return render(
        request,
        "changes/cab.html",
        {
            "form": form,
            "cards": cards,
            "start_day": start_day,
            "end_day": end_day,
            "manager_only": manager_only,
            "decided": decided,
            "kinds": ChangeKind,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
