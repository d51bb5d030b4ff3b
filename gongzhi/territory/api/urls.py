from rest_framework.routers import SimpleRouter

from gongzhi.territory.api import views

router = SimpleRouter()
router.register("territory/areas", views.AreaViewSet, basename="territory-area")
router.register("territory/buildings", views.BuildingViewSet, basename="territory-building")
router.register("territory/units", views.UnitViewSet, basename="territory-unit")
router.register("territory/rooms", views.RoomViewSet, basename="territory-room")

urlpatterns = router.urls
