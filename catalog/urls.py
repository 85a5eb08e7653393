from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("new/", views.service_create, name="service_create"),
    path("<slug:code>/", views.service_detail, name="service_detail"),
    path("<slug:code>/edit/", views.service_edit, name="service_edit"),
]
