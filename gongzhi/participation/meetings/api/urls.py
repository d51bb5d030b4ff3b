from rest_framework.routers import SimpleRouter

from gongzhi.participation.meetings.api import views

router = SimpleRouter()
router.register("participation/meetings", views.MeetingViewSet, basename="participation-meetings")
router.register("participation/resolutions", views.ResolutionViewSet, basename="participation-resolutions")
router.register("participation/owners", views.OwnerViewSet, basename="participation-owners")
router.register("participation/owners-votes", views.OwnersVoteViewSet, basename="participation-owners-votes")

urlpatterns = router.urls
