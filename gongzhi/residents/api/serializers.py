"""Shapes and validates; never saves (the views call actions)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongzhi.organisations.models import Organisation
from gongzhi.privacy.choices import ConsentGiver, ConsentPurpose
from gongzhi.privacy.masking import mask_name
from gongzhi.privacy.validators import validate_id_number, validate_phone
from gongzhi.residents import uploads
from gongzhi.residents.choices import (
    IMPORT_FIELDS,
    ContactPreference,
    Gender,
    ImportSource,
    Relation,
    RequestKind,
    ResidenceType,
    ReviewStatus,
    ShareableField,
    TagKind,
    VisitKind,
)
from gongzhi.residents.models import (
    DataSubjectRequest,
    Household,
    HouseholdMembership,
    ImportBatch,
    ImportProfile,
    ImportReview,
    PoliceRequest,
    ResidentTag,
    SharingAgreement,
    Visit,
)
from gongzhi.residents.queries import Viewer, present_resident
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Room


def _django(validator: Any, value: str) -> str:
    try:
        return validator(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages[0], code=exc.code) from None


@extend_schema_field(OpenApiTypes.INT)
class VisibleGridField(serializers.PrimaryKeyRelatedField):
    """A grid the user can see; others are 'does not exist' (400)."""

    def get_queryset(self) -> Any:
        return Area.objects.restrict(self.context["request"].user, "view").filter(level=AreaLevel.GRID)


@extend_schema_field(OpenApiTypes.INT)
class VisibleRoomField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        return Room.objects.restrict(self.context["request"].user, "view").select_related("unit__building")


class HouseholdSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Household
        fields = ["id", "grid", "room", "address", "number", "note", "is_active", "member_count", "created_at"]
        read_only_fields = fields


class HouseholdWriteSerializer(serializers.Serializer):
    grid = VisibleGridField()
    room = VisibleRoomField(required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HouseholdUpdateSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=200, required=False)
    number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ResidentOutSerializer(serializers.Serializer):
    """A resident as this viewer may see them (masked by role); the shape is built by present_resident."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        viewer = self.context.get("viewer") or Viewer.of(self.context["request"].user)
        data = present_resident(instance, viewer)
        tags = getattr(instance, "active_tags", None)
        if tags is not None:
            data["tags"] = [{"id": t.pk, "kind": t.kind, "grade": t.grade} for t in tags]
        return data


class ResidentFieldsMixin(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default=Gender.UNKNOWN)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    id_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    ethnicity = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    occupation = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    employer = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    contact_preference = serializers.ChoiceField(
        choices=ContactPreference.choices, required=False, default=ContactPreference.PHONE
    )

    def validate_id_number(self, value: str) -> str:
        return _django(validate_id_number, value) if value else ""

    def validate_phone(self, value: str) -> str:
        return _django(validate_phone, value) if value else ""


class ResidentCreateSerializer(ResidentFieldsMixin):
    grid = VisibleGridField()
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none(), required=False, allow_null=True)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False, default=Relation.HEAD)
    residence_type = serializers.ChoiceField(
        choices=ResidenceType.choices, required=False, default=ResidenceType.RESIDENT
    )
    moved_in_on = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.context["request"].user
        household: Any = self.fields["household"]
        household.queryset = Household.objects.restrict(user, "view").select_related("grid")


class ResidentUpdateSerializer(ResidentFieldsMixin):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "phone", "name"])
    purpose = serializers.CharField(max_length=300)


class MoveInSerializer(serializers.Serializer):
    resident = serializers.IntegerField()
    relation = serializers.ChoiceField(choices=Relation.choices, default=Relation.OTHER_RELATIVE)
    residence_type = serializers.ChoiceField(choices=ResidenceType.choices, default=ResidenceType.RESIDENT)
    moved_in_on = serializers.DateField(required=False, allow_null=True)


class MoveOutSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    moved_out_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMembership
        fields = ["id", "household", "resident", "relation", "residence_type", "moved_in_on", "moved_out_on"]
        read_only_fields = fields


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResidentTag
        fields = ["id", "resident", "kind", "grade", "note", "set_by", "created_at", "removed_at", "removed_by"]
        read_only_fields = fields


class TagWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TagKind.choices)
    grade = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ConsentWriteSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    given_by = serializers.ChoiceField(choices=ConsentGiver.choices, default=ConsentGiver.SELF)
    guardian_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    guardian_relation = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class HealthFileSerializer(serializers.Serializer):
    chronic_conditions = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    disability_details = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    care_needs = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    emergency_contacts = serializers.CharField(max_length=500, required=False, allow_blank=True)


class VisitSerializer(serializers.ModelSerializer):
    notes = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id", "household", "resident", "visitor", "visited_on", "kind", "notes",
            "follow_up", "follow_up_due", "follow_up_done_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_notes(self, obj: Visit) -> str:
        viewer = self.context.get("viewer") or Viewer.of(self.context["request"].user)
        return obj.notes if viewer.may_see_health(obj.area_path) else ""


class VisitWriteSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    resident = serializers.IntegerField(required=False, allow_null=True)
    visited_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.ROUTINE)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    follow_up_due = serializers.DateField(required=False, allow_null=True)


class DataRequestSerializer(serializers.ModelSerializer):
    resident_name = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = DataSubjectRequest
        fields = [
            "id", "resident", "resident_name", "kind", "status", "details", "created_at", "due_on", "overdue",
            "handled_at", "resolution", "refusal_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def get_resident_name(self, obj: DataSubjectRequest) -> str:
        viewer = self.context.get("viewer") or Viewer.of(self.context["request"].user)
        resident = obj.resident
        return resident.name if viewer.may_identify(resident) else mask_name(resident.name)


class DataRequestWriteSerializer(serializers.Serializer):
    resident = serializers.IntegerField(required=False, allow_null=True, help_text="omit for your own record")
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CompleteRequestSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RefuseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class LegalHoldSerializer(serializers.Serializer):
    hold = serializers.BooleanField()
    reason = serializers.CharField(max_length=300)


@extend_schema_field(OpenApiTypes.INT)
class VisibleAreaField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        return Area.objects.restrict(self.context["request"].user, "view")


class AgreementSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    areas = serializers.SerializerMethodField()
    valid_now = serializers.SerializerMethodField()

    class Meta:
        model = SharingAgreement
        fields = [
            "id", "organisation", "organisation_name", "purpose", "legal_basis", "fields", "areas",
            "valid_from", "valid_until", "status", "valid_now", "created_by", "approved_by", "approved_at",
            "revoked_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_areas(self, obj: SharingAgreement) -> list[int]:
        return sorted(a.pk for a in obj.areas.all())

    def get_valid_now(self, obj: SharingAgreement) -> bool:
        return obj.is_valid_on()


class AgreementWriteSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    purpose = serializers.CharField(max_length=300)
    legal_basis = serializers.CharField(max_length=300)
    fields = serializers.ListField(child=serializers.ChoiceField(choices=ShareableField.choices), min_length=1)  # type: ignore[assignment]
    areas = serializers.ListField(child=VisibleAreaField(), min_length=1)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["valid_until"] < attrs["valid_from"]:
            raise serializers.ValidationError({"valid_until": "The agreement ends before it starts."})
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PoliceRequestSerializer(serializers.ModelSerializer):
    approvals = serializers.SerializerMethodField()

    class Meta:
        model = PoliceRequest
        fields = [
            "id", "organisation", "resident", "document_number", "legal_basis", "purpose", "fields", "status",
            "approvals", "approved_at", "valid_until", "rejection_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_approvals(self, obj: PoliceRequest) -> int:
        return len(obj.approvals.all())


class PoliceRequestWriteSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=24)
    document_number = serializers.CharField(max_length=64)
    legal_basis = serializers.CharField(max_length=300)
    purpose = serializers.CharField(max_length=300)
    fields = serializers.ListField(child=serializers.ChoiceField(choices=ShareableField.choices), min_length=1)  # type: ignore[assignment]

    def validate_id_number(self, value: str) -> str:
        return _django(validate_id_number, value)


class ImportProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportProfile
        fields = ["id", "name", "source", "column_map", "priority", "created_at"]
        read_only_fields = fields


class ImportProfileWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    source = serializers.ChoiceField(choices=ImportSource.choices)  # type: ignore[assignment]
    column_map = serializers.DictField(child=serializers.CharField(max_length=100))
    priority = serializers.IntegerField(min_value=0, max_value=100, default=50)
    area = VisibleAreaField()

    def validate_column_map(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(IMPORT_FIELDS))
        if unknown:
            raise serializers.ValidationError(f"unknown register fields: {', '.join(unknown)}")
        if "name" not in value:
            raise serializers.ValidationError("map a column to name")
        return value


class ImportBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = [
            "id", "profile", "source", "file_name", "grid", "status", "dry_run", "rows_done", "rows_created",
            "rows_updated", "rows_review", "rows_error", "progress_done", "progress_total", "upload_sha256",
            "upload_size", "failure", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    profile = serializers.IntegerField()
    grid = VisibleGridField()
    dry_run = serializers.BooleanField(default=False)

    def validate_file(self, value: Any) -> Any:
        _django(uploads.check_upload, value)  # type, size limit, content
        return value


class ImportReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportReview
        fields = ["id", "batch", "row_number", "candidate", "score", "status"]
        read_only_fields = fields


class ResolveReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[c for c in ReviewStatus.choices if c[0] != ReviewStatus.PENDING])
