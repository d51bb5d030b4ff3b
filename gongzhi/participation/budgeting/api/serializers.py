"""Budgeting API shapes. Serializers validate and shape; actions write."""

from __future__ import annotations

from rest_framework import serializers

from gongzhi.participation.budgeting.choices import BallotKind, CountingRule
from gongzhi.participation.budgeting.models import BudgetProcess, BudgetProject


class ProjectSerializer(serializers.ModelSerializer[BudgetProject]):
    class Meta:
        model = BudgetProject
        fields = [
            "id",
            "process",
            "title",
            "description",
            "status",
            "estimated_cost",
            "review_note",
            "votes",
            "voters",
            "funding_stage",
            "created_at",
        ]
        read_only_fields = fields


class BudgetProcessSerializer(serializers.ModelSerializer[BudgetProcess]):
    class Meta:
        model = BudgetProcess
        fields = [
            "id",
            "title",
            "description",
            "area",
            "budget",
            "ballot_kind",
            "max_choices",
            "points_per_voter",
            "counting_rule",
            "requires_verified",
            "phase",
            "ballots_cast",
            "counting",
            "tallied_at",
            "created_at",
        ]
        read_only_fields = ["id", "phase", "ballots_cast", "counting", "tallied_at", "created_at"]

    counting = serializers.SerializerMethodField()

    def get_counting(self, process: BudgetProcess) -> bool:
        """Voting is closed and the count is running in the background."""
        return process.phase == "voting" and process.counting_since is not None


class BudgetProcessCreateSerializer(serializers.Serializer[object]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    area = serializers.IntegerField()
    budget = serializers.IntegerField(min_value=0, max_value=10**12)
    ballot_kind = serializers.ChoiceField(choices=BallotKind.choices, default=BallotKind.APPROVAL)
    max_choices = serializers.IntegerField(min_value=1, max_value=50, default=3)
    points_per_voter = serializers.IntegerField(min_value=1, max_value=1000, default=10)
    counting_rule = serializers.ChoiceField(choices=CountingRule.choices, default=CountingRule.EQUAL_SHARES)
    requires_verified = serializers.BooleanField(required=False, default=False)


class ProposalSerializer(serializers.Serializer[object]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer[object]):
    feasible = serializers.BooleanField()
    estimated_cost = serializers.IntegerField(min_value=0, max_value=10**12, required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ChoiceSerializer(serializers.Serializer[object]):
    project = serializers.IntegerField()
    points = serializers.IntegerField(min_value=1, max_value=1000, default=1)


class BallotSerializer(serializers.Serializer[object]):
    choices = serializers.ListField(child=ChoiceSerializer(), min_length=0, max_length=200)
    voter = serializers.IntegerField(required=False, help_text="Resident's user id, for staff-assisted ballots.")

    def validate_choices(self, value: list[dict[str, int]]) -> list[dict[str, int]]:
        projects = [c["project"] for c in value]
        if len(set(projects)) != len(projects):
            raise serializers.ValidationError("Each project at most once.")
        return value


class BallotReceiptSerializer(serializers.Serializer[object]):
    id = serializers.IntegerField()
    process = serializers.IntegerField(source="process_id")
    assisted = serializers.SerializerMethodField()

    def get_assisted(self, ballot: object) -> bool:
        return getattr(ballot, "proxy_id", None) is not None


class FundedSerializer(serializers.Serializer[object]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    estimated_cost = serializers.IntegerField()
    votes = serializers.IntegerField()
    status = serializers.CharField()
    funding_stage = serializers.CharField()


class ResultsSerializer(serializers.Serializer[object]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    phase = serializers.CharField()
    counting_rule = serializers.CharField()
    budget = serializers.IntegerField()
    ballots_cast = serializers.IntegerField()
    tallied_at = serializers.DateTimeField(allow_null=True)
    projects = FundedSerializer(many=True)
