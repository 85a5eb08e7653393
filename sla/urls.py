"""SLA pages under /sla/ (namespace "sla"): the calendars and policies editors."""

from django.urls import path

from sla import views

app_name = "sla"

urlpatterns = [
    path("", views.index, name="index"),
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_create, name="calendar_create"),
    path("calendars/<slug:code>/", views.calendar_edit, name="calendar_edit"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("services/<slug:code>/hours/", views.service_hours, name="service_hours"),
]
