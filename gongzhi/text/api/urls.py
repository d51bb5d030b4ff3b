from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.text.api import views

router = SimpleRouter()
router.register("text/hotspots", views.HotSpotViewSet, basename="text-hotspots")
router.register("text/alerts", views.TextAlertViewSet, basename="text-alerts")
router.register("text/models", views.TextModelViewSet, basename="text-models")

urlpatterns = [
    path("text/orders/<int:pk>/insight/", views.OrderInsightView.as_view(), name="text-order-insight"),
    path("text/orders/<int:pk>/analyse/", views.OrderAnalyseView.as_view(), name="text-order-analyse"),
    path("text/orders/<int:pk>/reply-check/", views.ReplyCheckView.as_view(), name="text-reply-check"),
    path("text/analyse/", views.AnalyseDraftView.as_view(), name="text-analyse"),
    path("text/redact/", views.RedactView.as_view(), name="text-redact"),
    *router.urls,
]
