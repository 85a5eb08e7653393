"""The change manager's settings under /changes/settings/, in the including "changes" namespace."""

from django.urls import path

from changes import views_settings as views

urlpatterns = [
    path("", views.settings_index, name="settings"),
    path("types/", views.type_list, name="type_list"),
    path("types/<slug:kind>/", views.type_edit, name="type_edit"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<slug:code>/", views.template_edit, name="template_edit"),
    path("templates/<slug:code>/active/", views.template_toggle, name="template_toggle"),
    path("freezes/", views.freeze_list, name="freeze_list"),
    path("freezes/new/", views.freeze_create, name="freeze_create"),
    path("freezes/<int:pk>/", views.freeze_edit, name="freeze_edit"),
    path("freezes/<int:pk>/delete/", views.freeze_delete, name="freeze_delete"),
    path("maintenance/", views.maintenance_list, name="maintenance_list"),
    path("maintenance/new/", views.maintenance_create, name="maintenance_create"),
    path("maintenance/<int:pk>/delete/", views.maintenance_delete, name="maintenance_delete"),
]
