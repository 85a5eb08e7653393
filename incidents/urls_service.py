"""A service's outage pages, mounted under the catalogue's "<code>/outages/" (names in its namespace)."""

from django.urls import path

from incidents import views_service

urlpatterns = [
    path("", views_service.service_outages, name="service_outages"),
    path("<int:pk>/end/", views_service.service_outage_end, name="service_outage_end"),
]
