"""The web pages where people create and revoke their API tokens (mounted at /profile/tokens/)."""

app_name = "api_tokens"

urlpatterns: list = []
