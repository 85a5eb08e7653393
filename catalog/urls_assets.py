from django.urls import path

from catalog import views_assets as views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("<str:tag>/", views.asset_detail, name="detail"),
    path("<str:tag>/state/", views.asset_set_state, name="set_state"),
]
