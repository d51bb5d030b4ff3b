from rest_framework.routers import SimpleRouter

from gongzhi.participation.deliberation.api.views import (
    DebateViewSet,
    ModerationViewSet,
    ProcessViewSet,
    ProposalViewSet,
)

router = SimpleRouter()
router.register("participation/processes", ProcessViewSet, basename="participation-processes")
router.register("participation/proposals", ProposalViewSet, basename="participation-proposals")
router.register("participation/debates", DebateViewSet, basename="participation-debates")
router.register("participation/moderation", ModerationViewSet, basename="participation-moderation")

urlpatterns = router.urls
