"""Organisation API shapes. They validate input and shape output; actions do the writing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation
from gongzhi.territory.models import Area


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be visible to the requesting user (else "does not exist")."""

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        user = getattr(self.context.get("request"), "user", None)
        return self.model._default_manager.restrict(user, "view")


class OrganisationSerializer(serializers.ModelSerializer):
    seat = serializers.IntegerField(source="home_area_id", read_only=True)
    seat_name = serializers.CharField(source="home_area.name", read_only=True)
    served_areas = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "code",
            "parent",
            "seat",
            "seat_name",
            "home_area_path",
            "served_areas",
            "contact_name",
            "contact_phone",
            "address",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_served_areas(self, org: Organisation) -> list[int]:
        # Uses the prefetched links (see the viewset), so the list costs one query.
        return sorted(link.area_id for link in org.served_areas.all())


class OrganisationCreateSerializer(serializers.ModelSerializer):
    seat = ScopedRelatedField(Area)
    parent = ScopedRelatedField(Organisation, allow_null=True, required=False)  # type: ignore[assignment]  # stubs: Field.parent

    class Meta:
        model = Organisation
        fields = ["kind", "name", "code", "parent", "seat", "contact_name", "contact_phone", "address"]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}
        validators: list[Any] = []


class OrganisationUpdateSerializer(serializers.ModelSerializer):
    seat = ScopedRelatedField(Area, required=False)
    parent = ScopedRelatedField(Organisation, allow_null=True, required=False)  # type: ignore[assignment]  # stubs: Field.parent

    class Meta:
        model = Organisation
        fields = ["kind", "name", "parent", "seat", "contact_name", "contact_phone", "address", "is_active"]
        validators: list[Any] = []


class ServedAreasSerializer(serializers.Serializer):
    areas = serializers.ListField(child=ScopedRelatedField(Area), max_length=500)


class MatterCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = MatterCategory
        fields = ["id", "code", "name", "name_en", "parent", "level", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class MatterCategoryCreateSerializer(serializers.ModelSerializer):
    parent = ScopedRelatedField(MatterCategory, allow_null=True, required=False)  # type: ignore[assignment]  # stubs: Field.parent

    class Meta:
        model = MatterCategory
        fields = ["code", "name", "name_en", "parent"]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}
        validators: list[Any] = []


class MatterCategoryUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MatterCategory
        fields = ["name", "name_en", "is_active"]
        validators: list[Any] = []


class DutyAssignmentSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = DutyAssignment
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "category",
            "category_code",
            "area",
            "area_code",
            "area_path",
            "duty_role",
            "basis",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DutyAssignmentCreateSerializer(serializers.ModelSerializer):
    organisation = ScopedRelatedField(Organisation)
    category = ScopedRelatedField(MatterCategory)
    area = ScopedRelatedField(Area)

    class Meta:
        model = DutyAssignment
        fields = ["organisation", "category", "area", "duty_role", "basis", "note"]
        validators: list[Any] = []


class DutyAssignmentUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyAssignment
        fields = ["duty_role", "basis", "note"]
        validators: list[Any] = []


class RouteQuerySerializer(serializers.Serializer):
    category = ScopedRelatedField(MatterCategory)
    area = ScopedRelatedField(Area)


class ProposalSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    organisation_kind = serializers.CharField(source="organisation.kind")
    duty_role = serializers.CharField()
    duty = serializers.IntegerField(source="pk")
    category = serializers.IntegerField(source="category_id")
    category_code = serializers.CharField(source="category.code")
    area = serializers.IntegerField(source="area_id")
    area_code = serializers.CharField(source="area.code")


@extend_schema_serializer(component_name="OrganisationImportUpload")
class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
