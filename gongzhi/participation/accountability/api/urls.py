from rest_framework.routers import SimpleRouter

from gongzhi.participation.accountability.api.views import ResultViewSet

router = SimpleRouter()
router.register("participation/results", ResultViewSet, basename="participation-results")

urlpatterns = router.urls
