from rest_framework.routers import SimpleRouter

from gongzhi.residents.api import views

router = SimpleRouter()
router.register("residents/households", views.HouseholdViewSet, basename="residents-household")
router.register("residents/people", views.ResidentViewSet, basename="residents-resident")
router.register("residents/tags", views.TagViewSet, basename="residents-tag")
router.register("residents/visits", views.VisitViewSet, basename="residents-visit")
router.register("residents/data-requests", views.DataRequestViewSet, basename="residents-datarequest")
router.register("residents/sharing-agreements", views.SharingAgreementViewSet, basename="residents-agreement")
router.register("residents/police-requests", views.PoliceRequestViewSet, basename="residents-policerequest")
router.register("residents/import-profiles", views.ImportProfileViewSet, basename="residents-importprofile")
router.register("residents/imports", views.ImportBatchViewSet, basename="residents-import")
router.register("residents/import-reviews", views.ImportReviewViewSet, basename="residents-importreview")

urlpatterns = router.urls
