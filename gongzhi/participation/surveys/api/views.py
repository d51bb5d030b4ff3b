"""The survey API. Reads are scoped; every write calls an action."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.api.viewsets import CreateActionMixin, ScopedViewSetMixin
from gongzhi.participation.surveys import actions, export, queries, tally
from gongzhi.participation.surveys.api import serializers as s
from gongzhi.participation.surveys.choices import Breakdown
from gongzhi.participation.surveys.models import Question, Survey
from gongzhi.participation.surveys.permissions import SurveyPolicy


class SurveyViewSet(  # type: ignore[misc]
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    policy = SurveyPolicy
    serializer_class = s.SurveySerializer
    output_serializer_class = s.SurveyDetailSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action_verbs = {
        "questions": "change",
        "open": "change",
        "close": "change",
        "remind": "change",
        "respond": "respond",
        "results": "results",
        "refresh_results": "results",
        "export": "export",
    }

    def get_queryset(self) -> QuerySet[Survey]:
        qs = queries.list_surveys(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("questions")
        status_filter = self.request.query_params.get("status")
        if status_filter:
            qs = qs.filter(status=status_filter)
        return qs

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.CreateSurveySerializer
        if self.action == "retrieve":
            return s.SurveyDetailSerializer
        return s.SurveySerializer

    def perform_action_create(self, serializer: Any) -> Survey:
        return actions.create_survey(actor=self.request.user, **serializer.validated_data)

    def _detail(self, survey: Survey, code: int = status.HTTP_200_OK) -> Response:
        fresh = Survey.objects.select_related("area").prefetch_related("questions").get(pk=survey.pk)
        return Response(s.SurveyDetailSerializer(fresh).data, status=code)

    @extend_schema(request=s.AddQuestionSerializer, responses=s.SurveyDetailSerializer)
    @route(detail=True, methods=["post"])
    def questions(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        serializer = s.AddQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        show_if = data.pop("show_if")
        condition = None
        if show_if is not None:
            condition = Question.objects.filter(survey=survey, pk=show_if).first()
            if condition is None:
                raise ValidationError({"show_if": ["Not a question of this survey."]})
        actions.add_question(survey, actor=request.user, show_if=condition, **data)
        return self._detail(survey, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.SurveyDetailSerializer)
    @route(detail=True, methods=["post"])
    def open(self, request: Request, pk: str) -> Response:
        return self._detail(actions.open_survey(self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=s.SurveyDetailSerializer)
    @route(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._detail(actions.close_survey(self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=s.RemindedSerializer)
    @route(detail=True, methods=["post"])
    def remind(self, request: Request, pk: str) -> Response:
        return Response({"pending": actions.remind_survey(self.get_object(), actor=request.user)})

    @extend_schema(request=s.RespondSerializer, responses=s.RespondedSerializer)
    @route(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        serializer = s.RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = dict(serializer.validated_data["answers"])
        for name, upload in request.FILES.items():
            answers[name] = upload
        updated = actions.submit_response(
            survey, actor=request.user, answers=answers, on_behalf_of=serializer.validated_data["on_behalf_of"]
        )
        return Response({"responses": updated.response_count}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("breakdown", str, enum=Breakdown.values, required=False)],
        responses=s.SurveyResultsSerializer,
    )
    @route(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        attribute = request.query_params.get("breakdown")
        if not attribute:
            return Response(tally.results(survey))
        if attribute not in Breakdown.values:
            raise ValidationError({"breakdown": [f"Use one of {', '.join(Breakdown.values)}."]})
        if survey.anonymous and survey.status != "closed":
            raise ValidationError({"breakdown": ["Breakdowns of an anonymous survey appear when it closes."]})
        cube = tally.cube(survey)
        data = dict(tally.results(survey, data=cube))
        data["breakdown"] = tally.breakdown(survey, attribute, data=cube)
        return Response(data)

    @extend_schema(request=None, responses=s.SurveyResultsSerializer)
    @route(detail=True, methods=["post"], url_path="refresh-results")
    def refresh_results(self, request: Request, pk: str) -> Response:
        survey = actions.refresh_live_results(self.get_object(), actor=request.user)
        return Response(tally.results(survey))

    @extend_schema(
        parameters=[OpenApiParameter("as", str, enum=["csv", "xlsx"], required=False)],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @route(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> HttpResponse:
        survey = self.get_object()
        kind = request.query_params.get("as", "csv")
        if kind == "xlsx":
            response = HttpResponse(
                export.as_xlsx(survey), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        elif kind == "csv":
            response = HttpResponse(export.as_csv(survey), content_type="text/csv; charset=utf-8")
        else:
            raise ValidationError({"as": ["Use csv or xlsx."]})
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.{kind}"'
        return response
