from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from people import views

app_name = "people"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "me/password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("people:password_change_done")),
        name="password_change",
    ),
    path("me/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("me/", views.profile, name="profile"),
]
