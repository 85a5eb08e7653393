"""/dashboard/records/: the tickets behind a dashboard figure, without personal data (reports.records)."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from reports.records import RecordFilter, records_visible_to

PER_PAGE = 25


@require_GET
def figure_records(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("servicedesk.use_dashboard"):
        raise PermissionDenied
    if request.user.has_perm("tickets.work_on_tickets"):
        # Those who work on tickets read the whole records in the queue, under the same filters.
        query = request.GET.urlencode()
        return redirect(reverse("tickets:queue", args=["all"]) + (f"?{query}" if query else ""))
    records = RecordFilter(request.GET, queryset=records_visible_to(user=request.user))
    rows = records.qs.order_by("-opened_at", "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/records.html",
        {"filter": records, "page": page, "query": query.urlencode(), "invalid": not records.is_valid()},
    )
