from __future__ import annotations

from rest_framework import serializers

from gongzhi.privacy.models import Consent, PrivacyNotice, RevealLog


class ConsentSerializer(serializers.ModelSerializer):
    notice_version = serializers.CharField(source="notice.version", read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "subject_id", "purpose", "notice_version", "given_by", "granted_at", "withdrawn_at"]
        read_only_fields = fields


class RevealLogSerializer(serializers.ModelSerializer):
    subject_type = serializers.CharField(source="subject_type.model", read_only=True)

    class Meta:
        model = RevealLog
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_label",
            "subject_type",
            "subject_id",
            "subject_label",
            "field",
            "purpose",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrivacyNotice
        fields = ["id", "version", "title", "body", "published_at"]
        read_only_fields = ["id", "published_at"]
