"""The meetings API. Reads are scoped; every write calls an action."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.api.viewsets import CreateActionMixin, ScopedReadOnlyViewSet, ScopedViewSetMixin
from gongzhi.participation.meetings import actions, roll, signin
from gongzhi.participation.meetings.api import serializers as s
from gongzhi.participation.meetings.models import AgendaItem, Meeting, Owner, OwnersVote, Resolution
from gongzhi.participation.meetings.permissions import MeetingPolicy, OwnerPolicy, OwnersVotePolicy, ResolutionPolicy
from gongzhi.territory.models import Area
from gongzhi.territory.tabular import import_upload


class MeetingViewSet(  # type: ignore[misc]
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    policy = MeetingPolicy
    serializer_class = s.MeetingSerializer
    output_serializer_class = s.MeetingDetailSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action_verbs = {
        "agenda": "change",
        "invite": "change",
        "start": "change",
        "attendance": "change",
        "close": "change",
        "attachments": "change",
        "resolutions": "change",
        "qr": "change",
        "check_in": "attend",
    }

    def base_queryset(self) -> QuerySet[Meeting]:
        qs = Meeting.objects.select_related("area")
        if self.action == "retrieve":
            qs = qs.prefetch_related("agenda", "resolutions")
        return qs

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.CreateMeetingSerializer
        if self.action == "retrieve":
            return s.MeetingDetailSerializer
        return s.MeetingSerializer

    def perform_action_create(self, serializer: Any) -> Meeting:
        return actions.create_meeting(actor=self.request.user, **serializer.validated_data)

    def _detail(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.base_queryset().prefetch_related("agenda", "resolutions").get(pk=meeting.pk)
        return Response(s.MeetingDetailSerializer(fresh).data, status=code)

    def _data(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=s.AgendaSerializer, responses=s.MeetingDetailSerializer)
    @route(detail=True, methods=["post"])
    def agenda(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        actions.add_agenda_item(meeting, actor=request.user, **self._data(s.AgendaSerializer))
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=s.InviteSerializer, responses=s.MeetingDetailSerializer)
    @route(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        actions.invite(meeting, actor=request.user, **self._data(s.InviteSerializer))
        return self._detail(meeting)

    @extend_schema(request=None, responses=s.MeetingDetailSerializer)
    @route(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        return self._detail(actions.start_meeting(self.get_object(), actor=request.user))

    @extend_schema(request=s.CheckInSerializer, responses=s.MeetingDetailSerializer)
    @route(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        actions.check_in(meeting, actor=request.user, **self._data(s.CheckInSerializer))
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=s.AttendanceSerializer, responses=s.MeetingDetailSerializer)
    @route(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        actions.record_attendance(meeting, actor=request.user, **self._data(s.AttendanceSerializer))
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=s.CloseMeetingSerializer, responses=s.MeetingDetailSerializer)
    @route(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._detail(
            actions.close_meeting(self.get_object(), actor=request.user, **self._data(s.CloseMeetingSerializer))
        )

    @extend_schema(request=s.AttachmentSerializer, responses=s.MeetingDetailSerializer)
    @route(detail=True, methods=["post"])
    def attachments(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        actions.add_attachment(meeting, actor=request.user, **self._data(s.AttachmentSerializer))
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=s.ProposeSerializer, responses=s.ResolutionSerializer)
    @route(detail=True, methods=["post"])
    def resolutions(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = self._data(s.ProposeSerializer)
        item_id = data.pop("agenda_item")
        item = None
        if item_id is not None:
            item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
            if item is None:
                raise ValidationError({"agenda_item": ["Not an item of this meeting."]})
        resolution = actions.propose_resolution(meeting, actor=request.user, agenda_item=item, **data)
        return Response(s.ResolutionSerializer(resolution).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.BINARY})
    @route(detail=True, methods=["get"])
    def qr(self, request: Request, pk: str) -> HttpResponse:
        meeting = self.get_object()
        from django.urls import reverse

        url = request.build_absolute_uri(
            reverse("participation_meetings:check_in", args=[meeting.pk, signin.make_token(meeting.pk)])
        )
        return HttpResponse(signin.qr_svg(url), content_type="image/svg+xml")


class ResolutionViewSet(ScopedReadOnlyViewSet):
    policy = ResolutionPolicy
    serializer_class = s.ResolutionSerializer
    action_verbs = {"open_vote": "change", "vote": "vote", "enter_vote": "change", "decide": "change"}

    def base_queryset(self) -> QuerySet[Resolution]:
        return Resolution.objects.all()

    def _out(self, resolution: Resolution, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.ResolutionSerializer(Resolution.objects.get(pk=resolution.pk)).data, status=code)

    def _data(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=None, responses=s.ResolutionSerializer)
    @route(detail=True, methods=["post"], url_path="open-vote")
    def open_vote(self, request: Request, pk: str) -> Response:
        return self._out(actions.open_resolution_vote(self.get_object(), actor=request.user))

    @extend_schema(request=s.VoteSerializer, responses=s.ResolutionSerializer)
    @route(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str) -> Response:
        resolution = self.get_object()
        actions.cast_resolution_vote(resolution, actor=request.user, **self._data(s.VoteSerializer))
        return self._out(resolution, status.HTTP_201_CREATED)

    @extend_schema(request=s.EnterVoteSerializer, responses=s.ResolutionSerializer)
    @route(detail=True, methods=["post"], url_path="enter-vote")
    def enter_vote(self, request: Request, pk: str) -> Response:
        resolution = self.get_object()
        actions.enter_resolution_vote(resolution, actor=request.user, **self._data(s.EnterVoteSerializer))
        return self._out(resolution, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ResolutionSerializer)
    @route(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        return self._out(actions.decide_resolution(self.get_object(), actor=request.user))


class OwnerViewSet(  # type: ignore[misc]
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    policy = OwnerPolicy
    serializer_class = s.OwnerSerializer
    action_verbs = {"transfer": "change", "import_file": "add"}

    def base_queryset(self) -> QuerySet[Owner]:
        return Owner.objects.prefetch_related("ownerships")

    def get_serializer_class(self) -> type:
        return s.RegisterOwnerSerializer if self.action == "create" else s.OwnerSerializer

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(s.OwnerSerializer(self.base_queryset().get(pk=instance.pk)).data, status=status_code)

    def perform_action_create(self, serializer: Any) -> Owner:
        return actions.register_owner(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=s.TransferRoomsSerializer, responses=s.OwnerSerializer)
    @route(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        """Move rooms from this owner's record to another owner on the roll or a new one."""
        data = s.TransferRoomsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.output(actions.transfer_rooms(self.get_object(), actor=request.user, **data.validated_data))

    @extend_schema(request={"multipart/form-data": OpenApiTypes.OBJECT}, responses=OpenApiTypes.OBJECT)
    @route(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        """Upload an estate's owners' roll (multipart ``file`` + ``estate`` id); ``?dry_run=1``
        validates only. Bad rows come back as a 400 listing row, column and reason."""
        estate_id = request.data.get("estate") if isinstance(request.data, dict) else None
        estate = Area.objects.restrict(request.user, "view").filter(pk=estate_id or 0).first()
        if estate is None:
            raise ValidationError({"estate": [gettext("Choose an estate area you can see.")]})
        return import_upload(request, functools.partial(roll.import_owner_roll, estate=estate))


class OwnersVoteViewSet(  # type: ignore[misc]
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    policy = OwnersVotePolicy
    serializer_class = s.OwnersVoteSerializer
    output_serializer_class = s.OwnersVoteSerializer
    action_verbs = {"open": "change", "close": "change", "cast": "cast", "enter": "enter"}

    def base_queryset(self) -> QuerySet[OwnersVote]:
        return OwnersVote.objects.all()

    def get_serializer_class(self) -> type:
        return s.CreateOwnersVoteSerializer if self.action == "create" else s.OwnersVoteSerializer

    def perform_action_create(self, serializer: Any) -> OwnersVote:
        return actions.create_owners_vote(actor=self.request.user, **serializer.validated_data)

    def _out(self, vote: OwnersVote, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.OwnersVoteSerializer(OwnersVote.objects.get(pk=vote.pk)).data, status=code)

    def _data(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=None, responses=s.OwnersVoteSerializer)
    @route(detail=True, methods=["post"])
    def open(self, request: Request, pk: str) -> Response:
        return self._out(actions.open_owners_vote(self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=s.OwnersVoteSerializer)
    @route(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._out(actions.close_owners_vote(self.get_object(), actor=request.user))

    @extend_schema(request=s.VoteSerializer, responses=s.BallotCastSerializer)
    @route(detail=True, methods=["post"])
    def cast(self, request: Request, pk: str) -> Response:
        vote = self.get_object()
        actions.cast_owner_ballot(vote, actor=request.user, **self._data(s.VoteSerializer))
        return Response({"ballots": vote.ballots.count()}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EnterBallotSerializer, responses=s.BallotCastSerializer)
    @route(detail=True, methods=["post"])
    def enter(self, request: Request, pk: str) -> Response:
        vote = self.get_object()
        data = self._data(s.EnterBallotSerializer)
        if data["owner"].estate_id != vote.estate_id:
            raise ValidationError({"owner": ["Not on this estate's roll."]})
        actions.enter_owner_ballot(vote, actor=request.user, **data)
        return Response({"ballots": vote.ballots.count()}, status=status.HTTP_201_CREATED)
