from rest_framework.routers import SimpleRouter

from gongzhi.audit.api.views import ChangeRecordViewSet

router = SimpleRouter()
router.register("audit/changes", ChangeRecordViewSet, basename="audit-change")

urlpatterns = router.urls
