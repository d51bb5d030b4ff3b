"""Shapes and input validation of the work-order API. Serializers never save."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from gongzhi.api.serializers import BuiltFieldsCacheMixin
from gongzhi.organisations.models import MatterCategory, Organisation
from gongzhi.territory.models import Area, Building, Room, Unit
from gongzhi.work_orders.choices import Channel, OrderType, Satisfaction, SupervisionLevel, Urgency
from gongzhi.work_orders.models import Assignment, Attachment, Rating, WorkOrder, WorkOrderEvent


class WorkOrderListSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True, default="")
    lead_organisation_name = serializers.CharField(source="lead_organisation.name", read_only=True, default="")

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "title",
            "order_type",
            "status",
            "urgency",
            "channel",
            "area",
            "area_name",
            "category",
            "category_name",
            "lead_organisation",
            "lead_organisation_name",
            "supervision_level",
            "on_hold",
            "review_pending",
            "submitted_at",
            "sign_due",
            "reply_due",
        ]


class EventSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    class Meta:
        model = WorkOrderEvent
        fields = ["id", "kind", "created_at", "actor_label", "organisation", "from_status", "to_status", "note", "data"]


class AssignmentSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["organisation", "role", "assigned_at", "ended_at", "end_reason"]


class AttachmentSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "width",
            "height",
            "kept_location",
            "is_public",
            "created_at",
        ]


class RatingSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["round", "satisfaction", "resolved", "comment", "created_at"]


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    timeline = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta(WorkOrderListSerializer.Meta):
        fields = [
            *WorkOrderListSerializer.Meta.fields,
            "description",
            "building",
            "unit",
            "room",
            "address",
            "lat",
            "lng",
            "contact_name",
            "contact_phone",
            "is_public",
            "is_anonymous",
            "master",
            "reject_reason",
            "reply_text",
            "follow_up_resolved",
            "extension_status",
            "extension_days",
            "extension_count",
            "return_count",
            "transfer_count",
            "reopen_count",
            "contact_due",
            "follow_up_due",
            "rating_due",
            "accepted_at",
            "rejected_at",
            "dispatched_at",
            "signed_at",
            "returned_at",
            "first_contact_at",
            "started_at",
            "replied_at",
            "followed_up_at",
            "rated_at",
            "closed_at",
            "reopened_at",
            "merged_at",
            "timeline",
            "assignments",
            "attachments",
            "ratings",
        ]

    def get_timeline(self, order: WorkOrder) -> list[dict]:
        # The resident sees the public steps; staff see internal ones too.
        staff = self.context.get("staff_view", True)
        events = [e for e in order.events.all() if staff or e.is_public]
        data = EventSerializer(events, many=True).data
        if order.hides_submitter_from(self._viewer()):
            # Anonymous: the submitter's own steps (submit, rate, photos) carry no name.
            for event, row in zip(events, data, strict=True):
                if event.actor_id is not None and event.actor_id == order.submitter_id:
                    row["actor_label"] = ""
        return data  # type: ignore[return-value]

    def _viewer(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def to_representation(self, instance: WorkOrder) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["contact_name"], data["contact_phone"] = instance.contact_for(self._viewer())
        return data


class CreateSerializer(BuiltFieldsCacheMixin, serializers.Serializer):
    order_type = serializers.ChoiceField(choices=OrderType.choices)
    category = serializers.PrimaryKeyRelatedField(
        queryset=MatterCategory.objects.all(), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    channel = serializers.ChoiceField(choices=[c for c in Channel.choices if c[0] not in ("open311", "internal")])
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.defer("boundary"))  # not needed to file
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    lng = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000)
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(kind="resident"), required=False, allow_null=True
    )
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    contact_phone = serializers.RegexField(r"^\+?[0-9 -]{5,20}$", required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(default=False)
    is_anonymous = serializers.BooleanField(default=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AcceptSerializer(NoteSerializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=MatterCategory.objects.all(), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, allow_null=True)


class DispatchSerializer(NoteSerializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    assist = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False, default=list
    )


class BulkDispatchSerializer(NoteSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)
    to = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())


class TransferSerializer(ReasonSerializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class FollowUpSerializer(NoteSerializer):
    resolved = serializers.BooleanField()


class MergeSerializer(NoteSerializer):
    master = serializers.IntegerField(min_value=1)


class ExtensionRequestSerializer(ReasonSerializer):
    days = serializers.IntegerField(min_value=1, max_value=365)


class DecisionSerializer(NoteSerializer):
    approve = serializers.BooleanField()


class ReviewSerializer(NoteSerializer):
    uphold = serializers.BooleanField()


class SuperviseSerializer(NoteSerializer):
    level = serializers.ChoiceField(choices=[c for c in SupervisionLevel.choices if c[0] > 0])


class HoldSerializer(serializers.Serializer):
    on_hold = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RateSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    resolved = serializers.BooleanField()
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PublishSerializer(serializers.Serializer):
    is_public = serializers.BooleanField()


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    keep_location = serializers.BooleanField(default=False)
