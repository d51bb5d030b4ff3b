from rest_framework.routers import SimpleRouter

from gongzhi.participation.surveys.api.views import SurveyViewSet

router = SimpleRouter()
router.register("participation/surveys", SurveyViewSet, basename="participation-surveys")

urlpatterns = router.urls
