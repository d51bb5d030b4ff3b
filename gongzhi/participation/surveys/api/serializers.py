"""Shapes of the survey API (validation only: writes go through actions)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from gongzhi.participation.surveys.choices import QuestionKind, ResponseUnit
from gongzhi.participation.surveys.models import Question, Survey
from gongzhi.territory.models import Area


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = [
            "id",
            "position",
            "kind",
            "text",
            "help_text",
            "required",
            "options",
            "rows",
            "max_choices",
            "scale_min",
            "scale_max",
            "show_if",
            "show_if_options",
        ]


class SurveySerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "description",
            "area",
            "area_name",
            "status",
            "anonymous",
            "unit",
            "requires_verified",
            "target_tags",
            "target_min_age",
            "target_max_age",
            "target_roles",
            "opens_at",
            "closes_at",
            "results_public",
            "min_group_size",
            "response_count",
        ]


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]


class CreateSurveySerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=True)
    unit = serializers.ChoiceField(choices=ResponseUnit.choices, required=False, default=ResponseUnit.RESIDENT)
    requires_verified = serializers.BooleanField(required=False, default=False)
    target_tags = serializers.ListField(
        child=serializers.CharField(max_length=24), required=False, default=list, max_length=20
    )
    target_min_age = serializers.IntegerField(min_value=0, max_value=150, required=False, allow_null=True, default=None)
    target_max_age = serializers.IntegerField(min_value=0, max_value=150, required=False, allow_null=True, default=None)
    target_roles = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list, max_length=20
    )
    opens_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    results_public = serializers.BooleanField(required=False, default=True)
    min_group_size = serializers.IntegerField(min_value=2, max_value=100, required=False, default=5)


class AddQuestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=300)
    help_text = serializers.CharField(  # type: ignore[assignment]
        max_length=300, required=False, allow_blank=True, default=""
    )
    required = serializers.BooleanField(required=False, default=True)  # type: ignore[assignment]
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
    rows = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
    max_choices = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    scale_min = serializers.IntegerField(min_value=-100, max_value=100, required=False, default=1)
    scale_max = serializers.IntegerField(min_value=-100, max_value=100, required=False, default=5)
    show_if = serializers.IntegerField(required=False, allow_null=True, default=None)
    show_if_options = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, default=list)


class RespondSerializer(serializers.Serializer):
    """``answers`` maps question id → answer (an option index, a list of them, a scale value,
    a ``{row: option}`` mapping or text). In multipart requests it is a JSON string and
    files come as ``q<question id>`` parts."""

    answers = serializers.JSONField()
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True, default=None
    )

    def validate_answers(self, value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError("Not JSON.") from None
        if not isinstance(value, dict) or len(value) > 200:
            raise serializers.ValidationError("A mapping of question ids to answers is expected.")
        return value


class RespondedSerializer(serializers.Serializer):
    responses = serializers.IntegerField()


class SurveyResultsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    questions = serializers.ListField(child=serializers.DictField())
    breakdown = serializers.DictField(required=False)


class RemindedSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
