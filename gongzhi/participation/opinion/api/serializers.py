"""Opinion-map API shapes. Serializers validate and shape; actions write."""

from __future__ import annotations

from rest_framework import serializers

from gongzhi.participation.opinion.models import Conversation, OpinionMapSnapshot, Statement


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    class Meta:
        model = Conversation
        fields = ["id", "question", "description", "area", "is_open", "created_at"]
        read_only_fields = ["id", "is_open", "created_at"]


class ConversationCreateSerializer(serializers.Serializer[object]):
    question = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    area = serializers.IntegerField()


class StatementSerializer(serializers.ModelSerializer[Statement]):
    class Meta:
        model = Statement
        fields = ["id", "conversation", "text", "status", "moderation_reason", "created_at"]
        read_only_fields = fields


class StatementInputSerializer(serializers.Serializer[object]):
    text = serializers.CharField(max_length=280)


class VoteInputSerializer(serializers.Serializer[object]):
    statement = serializers.IntegerField()
    value = serializers.ChoiceField(choices=[1, 0, -1])


class VoteReceiptSerializer(serializers.Serializer[object]):
    statement = serializers.IntegerField(source="statement_id")
    value = serializers.IntegerField()


class ModerateInputSerializer(serializers.Serializer[object]):
    statement = serializers.IntegerField()
    publish = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MapSerializer(serializers.ModelSerializer[OpinionMapSnapshot]):
    class Meta:
        model = OpinionMapSnapshot
        fields = ["id", "conversation", "computed_at", "participants", "votes", "groups", "silhouette", "data"]
        read_only_fields = fields


class PublicMapSerializer(serializers.Serializer[object]):
    conversation = ConversationSerializer()
    statements = StatementSerializer(many=True)
    map = MapSerializer(allow_null=True)
