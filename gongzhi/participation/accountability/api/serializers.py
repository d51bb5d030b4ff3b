"""Shapes and input validation of the results API. Serializers never save. Nothing here
names a person: updates show the reporting unit."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from gongzhi.organisations.models import Organisation
from gongzhi.participation.accountability.models import Evidence, Milestone, Result, ResultUpdate
from gongzhi.territory.models import Area


class ResultListSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True, default="")
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "title",
            "status",
            "progress",
            "area",
            "area_name",
            "responsible_unit",
            "responsible_unit_name",
            "deadline",
            "is_overdue",
            "completed_at",
            "source_label",
            "source_url",
            "follower_count",
            "created_at",
        ]


class ResultMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "position", "done_at"]


class ResultUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultUpdate
        fields = ["id", "text", "progress", "status", "author_unit", "created_at"]


class ResultEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "caption", "original_name", "content_type", "size", "width", "height", "created_at", "url"]

    def get_url(self, obj: Evidence) -> str:
        return reverse("participation_accountability:evidence", args=[obj.result_id, obj.pk])


class ResultDetailSerializer(ResultListSerializer):
    milestones = ResultMilestoneSerializer(many=True, read_only=True)
    updates = ResultUpdateSerializer(many=True, read_only=True)
    evidence = ResultEvidenceSerializer(many=True, read_only=True)

    class Meta(ResultListSerializer.Meta):
        fields = [
            *ResultListSerializer.Meta.fields,
            "description",
            "cancel_reason",
            "milestones",
            "updates",
            "evidence",
        ]


class CreateResultSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(is_active=True))
    responsible_unit = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class ResultProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField(max_length=4000)
    reason_for_decrease = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResultCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ResultMilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class ResultEvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
