"""The web pages where people create and revoke their API tokens (mounted at /profile/tokens/)."""

from django.urls import path

from api import views_tokens

app_name = "api_tokens"

urlpatterns: list = [
    path("", views_tokens.token_list, name="list"),
    path("new/", views_tokens.token_create, name="create"),
    path("service/new/", views_tokens.service_token_create, name="service_create"),
    path("<int:pk>/revoke/", views_tokens.token_revoke, name="revoke"),
]
