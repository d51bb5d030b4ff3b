"""Shapes of the meetings API (validation only: writes go through actions)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from gongzhi.participation.meetings.choices import (
    AttendanceMethod,
    MeetingKind,
    OwnersMatter,
    VoteChoice,
    VoteMethod,
)
from gongzhi.participation.meetings.models import AgendaItem, Meeting, Owner, OwnersVote, Resolution
from gongzhi.territory.models import Area, Room

USERS = get_user_model().objects.filter(is_active=True)


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title", "description"]


class ResolutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resolution
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "title",
            "text",
            "status",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "present",
            "decided_at",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "area",
            "area_name",
            "starts_at",
            "location",
            "quorum",
            "attendance_count",
            "is_offline_record",
            "status",
            "minutes",
            "minutes_published_at",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    agenda = AgendaItemSerializer(many=True, read_only=True)
    resolutions = ResolutionSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda", "resolutions"]


class CreateMeetingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    title = serializers.CharField(max_length=120)
    starts_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quorum = serializers.IntegerField(min_value=1, max_value=100000, required=False, default=1)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    is_offline_record = serializers.BooleanField(required=False, default=False)


class AgendaSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class InviteSerializer(serializers.Serializer):
    users = serializers.PrimaryKeyRelatedField(queryset=USERS, many=True)


class CheckInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class AttendanceSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=USERS)
    method = serializers.ChoiceField(
        choices=[AttendanceMethod.STAFF, AttendanceMethod.PAPER], required=False, default="staff"
    )
    proxy_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class CloseMeetingSerializer(serializers.Serializer):
    minutes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")


class AttachmentSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    file = serializers.FileField()


class ProposeSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    agenda_item = serializers.IntegerField(required=False, allow_null=True, default=None)


class VoteSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class EnterVoteSerializer(VoteSerializer):
    voter = serializers.PrimaryKeyRelatedField(queryset=USERS)
    method = serializers.ChoiceField(
        choices=[VoteMethod.PAPER, VoteMethod.WRITTEN, VoteMethod.PROXY], required=False, default="paper"
    )


class OwnerSerializer(serializers.ModelSerializer):
    masked_name = serializers.CharField(source="__str__", read_only=True)
    rooms = serializers.SerializerMethodField()

    class Meta:
        model = Owner
        fields = ["id", "estate", "masked_name", "user", "is_active", "rooms"]

    def get_rooms(self, owner: Owner) -> list[int]:
        return [o.room_id for o in owner.ownerships.all()]


class RegisterOwnerSerializer(serializers.Serializer):
    estate = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    name = serializers.CharField(max_length=64)
    rooms = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), many=True)
    evidence = serializers.CharField(max_length=200)
    user = serializers.PrimaryKeyRelatedField(queryset=USERS, required=False, allow_null=True, default=None)


class TransferRoomsSerializer(serializers.Serializer):
    rooms = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), many=True)
    evidence = serializers.CharField(max_length=200)
    to_owner = serializers.PrimaryKeyRelatedField(
        queryset=Owner.objects.all(), required=False, allow_null=True, default=None
    )
    name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    user = serializers.PrimaryKeyRelatedField(queryset=USERS, required=False, allow_null=True, default=None)


class OwnersVoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = OwnersVote
        fields = [
            "id",
            "estate",
            "meeting",
            "title",
            "text",
            "matter",
            "status",
            "total_area",
            "total_owners",
            "participating_area",
            "participating_owners",
            "for_area",
            "for_owners",
            "against_area",
            "against_owners",
            "participation_met",
            "majority_met",
            "opened_at",
            "closed_at",
        ]


class CreateOwnersVoteSerializer(serializers.Serializer):
    estate = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    title = serializers.CharField(max_length=200)
    matter = serializers.ChoiceField(choices=OwnersMatter.choices)
    text = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")


class EnterBallotSerializer(VoteSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Owner.objects.all())
    method = serializers.ChoiceField(choices=[VoteMethod.PAPER, VoteMethod.WRITTEN, VoteMethod.PROXY])
    evidence = serializers.CharField(max_length=200)
    proxy_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class BallotCastSerializer(serializers.Serializer):
    ballots = serializers.IntegerField()
