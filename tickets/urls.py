from django.urls import path

from incidents import views as incident_views
from tickets import views

app_name = "tickets"

urlpatterns = [
    path("report/", views.report_incident, name="report"),
    path("mine/", views.my_tickets, name="my_tickets"),
    path("notifications/", views.notifications, name="notifications"),
    path("queue/", views.queue, name="queue"),
    path("queue/columns/", views.queue_columns, name="queue_columns"),
    path("queue/<slug:name>/", views.queue, name="queue"),
    path("queue/<slug:name>/bulk/", views.bulk_action, name="bulk"),
    path("queue/<slug:name>/filters/", views.saved_filter_create, name="saved_filter_create"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("call/", views.register_call, name="register_call"),
    path("<str:number>/", views.ticket_detail, name="ticket_detail"),
    path("<str:number>/reply/", views.ticket_reply, name="reply"),
    path("<str:number>/fields/", views.ticket_fields, name="fields"),
    path("<str:number>/status/", views.ticket_transition, name="transition"),
    path("<str:number>/confirm/", views.ticket_confirm, name="confirm"),
    path("<str:number>/reopen/", views.ticket_reopen, name="reopen"),
    path("<str:number>/rate/", views.ticket_rate, name="rate"),
    path("<str:number>/link/", views.ticket_link, name="link"),
    path("<str:number>/escalate/", views.ticket_escalate, name="escalate"),
    path("<str:number>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<str:number>/outages/", incident_views.outage_create, name="outage_create"),
    path("<str:number>/outages/<int:pk>/end/", incident_views.outage_close, name="outage_end"),
]
