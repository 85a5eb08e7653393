"""Change pages under /changes/ (namespace "changes"): the list, the form, the change page, the CAB view;
the calendar and its feed (urls_calendar) and the change manager's settings (urls_settings)."""

from django.urls import include, path

from changes import views

app_name = "changes"

urlpatterns = [
    path("", views.change_list, name="change_list"),
    path("new/", views.change_new, name="change_new"),
    path("new/standard/", views.standard_catalogue, name="standard_catalogue"),
    path("new/standard/<slug:code>/", views.change_from_template, name="change_from_template"),
    path("new/conflicts/", views.conflict_check, name="conflict_check"),
    path("cab/", views.cab, name="cab"),
    path("calendar/", include("changes.urls_calendar")),
    path("settings/", include("changes.urls_settings")),
    path("<str:number>/", views.change_detail, name="change_detail"),
    path("<str:number>/edit/", views.change_edit, name="change_edit"),
    path("<str:number>/move/", views.change_move, name="change_move"),
    path("<str:number>/vote/", views.change_vote, name="change_vote"),
    path("<str:number>/tasks/<int:pk>/", views.task_complete, name="task_complete"),
]
