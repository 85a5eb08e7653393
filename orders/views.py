"""Order pages: the cart and checkout, my orders, approvals, and the fulfilment queue and line page.

Views parse input with a form, call one service or selector, and render a page or a partial; htmx
requests get the fragment they replace, with an HX-Trigger event for the widgets that listen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from catalog.questions import answer_form, answers_for_display, person_lookup_results
from catalog.selectors import ItemNotOrderable, item_orderable_by
from orders import selectors, services
from orders.forms import CancelForm, CheckoutForm, DecisionForm, DeliverForm, QuantityForm
from orders.models import Approval, Order, OrderLine
from orders.transitions import CANCELLABLE
from servicedesk.forms import add_validation_errors

CART_EVENT = "cartChanged"
LINE_EVENT = "orderLineChanged"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


# --- The cart -----------------------------------------------------------------------------------------


def _cart_context(request: HttpRequest, *, checkout_form=None, line_errors=None, status_message="") -> dict:
    cart = selectors.cart_for(user=request.user)
    lines = list(cart.lines.all()) if cart else []
    rows = [
        (line, answers_for_display(item=line.item, answers=line.answers), (line_errors or {}).get(line.pk))
        for line in lines
    ]
    return {
        "cart": cart,
        "rows": rows,
        "total": sum((line.total for line in lines), start=0),
        "count": sum(line.quantity for line in lines),
        "checkout_form": checkout_form or CheckoutForm(office=request.user.office_location),
        "status_message": status_message,
    }


@require_GET
@login_required
def cart(request: HttpRequest) -> HttpResponse:
    _require(request, "orders.order")
    return render(request, "orders/cart.html", _cart_context(request))


@require_GET
@login_required
def cart_badge(request: HttpRequest) -> HttpResponse:
    """The number of units in the cart, for the header badge (loaded and refreshed by htmx)."""
    return render(request, "orders/cart.html#badge", {"count": selectors.cart_count(user=request.user)})


@require_POST
@login_required
def cart_add(request: HttpRequest, code: str) -> HttpResponse:
    """Add an item from its catalogue page; errors come back in the page's order form."""
    _require(request, "orders.order")
    quantity = request.POST.get("quantity", "")
    try:
        line = services.cart_add(user=request.user, code=code, quantity=quantity, data=request.POST)
    except ItemNotOrderable as exc:
        return _order_form_error(request, exc.item, exc, 409)
    except ValidationError as exc:
        return _order_form_error(request, item_orderable_by(user=request.user, code=code), exc, 400)
    text = _("%(item)s × %(count)d is in your cart.") % {"item": line.item.name, "count": line.quantity}
    if not request.htmx:
        messages.success(request, text)
        return redirect("orders:cart")
    response = render(request, "orders/cart.html#added", {"line": line, "text": text})
    trigger_client_event(response, CART_EVENT, {"count": selectors.cart_count(user=request.user)})
    return response


def _order_form_error(request: HttpRequest, item, exc: ValidationError, status: int) -> HttpResponse:
    """Render the item page's order form with the posted answers and what was wrong."""
    form = answer_form(item, request.POST)
    form.is_valid()  # the answers' own messages, as the item page shows them
    quantity_error = ""
    if hasattr(exc, "error_dict"):
        quantity_error = " ".join(exc.message_dict.get("quantity", []))
        for message in exc.message_dict.get("__all__", []):
            form.add_error(None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
    context = {
        "item": item,
        "retired": False,
        "answer_form": form,
        "quantity": request.POST.get("quantity", 1),
        "quantity_error": quantity_error,
    }
    template = "catalog/item_detail.html" + ("#order-form" if request.htmx else "")
    return render(request, template, context, status=status)


def _cart_line(request: HttpRequest, pk: int) -> OrderLine:
    try:
        return selectors.cart_line_of(user=request.user, pk=pk)
    except OrderLine.DoesNotExist:
        raise Http404 from None


def _cart_response(request: HttpRequest, *, status: int = 200, changed: bool, **context) -> HttpResponse:
    if not request.htmx:
        message = context.get("status_message")
        if message and changed:
            messages.success(request, message)
        if changed:
            return redirect("orders:cart")
        return render(request, "orders/cart.html", _cart_context(request, **context), status=status)
    response = render(
        request, "orders/cart.html#cart-lines", _cart_context(request, **context), status=status
    )
    if changed:
        trigger_client_event(response, CART_EVENT, {"count": selectors.cart_count(user=request.user)})
    return response


@require_POST
@login_required
def cart_line_update(request: HttpRequest, pk: int) -> HttpResponse:
    line = _cart_line(request, pk)
    form = QuantityForm(request.POST)
    error = None
    if form.is_valid():
        try:
            line = services.cart_line_update(
                user=request.user, line=line, quantity=form.cleaned_data["quantity"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(form.errors["quantity"])
    if error:
        return _cart_response(request, status=400, changed=False, line_errors={line.pk: error})
    message = _("%(item)s: the quantity is now %(count)d.") % {"item": line.item.name, "count": line.quantity}
    return _cart_response(request, changed=True, status_message=message)


@require_POST
@login_required
def cart_line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = _cart_line(request, pk)
    name = line.item.name
    services.cart_line_remove(user=request.user, line=line)
    return _cart_response(
        request, changed=True, status_message=_("%(item)s was removed from your cart.") % {"item": name}
    )


@require_GET
@login_required
def colleagues(request: HttpRequest) -> HttpResponse:
    """Return at most ten active colleagues matching the search, as radio buttons for the checkout."""
    _require(request, "orders.order")
    search = (request.GET.get("recipient-search") or request.GET.get("q") or "").strip()[:100]
    context = person_lookup_results(
        name="recipient", search=search, selected=request.GET.get("recipient", "")
    )
    return render(request, "catalog/person_lookup.html#results", context)


@require_POST
@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    _require(request, "orders.order")
    form = CheckoutForm(request.POST, office=request.user.office_location)
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_submit(
                user=request.user,
                recipient=data["recipient"],
                delivery_location=data["delivery_location"],
                justification=data["justification"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request,
                _("Thank you. Your order is registered as %(number)s.") % {"number": order.number},
            )
            return redirect("orders:order_detail", number=order.number)
    return render(request, "orders/cart.html", _cart_context(request, checkout_form=form), status=400)


# --- My orders ------------------------------------------------------------------------------------------------


@require_GET
@login_required
@vary_on_headers("HX-Request")
def my_orders(request: HttpRequest) -> HttpResponse:
    """The user's orders with each line's state; the list refreshes itself every 20 seconds (htmx)."""
    _require(request, "orders.order")
    orders = list(selectors.orders_visible_to(user=request.user)[:100])
    template = "orders/my_orders.html" + ("#order-list" if request.htmx else "")
    return render(request, template, {"orders": orders})


def _order(request: HttpRequest, number: str) -> Order:
    try:
        return selectors.order_for_page(user=request.user, number=number)
    except Order.DoesNotExist:
        raise Http404 from None


def _order_line(order: Order, pk: int) -> OrderLine:
    for line in order.lines.all():
        if line.pk == pk:
            return line
    raise Http404


def _line_rows(order: Order, forms: dict | None = None) -> list:
    return [
        (
            line,
            answers_for_display(item=line.item, answers=line.answers),
            (forms or {}).get(line.pk) or CancelForm(prefix=f"cancel-{line.pk}"),
        )
        for line in order.lines.all()
    ]


@require_GET
@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    return render(
        request,
        "orders/order_detail.html",
        {"order": order, "rows": _line_rows(order), "cancellable": CANCELLABLE},
    )


def _order_line_response(
    request: HttpRequest, number: str, pk: int, *, ok: bool, message: str, form=None, status=200
):
    if not request.htmx:
        (messages.success if ok else messages.error)(request, message)
        return redirect("orders:order_detail", number=number)
    order = _order(request, number)
    line = _order_line(order, pk)
    row = (
        line,
        answers_for_display(item=line.item, answers=line.answers),
        form or CancelForm(prefix=f"cancel-{pk}"),
    )
    response = render(
        request,
        "orders/order_detail.html#line",
        {"order": order, "row": row, "cancellable": CANCELLABLE, "line_message": message, "line_ok": ok},
        status=status,
    )
    if ok:
        trigger_client_event(response, LINE_EVENT, {"id": pk})
    return response


@require_POST
@login_required
def line_cancel(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    order = _order(request, number)
    line = _order_line(order, pk)
    form = CancelForm(request.POST, prefix=f"cancel-{pk}")
    if not form.is_valid():
        return _order_line_response(
            request, number, pk, ok=False, message=_("Check the reason."), form=form, status=400
        )
    try:
        services.line_cancel(line=line, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return _order_line_response(request, number, pk, ok=False, message=" ".join(exc.messages), status=400)
    return _order_line_response(
        request, number, pk, ok=True, message=_("%(item)s is cancelled.") % {"item": line.item.name}
    )


@require_POST
@login_required
def line_received(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The orderer (or the recipient) confirms that a delivered line has arrived: it closes."""
    order = _order(request, number)
    line = _order_line(order, pk)
    try:
        services.line_close(line=line, actor=request.user)
    except ValidationError as exc:
        return _order_line_response(request, number, pk, ok=False, message=" ".join(exc.messages), status=400)
    return _order_line_response(request, number, pk, ok=True, message=_("Thank you for confirming."))


# --- Approvals -------------------------------------------------------------------------------------------------


def _approval(request: HttpRequest, pk: int) -> Approval:
    try:
        return selectors.approval_for_page(user=request.user, pk=pk)
    except Approval.DoesNotExist:
        raise Http404 from None


@require_GET
@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    approvals = selectors.approvals_for(user=request.user)
    waiting = list(
        approvals.filter(decision=Approval.Decision.PENDING, line__state=OrderLine.State.AWAITING_APPROVAL)[
            :200
        ]
    )
    decided = list(approvals.exclude(decision=Approval.Decision.PENDING).order_by("-decided_at", "-id")[:20])
    return render(
        request,
        "orders/approval_list.html",
        {"waiting": [(a, DecisionForm(prefix=f"decision-{a.pk}")) for a in waiting], "decided": decided},
    )


@require_GET
@login_required
def approval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    approval = _approval(request, pk)
    return render(request, "orders/approval_detail.html", _approval_context(approval))


def _approval_context(approval: Approval, form=None, **extra) -> dict:
    line = approval.line
    return {
        "approval": approval,
        "line": line,
        "order": line.order,
        "answers": answers_for_display(item=line.item, answers=line.answers),
        "form": form or DecisionForm(prefix=f"decision-{approval.pk}"),
        **extra,
    }


@require_POST
@login_required
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject; from the list the row is replaced in place, from the page its decision panel."""
    approval = _approval(request, pk)
    form = DecisionForm(request.POST, prefix=f"decision-{pk}")
    ok = False
    if form.is_valid():
        try:
            services.approval_decide(
                user=request.user,
                approval=approval,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
            ok = True
        except ValidationError as exc:
            add_validation_errors(form, exc)
    if ok and not request.htmx:
        messages.success(request, _("Your decision is registered."))
        return redirect("orders:approval_list")
    if not request.htmx:
        return render(request, "orders/approval_detail.html", _approval_context(approval, form), status=400)
    if ok:
        approval = _approval(request, pk)  # as decided, with who decided and when
    in_list = request.htmx.target == f"approval-{pk}"
    template = "orders/approval_list.html#row" if in_list else "orders/approval_detail.html#decision"
    response = render(
        request,
        template,
        _approval_context(approval, None if ok else form, decided_now=ok),
        status=200 if ok else 400,
    )
    if ok:
        trigger_client_event(response, "approvalDecided", {"id": pk})
    return response


# --- Fulfilment -----------------------------------------------------------------------------------------------


@require_GET
@login_required
def fulfilment_queue(request: HttpRequest) -> HttpResponse:
    _require(request, "orders.fulfil")
    lines = list(selectors.fulfilment_queue(user=request.user)[:200])
    return render(
        request,
        "orders/fulfilment_queue.html",
        {"lines": lines, "low_stock": list(selectors.low_stock_items_for(user=request.user))},
    )


def _fulfilment_line(request: HttpRequest, pk: int) -> OrderLine:
    _require(request, "orders.fulfil")
    try:
        return selectors.fulfilment_line_for_page(user=request.user, pk=pk)
    except OrderLine.DoesNotExist:
        raise Http404 from None


def _work_context(line: OrderLine, deliver_form=None, **extra) -> dict:
    return {
        "line": line,
        "order": line.order,
        "answers": answers_for_display(item=line.item, answers=line.answers),
        "tasks": list(line.tasks.all()),
        "deliver_form": deliver_form or DeliverForm(item=line.item, quantity=line.quantity),
        **extra,
    }


@require_GET
@login_required
def fulfilment_line(request: HttpRequest, pk: int) -> HttpResponse:
    line = _fulfilment_line(request, pk)
    return render(request, "orders/fulfilment_line.html", _work_context(line))


def _work_response(
    request: HttpRequest, pk: int, *, ok: bool, message: str, deliver_form=None
) -> HttpResponse:
    if not request.htmx and ok:
        messages.success(request, message)
        return redirect("orders:fulfilment_line", pk=pk)
    line = _fulfilment_line(request, pk)
    template = "orders/fulfilment_line.html" + ("#work" if request.htmx else "")
    context = _work_context(line, deliver_form, work_message=message, work_ok=ok)
    response = render(request, template, context, status=200 if ok else 400)
    if ok:
        trigger_client_event(response, LINE_EVENT, {"id": pk})
    return response


ACTIONS = {
    "start": (services.line_start_fulfilment, _("Fulfilment has started. The tasks are below.")),
    "supplier": (services.line_order_from_supplier, _("The task is now to order from the supplier.")),
    "ready": (services.line_ready, _("Marked as ready for pickup.")),
    "close": (services.line_close, _("The order line is closed.")),
}


@require_POST
@login_required
def fulfilment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    line = _fulfilment_line(request, pk)
    if action not in ACTIONS:
        raise Http404
    service, message = ACTIONS[action]
    try:
        service(line=line, actor=request.user)
    except ValidationError as exc:
        return _work_response(request, pk, ok=False, message=" ".join(exc.messages))
    return _work_response(request, pk, ok=True, message=str(message))


@require_POST
@login_required
def stock_pick(request: HttpRequest, pk: int) -> HttpResponse:
    line = _fulfilment_line(request, pk)
    try:
        left = services.stock_pick(line=line, actor=request.user)
    except ValidationError as exc:
        return _work_response(request, pk, ok=False, message=" ".join(exc.messages))
    message = _("Picked from stock; %(left)d left.") % {"left": left}
    if line.item.reorder_level >= left:
        message += " " + _("The stock is at or below its reorder level: the group has been told.")
    return _work_response(request, pk, ok=True, message=message)


@require_POST
@login_required
def task_complete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    line = _fulfilment_line(request, pk)
    task = next((t for t in line.tasks.all() if t.pk == task_pk), None)
    if task is None:
        raise Http404
    try:
        services.task_complete(task=task, actor=request.user)
    except ValidationError as exc:
        return _work_response(request, pk, ok=False, message=" ".join(exc.messages))
    return _work_response(
        request, pk, ok=True, message=_("Done: %(task)s.") % {"task": task.get_kind_display()}
    )


@require_POST
@login_required
def line_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    line = _fulfilment_line(request, pk)
    form = DeliverForm(request.POST, item=line.item, quantity=line.quantity)
    if form.is_valid():
        try:
            services.line_deliver(line=line, actor=request.user, assets=form.assets())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _work_response(request, pk, ok=True, message=_("Delivered. The case is resolved."))
    return _work_response(
        request,
        pk,
        ok=False,
        message=_("The delivery was not registered. Check the fields below."),
        deliver_form=form,
    )
