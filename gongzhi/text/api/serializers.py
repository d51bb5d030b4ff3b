"""Shapes of the text API. Validation only: writes go through ``gongzhi.text.actions``."""

from __future__ import annotations

from rest_framework import serializers

from gongzhi.text.models import HotSpot, OrderInsight, TextAlert, TextModel

MAX_TEXT = 100_000


class HotSpotSerializer(serializers.ModelSerializer[HotSpot]):
    members = serializers.SerializerMethodField()

    class Meta:
        model = HotSpot
        fields = [
            "id",
            "label",
            "place",
            "terms",
            "score",
            "size",
            "reporters",
            "attention",
            "first_at",
            "last_at",
            "trend",
            "members",
            "detected_at",
        ]

    def get_members(self, obj: HotSpot) -> list[int]:
        visible = self.context.get("visible_members", {})
        return sorted(visible.get(obj.pk, []))


class TextAlertSerializer(serializers.ModelSerializer[TextAlert]):
    class Meta:
        model = TextAlert
        fields = ["id", "kind", "state", "order", "hotspot", "summary", "cues", "created_at", "acknowledged_at"]


class TextModelSerializer(serializers.ModelSerializer[TextModel]):
    class Meta:
        model = TextModel
        fields = [
            "id",
            "version",
            "source",
            "trained_at",
            "n_train",
            "labels",
            "label_categories",
            "metrics",
            "size_bytes",
            "is_active",
        ]


class TrainFromCsvSerializer(serializers.Serializer[dict[str, object]]):
    file = serializers.FileField(help_text="UTF-8 CSV with the columns title, text and label.")

    def validate_file(self, value: object) -> object:
        if getattr(value, "size", 0) > 50 * 1024 * 1024:
            raise serializers.ValidationError("The file is larger than 50 MB.")
        return value


class OrderInsightSerializer(serializers.ModelSerializer[OrderInsight]):
    class Meta:
        model = OrderInsight
        fields = ["order", "model_version", "suggestions", "urgent", "cues", "duplicates", "auto_routed", "analysed_at"]


class AnalyseInputSerializer(serializers.Serializer[dict[str, object]]):
    title = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    text = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, trim_whitespace=False)
    area = serializers.IntegerField(min_value=1)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SuggestionSerializer(serializers.Serializer[dict[str, object]]):
    # The output key is "label"; DRF's Field also has a ``label`` attribute (the field's title).
    label = serializers.CharField()  # type: ignore[assignment]
    category = serializers.IntegerField(allow_null=True)
    category_name = serializers.CharField()
    confidence = serializers.FloatField()
    units = serializers.ListField(child=serializers.DictField())


class AnalyseOutputSerializer(serializers.Serializer[dict[str, object]]):
    model_version = serializers.IntegerField(allow_null=True)
    suggestions = SuggestionSerializer(many=True)
    urgent = serializers.BooleanField()
    cues = serializers.ListField(child=serializers.DictField())
    duplicates = serializers.ListField(child=serializers.DictField())
    redacted_text = serializers.CharField()


class ReplyCheckInputSerializer(serializers.Serializer[dict[str, object]]):
    text = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, trim_whitespace=False)


class ReplyCheckOutputSerializer(serializers.Serializer[dict[str, object]]):
    score = serializers.IntegerField()
    weak = serializers.BooleanField()
    relevance = serializers.FloatField()
    has_action = serializers.BooleanField()
    has_unit = serializers.BooleanField()
    has_time = serializers.BooleanField()
    has_basis = serializers.BooleanField()
    days_taken = serializers.FloatField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())


class RedactInputSerializer(serializers.Serializer[dict[str, object]]):
    text = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, trim_whitespace=False)


class RedactOutputSerializer(serializers.Serializer[dict[str, object]]):
    redacted = serializers.CharField()
    found = serializers.ListField(child=serializers.CharField())
