"""Cross-cutting pages: the home page that sends each role to its place, the three areas' start
pages, the health check and the error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from catalog import selectors as catalog_selectors
from people import selectors as people_selectors
from reports.dashboard import MonthForm, last_ended_month, quality_dashboard
from servicedesk.navigation import primary_area
from tickets import selectors as ticket_selectors
from tickets.models import OPEN_STATUSES
from tickets.views import QUEUE_LABELS


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in user to their role's area; show a welcome page to everyone else."""
    if request.user.is_authenticated:
        return redirect(primary_area(request.user).url_name)
    return render(request, "servicedesk/welcome.html")


@require_GET
@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """Show the employee's start page: the live services they can get help with."""
    if not request.user.has_perm("servicedesk.use_portal"):
        raise PermissionDenied
    services = catalog_selectors.service_list(user=request.user, state="live")
    open_count = ticket_selectors.my_tickets(user=request.user).filter(status__in=OPEN_STATUSES).count()
    return render(request, "servicedesk/portal.html", {"services": services, "open_count": open_count})


@require_GET
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """Show the agent's start page: their support groups and the services those groups answer for."""
    if not request.user.has_perm("servicedesk.use_workspace"):
        raise PermissionDenied
    groups = list(people_selectors.support_groups_of(user=request.user))
    services = catalog_selectors.services_visible_to(user=request.user).filter(support_group__in=groups)
    queue_counts = [
        (key, label, ticket_selectors.queue(user=request.user, name=key).count())
        for key, label in QUEUE_LABELS.items()
        if key != "all"
    ]
    return render(
        request,
        "servicedesk/workspace.html",
        {"groups": groups, "services": services.order_by("name_nb"), "queue_counts": queue_counts},
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show management's start page: a month's quality figures, then the service portfolio."""
    if not request.user.has_perm("servicedesk.use_dashboard"):
        raise PermissionDenied
    now = timezone.now()
    form = MonthForm(request.GET, now=now)
    chosen = form.cleaned_data["month"] if form.is_valid() else None
    if not form.is_valid():
        messages.warning(request, _("That is not a month to show; showing the last ended month instead."))
    year, month = chosen or last_ended_month(now)
    # Every dashboard reader may trace a count: workers to the queue, the others to the records page.
    links = "queue" if request.user.has_perm("tickets.work_on_tickets") else "records"
    quality = quality_dashboard(year, month, now=now, ticket_links=links)
    services = catalog_selectors.service_list(user=request.user)
    summary = catalog_selectors.portfolio_summary(services=services)
    return render(
        request,
        "servicedesk/dashboard.html",
        {"services": services, "summary": summary, "quality": quality, "month_form": form},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the service can reach its database (for load balancers and monitoring)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks, "version": settings.SERVICEDESK_VERSION},
        status=200 if healthy else 503,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
