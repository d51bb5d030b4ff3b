from rest_framework.routers import SimpleRouter

from gongzhi.privacy.api import views

router = SimpleRouter()
router.register("privacy/consents", views.ConsentViewSet, basename="privacy-consent")
router.register("privacy/reveal-log", views.RevealLogViewSet, basename="privacy-reveallog")
router.register("privacy/notices", views.NoticeViewSet, basename="privacy-notice")

urlpatterns = router.urls
