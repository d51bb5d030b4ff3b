"""Budgeting API: processes and projects (scoped), ballots and tallies through actions,
and public results (no login, no personal data)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
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
from gongzhi.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from gongzhi.participation.budgeting import actions, queries
from gongzhi.participation.budgeting.api import serializers as s
from gongzhi.participation.budgeting.models import BudgetProcess, BudgetProject
from gongzhi.participation.budgeting.permissions import BudgetProcessPolicy, BudgetProjectPolicy
from gongzhi.territory.models import Area


class ProcessViewSet(ScopedModelViewSet):
    policy = BudgetProcessPolicy
    serializer_class = s.BudgetProcessSerializer
    action_verbs = {"advance": "manage", "tally": "manage", "propose": "propose", "ballot": "ballot"}
    http_method_names = ["get", "post", "head", "options"]
    output_serializer_class = s.BudgetProcessSerializer

    def base_queryset(self) -> QuerySet[BudgetProcess]:
        return BudgetProcess.objects.order_by("-created_at", "-id")

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.BudgetProcessCreateSerializer
        return s.BudgetProcessSerializer

    @extend_schema(request=s.BudgetProcessCreateSerializer, responses={201: s.BudgetProcessSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_action_create(self, serializer: Any) -> BudgetProcess:
        data = dict(serializer.validated_data)
        area = Area.objects.filter(pk=data.pop("area")).first()
        grants = grants_with_permission(self.request.user, "participation_budgeting.add_budgetprocess")
        if area is None or not any(area.path.startswith(g.area_path or "") for g in grants):
            raise PermissionDenied("The area is outside your grant.")
        process = actions.create_process(area, actor=self.request.user, **data)
        return process

    @extend_schema(request=None, responses=s.BudgetProcessSerializer)
    @drf_action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str) -> Response:
        return Response(s.BudgetProcessSerializer(actions.advance_phase(self.get_object(), actor=request.user)).data)

    @extend_schema(request=None, responses={202: s.BudgetProcessSerializer})
    @drf_action(detail=True, methods=["post"])
    def tally(self, request: Request, pk: str) -> Response:
        """Close the voting; the ballots are counted in the background (``counting`` is true
        until the process reaches the results phase). Answers 202 Accepted."""
        process = actions.close_voting(self.get_object(), actor=request.user)
        process.refresh_from_db()
        return Response(s.BudgetProcessSerializer(process).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=s.ProposalSerializer, responses={201: s.ProjectSerializer})
    @drf_action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        serializer = s.ProposalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = actions.propose_project(process, actor=request.user, **serializer.validated_data)
        return Response(s.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.BallotSerializer, responses={201: s.BallotReceiptSerializer})
    @drf_action(detail=True, methods=["post"])
    def ballot(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        serializer = s.BallotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        voter_id = serializer.validated_data.get("voter")
        if voter_id is None or voter_id == request.user.pk:
            if not BudgetProcessPolicy.can_vote(request.user, process):
                raise PermissionDenied
            voter = request.user
        else:
            if not BudgetProcessPolicy.can_vote_on_behalf(request.user, process):
                raise PermissionDenied
            voter = get_object_or_404(get_user_model(), pk=voter_id)
        choices = {c["project"]: c["points"] for c in serializer.validated_data["choices"]}
        ballot = actions.cast_ballot(process, voter=voter, choices=choices, actor=request.user)
        return Response(s.BallotReceiptSerializer(ballot).data, status=status.HTTP_201_CREATED)


class ProjectViewSet(ScopedReadOnlyViewSet):
    policy = BudgetProjectPolicy
    serializer_class = s.ProjectSerializer
    action_verbs = {"review": "review"}

    def base_queryset(self) -> QuerySet[BudgetProject]:
        return BudgetProject.objects.order_by("process_id", "id")

    @extend_schema(request=s.ReviewSerializer, responses=s.ProjectSerializer)
    @drf_action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        serializer = s.ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = actions.review_project(
            project,
            feasible=data["feasible"],
            estimated_cost=data.get("estimated_cost"),
            note=data.get("note", ""),
            actor=request.user,
        )
        return Response(s.ProjectSerializer(project).data)


class PublicResultsView(APIView):
    """A process's projects, votes and funding: public, no login, no personal data."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses=s.ResultsSerializer)
    def get(self, request: Request, pk: int) -> Response:
        process = get_object_or_404(queries.list_public_processes(), pk=pk)
        data = {
            "id": process.pk,
            "title": process.title,
            "phase": process.phase,
            "counting_rule": process.counting_rule,
            "budget": process.budget,
            "ballots_cast": process.ballots_cast,
            "tallied_at": process.tallied_at,
            "projects": [
                {
                    "id": p.pk,
                    "title": p.title,
                    "estimated_cost": p.estimated_cost or 0,
                    "votes": p.votes,
                    "status": p.status,
                    "funding_stage": p.funding_stage,
                }
                for p in queries.list_public_projects(process)
            ],
        }
        return Response(s.ResultsSerializer(data).data)
