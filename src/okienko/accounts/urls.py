from django.urls import path

from okienko.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_2fa_view, name="login_2fa"),
    path("logout/", views.logout_view, name="logout"),
    path("security/2fa/", views.two_factor_setup_view, name="2fa_setup"),
    path("security/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("organisation/", views.switch_organisation_view, name="switch_organisation"),
]
