from rest_framework.routers import SimpleRouter

from gongzhi.work_orders.api.views import WorkOrderViewSet

router = SimpleRouter()
router.register("work-orders", WorkOrderViewSet, basename="work-orders")

urlpatterns = router.urls
