from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gongzhi.audit.models import ChangeRecord


def _type_label(content_type: Any) -> str | None:
    return f"{content_type.app_label}.{content_type.model}" if content_type is not None else None


class ChangeRecordSerializer(serializers.ModelSerializer):
    """A change record as the audit administrator reads it (read-only)."""

    actor_username = serializers.SerializerMethodField()
    target_type = serializers.SerializerMethodField()
    related_type = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRecord
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_username",
            "actor_label",
            "source",
            "request_id",
            "verb",
            "target_type",
            "target_id",
            "target_repr",
            "related_type",
            "related_id",
            "before",
            "after",
            "ip",
            "user_agent",
        ]
        read_only_fields = fields

    def get_actor_username(self, record: ChangeRecord) -> str | None:
        return record.actor.username if record.actor is not None else None

    def get_target_type(self, record: ChangeRecord) -> str:
        return _type_label(record.target_type) or ""

    def get_related_type(self, record: ChangeRecord) -> str | None:
        return _type_label(record.related_type)
