from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gongzhi.accounts.api.views import MeView, PhoneCodeView, PhoneLoginView, UserViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("accounts/users", UserViewSet, basename="accounts-user")

urlpatterns = [
    path("accounts/me/", MeView.as_view(), name="accounts-me"),
    path("accounts/phone-code/", PhoneCodeView.as_view(), name="accounts-phone-code"),
    path("accounts/phone-login/", PhoneLoginView.as_view(), name="accounts-phone-login"),
    path("", include(router.urls)),
]
