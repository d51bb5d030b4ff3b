"""The text API: hot spots, alerts, model versions, order insights, the intake analysis of a
draft message, reply checks and redaction. Every write calls an action."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.api.viewsets import CreateActionMixin, ScopedReadOnlyViewSet, ScopedViewSetMixin
from gongzhi.territory.models import Area
from gongzhi.text import actions, queries, training
from gongzhi.text.api import serializers as s
from gongzhi.text.engine.redact import find_personal_data, redact
from gongzhi.text.engine.reply import check_reply
from gongzhi.text.models import HotSpot, OrderInsight, TextAlert, TextModel
from gongzhi.text.permissions import (
    HotSpotPolicy,
    OrderInsightPolicy,
    ReplyCheckPolicy,
    TextAlertPolicy,
    TextModelPolicy,
)
from gongzhi.work_orders.models import WorkOrder


class HotSpotViewSet(ScopedReadOnlyViewSet):
    """Current hot spots in the viewer's areas, highest score first; members are the orders the
    viewer may see."""

    policy = HotSpotPolicy
    serializer_class = s.HotSpotSerializer

    def base_queryset(self) -> Any:
        return HotSpot.objects.filter(is_current=True)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["visible_members"] = self._visible_members()
        return context

    def _visible_members(self) -> dict[int, list[int]]:
        if getattr(self, "_members_cache", None) is None:
            through = HotSpot.members.through
            visible = WorkOrder.objects.restrict(self.request.user, "view").values("pk")
            rows = through.objects.filter(workorder_id__in=visible).values_list("hotspot_id", "workorder_id")
            members: dict[int, list[int]] = {}
            for hotspot_id, order_id in rows:
                members.setdefault(hotspot_id, []).append(order_id)
            self._members_cache = members
        return self._members_cache


class TextAlertViewSet(ScopedReadOnlyViewSet):
    policy = TextAlertPolicy
    serializer_class = s.TextAlertSerializer
    action_verbs = {"acknowledge": "acknowledge"}

    def base_queryset(self) -> Any:
        qs = TextAlert.objects.all()
        state = self.request.query_params.get("state")
        if state in ("open", "acknowledged"):
            qs = qs.filter(state=state)
        return qs

    @extend_schema(request=None, responses=s.TextAlertSerializer)
    @route(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alert = self.get_object()
        alert = actions.acknowledge_alert(alert, actor=request.user)
        return Response(s.TextAlertSerializer(alert).data)


class TextModelViewSet(  # type: ignore[misc]  # the same mixin/base typing clash as gongzhi.api.viewsets
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Classifier versions with their evaluation reports; POST a labelled CSV to train one."""

    policy = TextModelPolicy
    serializer_class = s.TextModelSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    action_verbs = {"activate": "change"}

    def base_queryset(self) -> Any:
        return TextModel.objects.defer("data")

    def get_serializer_class(self) -> Any:
        return s.TrainFromCsvSerializer if self.action == "create" else s.TextModelSerializer

    @extend_schema(request=s.TrainFromCsvSerializer, responses={201: s.TextModelSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    output_serializer_class = s.TextModelSerializer

    def perform_action_create(self, serializer: Any) -> TextModel:
        return training.train_from_csv(serializer.validated_data["file"], actor=self.request.user)

    @extend_schema(request=None, responses=s.TextModelSerializer)
    @route(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        model = actions.activate_text_model(self.get_object(), actor=request.user)
        return Response(s.TextModelSerializer(model).data)


def _access_order(user: Any, pk: int) -> WorkOrder:
    order = WorkOrder.objects.restrict(user, "view").select_related("area").filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


class OrderInsightView(APIView):
    """What the text engine read in an order (the order must be visible: else 404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.OrderInsightSerializer)
    def get(self, request: Request, pk: int) -> Response:
        order = _access_order(request.user, pk)
        if not OrderInsightPolicy.may_view_for(request.user, order):
            raise PermissionDenied()
        insight = OrderInsight.objects.filter(order=order).first()
        if insight is None:
            raise Http404
        return Response(s.OrderInsightSerializer(insight).data)


class OrderAnalyseView(APIView):
    """Analyse (again) an order now: suggestions, urgency, duplicates."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=s.OrderInsightSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = _access_order(request.user, pk)
        if not OrderInsightPolicy.may_view_for(request.user, order):
            raise PermissionDenied()
        insight = actions.analyse_order(order, actor=request.user)
        return Response(s.OrderInsightSerializer(insight).data)


class ReplyCheckView(APIView):
    """Score a draft reply to an order before it is sent (nothing is stored)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.ReplyCheckInputSerializer, responses=s.ReplyCheckOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = _access_order(request.user, pk)
        if not ReplyCheckPolicy.may_check(request.user, order):
            raise PermissionDenied()
        data = s.ReplyCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = check_reply(
            order.title,
            order.description,
            data.validated_data["text"],
            asked_at=order.dispatched_at or order.submitted_at,
            replied_at=timezone.now(),
        )
        return Response(check.as_dict())


class AnalyseDraftView(APIView):
    """Read a message before it is filed (intake screens): suggestions with units, urgency
    cues, duplicate candidates among the orders the user may see, and the redacted text."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.AnalyseInputSerializer, responses=s.AnalyseOutputSerializer)
    def post(self, request: Request) -> Response:
        data = s.AnalyseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = Area.objects.filter(pk=v["area"]).first()
        if area is None:
            raise Http404
        grants = _grants(request.user, "text.view_orderinsight")
        if not grants:
            raise PermissionDenied()
        if not any(area.path.startswith(g.area_path or "") for g in grants):
            raise Http404
        version, suggestions = queries.suggest_for(v["title"], v["text"], area)
        cues = queries.urgency_cues(v["title"], v["text"])
        duplicates = queries.duplicate_candidates(
            title=v["title"],
            text=v["text"],
            area_path=area.path,
            lat=v.get("lat"),
            lng=v.get("lng"),
            address=v.get("address", ""),
            queryset=WorkOrder.objects.restrict(request.user, "view"),
        )
        body: dict[str, object] = {
            "model_version": version,
            "suggestions": suggestions,
            "urgent": bool(cues),
            "cues": cues,
            "duplicates": duplicates,
            "redacted_text": redact(v["text"]),
        }
        return Response(s.AnalyseOutputSerializer(body).data)


def _grants(user: Any, perm: str) -> list[Any]:
    from gongzhi.access.queries import grants_with_permission

    return grants_with_permission(user, perm)


class RedactView(APIView):
    """Mask personal data in a text (what public pages show)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.RedactInputSerializer, responses=s.RedactOutputSerializer)
    def post(self, request: Request) -> Response:
        data = s.RedactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text = data.validated_data["text"]
        found = sorted({p.kind.value for p in find_personal_data(text)})
        return Response({"redacted": redact(text), "found": found}, status=status.HTTP_200_OK)
