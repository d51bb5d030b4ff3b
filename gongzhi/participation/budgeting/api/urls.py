from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.participation.budgeting.api.views import ProcessViewSet, ProjectViewSet, PublicResultsView

router = SimpleRouter()
router.register("participation/budgeting/processes", ProcessViewSet, basename="pb-processes")
router.register("participation/budgeting/projects", ProjectViewSet, basename="pb-projects")

urlpatterns = [
    path(
        "participation/budgeting/processes/<int:pk>/results/",
        PublicResultsView.as_view(),
        name="pb-process-results",
    ),
    *router.urls,
]
