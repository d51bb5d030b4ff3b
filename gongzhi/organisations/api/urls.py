from rest_framework.routers import SimpleRouter

from gongzhi.organisations.api import views

router = SimpleRouter()
router.register("organisations/organisations", views.OrganisationViewSet, basename="organisations-organisation")
router.register("organisations/categories", views.MatterCategoryViewSet, basename="organisations-category")
router.register("organisations/duties", views.DutyAssignmentViewSet, basename="organisations-duty")
router.register("organisations/route", views.RouteViewSet, basename="organisations-route")

urlpatterns = router.urls
