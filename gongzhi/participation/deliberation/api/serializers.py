"""Shapes and input validation of the deliberation API. Serializers never save. Public shapes
name no person: authors are "a resident", staff appear as their unit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from gongzhi.accounts.choices import AccountKind
from gongzhi.organisations.models import MatterCategory, Organisation
from gongzhi.participation.deliberation.choices import AnswerOutcome, Position, TargetKind, Template
from gongzhi.participation.deliberation.models import (
    Amendment,
    Comment,
    Debate,
    ModerationEntry,
    PhaseChange,
    Process,
    ProcessStep,
    Proposal,
    Report,
    SensitiveWord,
)
from gongzhi.participation.meetings.models import Meeting
from gongzhi.territory.models import Area, Building

HIDDEN = "[hidden]"


def _residents() -> Any:
    return get_user_model().objects.filter(kind=AccountKind.RESIDENT, is_active=True)


class ProcessStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessStep
        fields = ["id", "kind", "position", "done_at", "note"]


class ProcessPhaseChangeSerializer(serializers.ModelSerializer):
    from_phase = serializers.CharField(read_only=True)
    to_phase = serializers.CharField(read_only=True)

    class Meta:
        model = PhaseChange
        fields = ["from_phase", "to_phase", "actor_unit", "note", "created_at"]


class ProcessSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Process
        fields = [
            "id",
            "title",
            "area",
            "area_name",
            "building",
            "organisation",
            "template",
            "phase",
            "phase_changed_at",
            "support_threshold",
            "requires_verified",
            "created_at",
        ]


class ProcessDetailSerializer(ProcessSerializer):
    steps = ProcessStepSerializer(many=True, read_only=True)
    phase_changes = ProcessPhaseChangeSerializer(many=True, read_only=True)

    class Meta(ProcessSerializer.Meta):
        fields = [*ProcessSerializer.Meta.fields, "description", "steps", "phase_changes"]


class CreateProcessSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(is_active=True))
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True, default=None
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    template = serializers.ChoiceField(choices=Template.choices, default=Template.CUSTOM)
    support_threshold = serializers.IntegerField(min_value=1, max_value=1_000_000, default=20)
    requires_verified = serializers.BooleanField(default=False)


class ProcessNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ParticipationCommentSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "body",
            "position",
            "status",
            "is_hidden",
            "hidden_reason",
            "author_unit",
            "created_at",
        ]

    def get_body(self, obj: Comment) -> str:
        return HIDDEN if obj.is_hidden or obj.status == "removed" else obj.body

    def get_hidden_reason(self, obj: Comment) -> str:
        return obj.hidden_reason if obj.is_hidden or obj.status == "removed" else ""


class ProposalAmendmentSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField()

    class Meta:
        model = Amendment
        fields = ["id", "body", "status", "is_hidden", "hidden_reason", "decided_at", "decision_reason", "created_at"]

    def get_body(self, obj: Amendment) -> str:
        return HIDDEN if obj.is_hidden or obj.status == "removed" else obj.body


class ParticipationProposalSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    answer_outcome = serializers.CharField(read_only=True)
    proxy = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "process",
            "title",
            "status",
            "is_hidden",
            "hidden_reason",
            "support_count",
            "comment_count",
            "follower_count",
            "threshold_reached_at",
            "answer_outcome",
            "answered_at",
            "result",
            "work_order",
            "agenda_item",
            "merged_into",
            "proxy",
            "created_at",
        ]

    def get_title(self, obj: Proposal) -> str:
        return HIDDEN if obj.is_hidden else obj.title

    def get_proxy(self, obj: Proposal) -> bool:
        return obj.entered_by_id is not None


class ProposalDetailSerializer(ParticipationProposalSerializer):
    body = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    amendments = serializers.SerializerMethodField()

    class Meta(ParticipationProposalSerializer.Meta):
        fields = [
            *ParticipationProposalSerializer.Meta.fields,
            "body",
            "answer_text",
            "answer_unit",
            "comments",
            "amendments",
        ]

    def get_body(self, obj: Proposal) -> str:
        return HIDDEN if obj.is_hidden else obj.body

    def get_comments(self, obj: Proposal) -> list[dict[str, Any]]:
        return ParticipationCommentSerializer(getattr(obj, "visible_comments", []), many=True).data  # type: ignore[return-value]

    def get_amendments(self, obj: Proposal) -> list[dict[str, Any]]:
        return ProposalAmendmentSerializer(getattr(obj, "visible_amendments", []), many=True).data  # type: ignore[return-value]


class SubmitProposalSerializer(serializers.Serializer):
    process = serializers.PrimaryKeyRelatedField(queryset=Process.objects.all())
    title = serializers.CharField(max_length=150)
    body = serializers.CharField(max_length=6000)
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=_residents(), required=False, allow_null=True, default=None
    )


class ProxyEntrySerializer(serializers.Serializer):
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=_residents(), required=False, allow_null=True, default=None
    )


class ProposalAnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AnswerOutcome.choices)
    text = serializers.CharField(max_length=4000)
    merge_into = serializers.PrimaryKeyRelatedField(
        queryset=Proposal.objects.all(), required=False, allow_null=True, default=None
    )
    responsible_unit = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    category = serializers.PrimaryKeyRelatedField(
        queryset=MatterCategory.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), required=False, allow_null=True, default=None
    )


class ParticipationCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=3000)
    reply_to = serializers.PrimaryKeyRelatedField(
        queryset=Comment.objects.all(), required=False, allow_null=True, default=None
    )
    position = serializers.ChoiceField(choices=Position.choices, required=False, allow_blank=True, default="")
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=_residents(), required=False, allow_null=True, default=None
    )


class ProposalAmendmentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=3000)


class ProposalAmendmentDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DebateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Debate
        fields = [
            "id",
            "process",
            "title",
            "status",
            "for_count",
            "against_count",
            "comment_count",
            "closed_at",
            "created_at",
        ]


class DebateDetailSerializer(DebateSerializer):
    comments = serializers.SerializerMethodField()

    class Meta(DebateSerializer.Meta):
        fields = [*DebateSerializer.Meta.fields, "description", "conclusion", "comments"]

    def get_comments(self, obj: Debate) -> list[dict[str, Any]]:
        return ParticipationCommentSerializer(getattr(obj, "visible_comments", []), many=True).data  # type: ignore[return-value]


class OpenDebateSerializer(serializers.Serializer):
    process = serializers.PrimaryKeyRelatedField(queryset=Process.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=6000, required=False, allow_blank=True, default="")


class DebateConclusionSerializer(serializers.Serializer):
    conclusion = serializers.CharField(max_length=4000)


class ModerationTargetSerializer(serializers.Serializer):
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ParticipationReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "target_kind", "target_id", "reason", "status", "handled_at", "created_at"]


class HeldItemSerializer(serializers.Serializer):
    target_kind = serializers.CharField()
    target_id = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ModerationQueueSerializer(serializers.Serializer):
    held = HeldItemSerializer(many=True)
    reports = ParticipationReportSerializer(many=True)


class ModerationEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ModerationEntry
        fields = ["id", "action", "target_kind", "target_id", "reason", "matched", "created_at"]


class SensitiveWordSerializer(serializers.ModelSerializer):
    class Meta:
        model = SensitiveWord
        fields = ["id", "word", "is_active", "created_at"]


class SensitiveWordInputSerializer(serializers.Serializer):
    word = serializers.CharField(max_length=50)
