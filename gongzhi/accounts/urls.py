from django.contrib.auth import views as auth_views
from django.urls import path

from gongzhi.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("password/", views.password_change, name="password_change"),
    path("phone/", views.phone_start, name="phone"),
    path("phone/verify/", views.phone_verify, name="phone_verify"),
]
