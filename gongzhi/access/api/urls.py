from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gongzhi.access.api.views import RoleCatalogueViewSet, RoleGrantViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("access/grants", RoleGrantViewSet, basename="access-grant")
router.register("access/roles", RoleCatalogueViewSet, basename="access-role")

urlpatterns = [path("", include(router.urls))]
