from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.participation.opinion.api.views import ConversationViewSet, PublicMapView

router = SimpleRouter()
router.register("participation/opinion/conversations", ConversationViewSet, basename="op-conversations")

urlpatterns = [
    path("participation/opinion/conversations/<int:pk>/map/", PublicMapView.as_view(), name="op-conversation-map"),
    *router.urls,
]
