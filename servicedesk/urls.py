from django.contrib import admin
from django.urls import include, path

from reports import views_records
from servicedesk import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("portal/", views.portal, name="portal"),
    path("workspace/", views.workspace, name="workspace"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("people.urls")),
    path("services/", include("catalog.urls")),
    path("catalogue/", include("catalog.urls_catalogue")),
    path("assets/", include("catalog.urls_assets")),
    path("tickets/", include("tickets.urls")),
    path("", include("orders.urls")),  # /orders/…, /approvals/…, /fulfilment/…
    path("changes/", include("changes.urls")),
    path("sla/", include("sla.urls")),
    path("kvalitet/", include("reports.urls_public")),
    path("dashboard/report/", include("reports.urls")),
    path("dashboard/records/", views_records.figure_records, name="figure_records"),
    path("api/", include("api.urls")),
    path("profile/tokens/", include("api.urls_tokens")),
    path("admin/", admin.site.urls),
]

handler403 = "servicedesk.views.permission_denied"
handler404 = "servicedesk.views.page_not_found"
