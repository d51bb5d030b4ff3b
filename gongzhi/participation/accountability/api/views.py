"""The results API. Reading is public (results are public information); every write calls
an action and is checked by :class:`ResultPolicy` (403 when the result is visible but the
verb is not allowed)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.api.permissions import verb_for
from gongzhi.api.viewsets import CreateActionMixin
from gongzhi.participation.accountability import actions, queries
from gongzhi.participation.accountability.api import serializers as s
from gongzhi.participation.accountability.models import Milestone, Result
from gongzhi.participation.accountability.permissions import ResultPolicy
from gongzhi.territory.models import Area


class ResultPermission(BasePermission):
    """Reads are open to everyone; writes need the verb (list level) and the policy (object)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        verb = verb_for(view)
        if verb is None:
            return False
        if verb == "view":
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "detail", False):
            return True
        return ResultPolicy.can(request.user, verb, None)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        verb = verb_for(view)
        return verb is not None and ResultPolicy.can(request.user, verb, obj)


class ResultViewSet(CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    policy = ResultPolicy
    permission_classes = [ResultPermission]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action_verbs = {
        "progress": "change",
        "cancel": "change",
        "milestones": "change",
        "complete_milestone": "change",
        "evidence": "attach",
        "follow": "follow",
        "unfollow": "follow",
        "overdue": "supervise",
    }

    def get_queryset(self) -> QuerySet[Result]:
        if self.action == "overdue":
            return queries.list_overdue_results(self.request.user)
        qs = queries.public_results()
        if self.action == "list":
            params = self.request.query_params
            if params.get("status"):
                qs = qs.filter(status=params["status"])
            if params.get("area", "").isdigit():
                area = get_object_or_404(Area, pk=params["area"])
                qs = qs.filter(area_path__startswith=area.path)
            if params.get("overdue") == "1":
                qs = qs.filter(queries.overdue_q())
        elif self.action == "retrieve":
            qs = queries.with_history(qs)
        return qs

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.CreateResultSerializer
        if self.action == "retrieve":
            return s.ResultDetailSerializer
        return s.ResultListSerializer

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.with_history(queries.public_results()).get(pk=instance.pk)
        return Response(s.ResultDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    def perform_action_create(self, serializer: Any) -> Result:
        return actions.create_result(actor=self.request.user, **serializer.validated_data)

    def _input(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=s.ResultProgressSerializer, responses=s.ResultDetailSerializer)
    @route(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str) -> Response:
        result = self.get_object()
        actions.report_progress(result, actor=request.user, **self._input(s.ResultProgressSerializer))
        return self.output(result)

    @extend_schema(request=s.ResultCancelSerializer, responses=s.ResultDetailSerializer)
    @route(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        result = self.get_object()
        actions.cancel_result(result, actor=request.user, **self._input(s.ResultCancelSerializer))
        return self.output(result)

    @extend_schema(request=s.ResultMilestoneInputSerializer, responses={201: s.ResultMilestoneSerializer})
    @route(detail=True, methods=["post"])
    def milestones(self, request: Request, pk: str) -> Response:
        result = self.get_object()
        milestone = actions.add_milestone(result, actor=request.user, **self._input(s.ResultMilestoneInputSerializer))
        return Response(s.ResultMilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ResultMilestoneSerializer)
    @route(detail=True, methods=["post"], url_path=r"milestones/(?P<milestone_id>\d+)/complete")
    def complete_milestone(self, request: Request, pk: str, milestone_id: str) -> Response:
        result = self.get_object()
        milestone = get_object_or_404(Milestone, pk=milestone_id, result=result)
        milestone = actions.complete_milestone(milestone, actor=request.user)
        return Response(s.ResultMilestoneSerializer(milestone).data)

    @extend_schema(request=s.ResultEvidenceUploadSerializer, responses={201: s.ResultEvidenceSerializer})
    @route(detail=True, methods=["post"])
    def evidence(self, request: Request, pk: str) -> Response:
        result = self.get_object()
        data = self._input(s.ResultEvidenceUploadSerializer)
        evidence = actions.attach_evidence(result, actor=request.user, upload=data["file"], caption=data["caption"])
        return Response(s.ResultEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ResultDetailSerializer)
    @route(detail=True, methods=["post"])
    def follow(self, request: Request, pk: str) -> Response:
        result = self.get_object()
        actions.follow_result(result, actor=request.user)
        return self.output(result)

    @extend_schema(request=None, responses=s.ResultDetailSerializer)
    @route(detail=True, methods=["post"])
    def unfollow(self, request: Request, pk: str) -> Response:
        result = self.get_object()
        actions.unfollow_result(result, actor=request.user)
        return self.output(result)

    @extend_schema(responses=s.ResultListSerializer(many=True))
    @route(detail=False, methods=["get"])
    def overdue(self, request: Request) -> Response:
        """Overdue results in the supervisor's scope (deadline passed, not completed or cancelled)."""
        page = self.paginate_queryset(self.get_queryset())
        data = s.ResultListSerializer(page, many=True).data
        return self.get_paginated_response(data)
