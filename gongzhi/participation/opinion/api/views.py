"""Opinion-map API: scoped conversations, statements, votes and moderation through actions,
and the public map (no login, no personal data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.access.queries import grants_with_permission
from gongzhi.api.viewsets import ScopedModelViewSet
from gongzhi.participation.opinion import actions, queries
from gongzhi.participation.opinion.api import serializers as s
from gongzhi.participation.opinion.models import Conversation, Statement
from gongzhi.participation.opinion.permissions import ConversationPolicy
from gongzhi.territory.models import Area


class ConversationViewSet(ScopedModelViewSet):
    policy = ConversationPolicy
    serializer_class = s.ConversationSerializer
    action_verbs = {
        "statements": "propose",
        "vote": "vote",
        "moderate": "moderate",
        "compute": "manage",
        "close": "manage",
    }
    http_method_names = ["get", "post", "head", "options"]
    output_serializer_class = s.ConversationSerializer

    def base_queryset(self) -> QuerySet[Conversation]:
        return Conversation.objects.order_by("-created_at", "-id")

    def get_serializer_class(self) -> type:
        return s.ConversationCreateSerializer if self.action == "create" else s.ConversationSerializer

    @extend_schema(request=s.ConversationCreateSerializer, responses={201: s.ConversationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_action_create(self, serializer: Any) -> Conversation:
        data = dict(serializer.validated_data)
        area = Area.objects.filter(pk=data.pop("area")).first()
        grants = grants_with_permission(self.request.user, "participation_opinion.add_conversation")
        if area is None or not any(area.path.startswith(g.area_path or "") for g in grants):
            raise PermissionDenied("The area is outside your grant.")
        return actions.start_conversation(area, actor=self.request.user, **data)

    def _statement(self, conversation: Conversation, pk: int) -> Statement:
        return get_object_or_404(Statement.objects.select_related("conversation"), pk=pk, conversation=conversation)

    @extend_schema(request=s.StatementInputSerializer, responses={201: s.StatementSerializer})
    @drf_action(detail=True, methods=["post"])
    def statements(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        serializer = s.StatementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = actions.submit_statement(conversation, text=serializer.validated_data["text"], actor=request.user)
        return Response(s.StatementSerializer(statement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.VoteInputSerializer, responses=s.VoteReceiptSerializer)
    @drf_action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        serializer = s.VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = self._statement(conversation, serializer.validated_data["statement"])
        vote = actions.cast_opinion_vote(statement, value=int(serializer.validated_data["value"]), actor=request.user)
        return Response(s.VoteReceiptSerializer(vote).data)

    @extend_schema(request=s.ModerateInputSerializer, responses=s.StatementSerializer)
    @drf_action(detail=True, methods=["post"])
    def moderate(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        serializer = s.ModerateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        statement = self._statement(conversation, data["statement"])
        statement = actions.moderate_statement(
            statement, publish=data["publish"], reason=data["reason"], actor=request.user
        )
        return Response(s.StatementSerializer(statement).data)

    @extend_schema(request=None, responses=s.MapSerializer)
    @drf_action(detail=True, methods=["post"])
    def compute(self, request: Request, pk: str) -> Response:
        return Response(s.MapSerializer(actions.compute_map(self.get_object(), actor=request.user)).data)

    @extend_schema(request=None, responses=s.ConversationSerializer)
    @drf_action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return Response(
            s.ConversationSerializer(actions.close_conversation(self.get_object(), actor=request.user)).data
        )


class PublicMapView(APIView):
    """The question, its published statements and the latest map: public, no personal data."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses=s.PublicMapSerializer)
    def get(self, request: Request, pk: int) -> Response:
        conversation = get_object_or_404(Conversation.objects.all(), pk=pk)
        payload = {
            "conversation": conversation,
            "statements": list(queries.list_published_statements(conversation)),
            "map": queries.get_latest_map(conversation),
        }
        return Response(s.PublicMapSerializer(payload).data)
