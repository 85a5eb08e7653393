from django.urls import path

from catalog import views_catalogue as views

app_name = "catalogue"

urlpatterns = [
    path("", views.catalogue, name="index"),
    path("services/<slug:code>/", views.catalogue_service, name="service_detail"),
    path("items/<slug:code>/", views.item_detail, name="item_detail"),
    path("people/", views.people_lookup, name="people"),
    path("my-equipment/", views.my_equipment, name="my_equipment"),
    path("my-equipment/<str:tag>/hand-back/", views.asset_hand_back, name="asset_hand_back"),
    path("my-equipment/<str:tag>/report/", views.asset_report_broken, name="asset_report_broken"),
]
