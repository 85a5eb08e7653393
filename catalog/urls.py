from django.urls import include, path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("new/", views.service_create, name="service_create"),
    # Catalogue items come before "<code>/" so that "items" is never read as a service code.
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<slug:code>/", views.item_edit, name="item_edit"),
    path("items/<slug:code>/questions/new/", views.question_edit, name="question_create"),
    path("items/<slug:code>/questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("items/<slug:code>/questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("<slug:code>/", views.service_detail, name="service_detail"),
    path("<slug:code>/edit/", views.service_edit, name="service_edit"),
    path("<slug:code>/outages/", include("incidents.urls_service")),
]
