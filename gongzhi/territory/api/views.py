"""Territory endpoints: areas (with children, move, deactivate, import), buildings, units, rooms.

Reads go through ``restrict(user, "view")`` (out of scope → 404); writes call actions
after the policy allows them (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.api.viewsets import ScopedModelViewSet
from gongzhi.territory import actions
from gongzhi.territory.api import filters, serializers
from gongzhi.territory.importers import import_areas
from gongzhi.territory.models import Area, Building, Room, Unit
from gongzhi.territory.permissions import AreaPolicy, BuildingPolicy, RoomPolicy, UnitPolicy
from gongzhi.territory.tabular import import_upload


class AreaViewSet(ScopedModelViewSet):
    """The area tree. ``?under=<id>`` lists a whole subtree (one indexed range scan)."""

    policy = AreaPolicy
    serializer_class = serializers.AreaSerializer
    output_serializer_class = serializers.AreaSerializer
    filterset_class = filters.AreaFilter
    lookup_value_regex = r"\d+"
    action_verbs = {"children": "view", "move": "move", "deactivate": "deactivate", "import_file": "import"}

    def base_queryset(self) -> QuerySet[Area]:
        return Area.objects.all()

    def get_serializer_class(self) -> Any:
        return {
            "create": serializers.AreaCreateSerializer,
            "update": serializers.AreaUpdateSerializer,
            "partial_update": serializers.AreaUpdateSerializer,
            "move": serializers.AreaMoveSerializer,
            "import_file": serializers.ImportUploadSerializer,
        }.get(self.action, serializers.AreaSerializer)

    def perform_action_create(self, serializer: Any) -> Area:
        data = dict(serializer.validated_data)
        parent = data.pop("parent", None)
        if not AreaPolicy.can_add_under(self.request.user, parent):
            raise PermissionDenied
        return actions.create_area(actor=self.request.user, parent=parent, **data)

    def perform_action_update(self, instance: Area, serializer: Any) -> Area:
        data = dict(serializer.validated_data)
        if (
            data.get("is_active") is False
            and instance.is_active
            and not AreaPolicy.can_deactivate(self.request.user, instance)
        ):
            raise PermissionDenied
        return actions.update_area(instance, actor=self.request.user, **data)

    @extend_schema(responses=serializers.AreaSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: Any = None) -> Response:
        area = self.get_object()
        queryset = self.filter_queryset(self.get_queryset().filter(parent=area))
        page = self.paginate_queryset(queryset)
        data = serializers.AreaSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: Any = None) -> Response:
        area = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new_parent = serializer.validated_data["parent"]
        if not AreaPolicy.can_move_to(request.user, area, new_parent):
            raise PermissionDenied
        return self.output(actions.move_area(area, actor=request.user, new_parent=new_parent))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: Any = None) -> Response:
        return self.output(actions.deactivate_area(self.get_object(), actor=request.user))

    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        """Upload a CSV/XLSX area tree (multipart ``file``); ``?dry_run=1`` validates only."""
        return import_upload(request, import_areas)


class BuildingViewSet(ScopedModelViewSet):
    policy = BuildingPolicy
    serializer_class = serializers.BuildingSerializer
    output_serializer_class = serializers.BuildingSerializer
    filterset_class = filters.BuildingFilter
    lookup_value_regex = r"\d+"

    def base_queryset(self) -> QuerySet[Building]:
        return Building.objects.select_related("grid")

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "update", "partial_update"):
            return serializers.BuildingWriteSerializer
        return serializers.BuildingSerializer

    def perform_action_create(self, serializer: Any) -> Building:
        data = dict(serializer.validated_data)
        grid = data.pop("grid")
        if not BuildingPolicy.can_add_in(self.request.user, grid):
            raise PermissionDenied
        return actions.create_building(grid, actor=self.request.user, **data)

    def perform_action_update(self, instance: Building, serializer: Any) -> Building:
        data = dict(serializer.validated_data)
        grid = data.get("grid")
        if (
            grid is not None
            and grid.pk != instance.grid_id
            and not BuildingPolicy.can_move_to(self.request.user, instance, grid)
        ):
            raise PermissionDenied
        return actions.update_building(instance, actor=self.request.user, **data)


class UnitViewSet(ScopedModelViewSet):
    policy = UnitPolicy
    serializer_class = serializers.UnitSerializer
    output_serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilter
    lookup_value_regex = r"\d+"

    def base_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.select_related("building")

    def get_serializer_class(self) -> Any:
        return {
            "create": serializers.UnitCreateSerializer,
            "update": serializers.UnitUpdateSerializer,
            "partial_update": serializers.UnitUpdateSerializer,
        }.get(self.action, serializers.UnitSerializer)

    def perform_action_create(self, serializer: Any) -> Unit:
        data = dict(serializer.validated_data)
        building = data.pop("building")
        if not UnitPolicy.can_add_in(self.request.user, building):
            raise PermissionDenied
        return actions.create_unit(building, actor=self.request.user, **data)

    def perform_action_update(self, instance: Unit, serializer: Any) -> Unit:
        return actions.update_unit(instance, actor=self.request.user, **serializer.validated_data)


class RoomViewSet(ScopedModelViewSet):
    policy = RoomPolicy
    serializer_class = serializers.RoomSerializer
    output_serializer_class = serializers.RoomSerializer
    filterset_class = filters.RoomFilter
    lookup_value_regex = r"\d+"

    def base_queryset(self) -> QuerySet[Room]:
        return Room.objects.select_related("unit__building")

    def get_serializer_class(self) -> Any:
        return {
            "create": serializers.RoomCreateSerializer,
            "update": serializers.RoomUpdateSerializer,
            "partial_update": serializers.RoomUpdateSerializer,
        }.get(self.action, serializers.RoomSerializer)

    def perform_action_create(self, serializer: Any) -> Room:
        data = dict(serializer.validated_data)
        unit = data.pop("unit")
        if not RoomPolicy.can_add_in(self.request.user, unit):
            raise PermissionDenied
        return actions.create_room(unit, actor=self.request.user, **data)

    def perform_action_update(self, instance: Room, serializer: Any) -> Room:
        return actions.update_room(instance, actor=self.request.user, **serializer.validated_data)
