from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.notifications.api.views import NotificationViewSet, PreferencesView

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notifications")

# Preferences first: "notifications/preferences/" would otherwise match the detail route.
urlpatterns = [
    path("notifications/preferences/", PreferencesView.as_view(), name="notification-preferences"),
    *router.urls,
]
