"""Territory API shapes. They validate input and shape output; actions do the writing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Building, Room, Unit, code_validator


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be visible to the requesting user (else "does not exist")."""

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self.model = model
        self.filters = kwargs.pop("filters", {})
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        user = getattr(self.context.get("request"), "user", None)
        return self.model._default_manager.restrict(user, "view").filter(**self.filters)

    def use_pk_only_optimization(self) -> bool:
        return True


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "level",
            "parent",
            "path",
            "community_type",
            "centre_lat",
            "centre_lng",
            "boundary",
            "population",
            "address",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AreaCreateSerializer(serializers.ModelSerializer):
    parent = ScopedRelatedField(Area, allow_null=True, required=False)  # type: ignore[assignment]  # stubs: Field.parent

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "parent",
            "community_type",
            "centre_lat",
            "centre_lng",
            "boundary",
            "population",
            "address",
        ]
        # Uniqueness is the action's rule (409 code_taken), not a serializer check.
        extra_kwargs = {"code": {"validators": [code_validator]}}
        validators: list[Any] = []


class AreaUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = [
            "name",
            "community_type",
            "centre_lat",
            "centre_lng",
            "boundary",
            "population",
            "address",
            "is_active",
        ]
        validators: list[Any] = []


class AreaMoveSerializer(serializers.Serializer):
    parent = ScopedRelatedField(Area)  # type: ignore[assignment]  # stubs: Field.parent


class BuildingSerializer(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = Building
        fields = [
            "id",
            "grid",
            "grid_name",
            "area_path",
            "name",
            "address",
            "use",
            "floors",
            "built_year",
            "has_lift",
            "lat",
            "lng",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BuildingWriteSerializer(serializers.ModelSerializer):
    grid = ScopedRelatedField(Area, filters={"level": AreaLevel.GRID})

    class Meta:
        model = Building
        fields = ["grid", "name", "address", "use", "floors", "built_year", "has_lift", "lat", "lng"]
        validators: list[Any] = []


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "building", "number", "created_at", "updated_at"]
        read_only_fields = fields


class UnitCreateSerializer(serializers.ModelSerializer):
    building = ScopedRelatedField(Building)

    class Meta:
        model = Unit
        fields = ["building", "number"]
        validators: list[Any] = []


class UnitUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["number"]
        validators: list[Any] = []


class RoomSerializer(serializers.ModelSerializer):
    building = serializers.IntegerField(source="unit.building_id", read_only=True)

    class Meta:
        model = Room
        fields = ["id", "unit", "building", "number", "floor", "floor_area", "created_at", "updated_at"]
        read_only_fields = fields


class RoomCreateSerializer(serializers.ModelSerializer):
    unit = ScopedRelatedField(Unit)

    class Meta:
        model = Room
        fields = ["unit", "number", "floor", "floor_area"]
        validators: list[Any] = []


class RoomUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["number", "floor", "floor_area"]
        validators: list[Any] = []


@extend_schema_serializer(component_name="AreaImportUpload")
class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
