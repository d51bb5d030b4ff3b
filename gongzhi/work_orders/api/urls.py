from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.work_orders.api.board_views import BoardDetailView, BoardFollowView, BoardListView, SimilarView
from gongzhi.work_orders.api.kpi_views import KpiDashboardView, KpiView
from gongzhi.work_orders.api.views import WorkOrderViewSet

router = SimpleRouter()
router.register("work-orders", WorkOrderViewSet, basename="work-orders")

# KPI and board routes come first: "work-orders/kpis/" would otherwise match the detail route.
urlpatterns = [
    path("work-orders/kpis/", KpiView.as_view(), name="work-order-kpis"),
    path("work-orders/kpis/dashboard/", KpiDashboardView.as_view(), name="work-order-kpi-dashboard"),
    path("work-orders/board/", BoardListView.as_view(), name="work-order-board"),
    path("work-orders/board/<int:pk>/", BoardDetailView.as_view(), name="work-order-board-detail"),
    path("work-orders/board/<int:pk>/follow/", BoardFollowView.as_view(), name="work-order-board-follow"),
    path("work-orders/similar/", SimilarView.as_view(), name="work-order-similar"),
    *router.urls,
]
