"""Shapes of the notifications API. Serializers validate and shape; actions write."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gongzhi.notifications.choices import Mode
from gongzhi.notifications.models import Notification
from gongzhi.notifications.registry import kind_label


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    kind_label = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "url", "urgent", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_kind_label(self, obj: Notification) -> str:
        return str(kind_label(obj.kind))


class UnreadCountSerializer(serializers.Serializer[Any]):
    unread = serializers.IntegerField()


class ReadAllSerializer(serializers.Serializer[Any]):
    marked_read = serializers.IntegerField()


class GroupChoiceSerializer(serializers.Serializer[Any]):
    group = serializers.CharField(max_length=64)
    name = serializers.CharField(read_only=True)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    in_app = serializers.BooleanField(required=False)
    sms = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class PreferencesSerializer(serializers.Serializer[Any]):
    """GET returns every configurable group; PUT/PATCH takes the groups to change and the quiet
    hours (``null`` for both: none; with PATCH, leave them out to keep them)."""

    groups = GroupChoiceSerializer(many=True, required=False)
    quiet_start = serializers.TimeField(allow_null=True, required=False)
    quiet_end = serializers.TimeField(allow_null=True, required=False)

    def validate_groups(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = [row["group"] for row in value]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError("Each group may appear once.")
        return value
