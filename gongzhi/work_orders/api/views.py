"""The work-order API: list with inbox filters, detail with timeline, one POST per step,
attachments, bulk dispatch and CSV export. Every write calls an action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.api.pagination import CappedCountPagination
from gongzhi.api.permissions import PolicyPermission, verb_for
from gongzhi.api.viewsets import CreateActionMixin, ScopedViewSetMixin
from gongzhi.work_orders import actions, export, queries
from gongzhi.work_orders.api import serializers as s
from gongzhi.work_orders.attachments import download_response
from gongzhi.work_orders.models import Attachment, WorkOrder, WorkOrderEvent
from gongzhi.work_orders.permissions import WorkOrderPolicy


class WorkOrderPermission(PolicyPermission):
    """Relationship checks only (scope, role, lead unit, submitter): the action itself
    refuses steps the state does not allow, with the ``illegal_transition`` code."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        verb = verb_for(view)
        if verb is None:
            return False
        if getattr(view, "detail", False):
            return True
        if verb == "view":
            # Listing needs a role here: staff with "view", or a resident (who files orders).
            return bool(
                grants_with_permission(request.user, permission_name(WorkOrder, "view"))
                or grants_with_permission(request.user, permission_name(WorkOrder, "add"))
            )
        return WorkOrderPolicy.may(request.user, verb, None)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        verb = verb_for(view)
        if verb == "view":
            return True  # found through restrict(user, "view")
        return verb is not None and WorkOrderPolicy.may(request.user, verb, obj)


#: What ``WorkOrderListSerializer`` reads (``number`` is the id and ``submitted_at``).
LIST_COLUMNS = (
    *(f for f in s.WorkOrderListSerializer.Meta.fields if not f.endswith("_name") and f != "number"),
    "area__name",
    "category__name",
    "lead_organisation__name",
)


def _timeline_prefetch() -> Prefetch:
    return Prefetch("events", queryset=WorkOrderEvent.objects.order_by("created_at", "id"))


class WorkOrderViewSet(
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    policy = WorkOrderPolicy
    permission_classes = [WorkOrderPermission]
    pagination_class = CappedCountPagination
    serializer_class = s.WorkOrderListSerializer
    output_serializer_class = s.WorkOrderDetailSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action_verbs = {
        "accept": "accept",
        "reject": "reject",
        "dispatch_": "dispatch",
        "bulk_dispatch": "dispatch",
        "sign": "sign",
        "return_": "return",
        "contact": "contact",
        "start": "start",
        "reply": "reply",
        "follow_up": "follow_up",
        "close": "close",
        "reopen": "reopen",
        "merge": "merge",
        "transfer": "transfer",
        "request_extension": "request_extension",
        "decide_extension": "decide_extension",
        "supervise": "supervise",
        "hold": "hold",
        "rate": "rate",
        "review": "review",
        "attachments": "attach",
        "attachment_file": "view",
        "publish_attachment": "publish",
        "export": "export",
    }

    def base_queryset(self) -> QuerySet[WorkOrder]:
        if self.action == "list":
            # Only the columns the list body shows: an order row has 69 columns (text,
            # eighteen timestamps) and its area a boundary; a page of 50 read whole was most
            # of the list's Python time (row building and timestamp parsing).
            return WorkOrder.objects.select_related("area", "category", "lead_organisation").only(*LIST_COLUMNS)
        if self.action in ("export", "bulk_dispatch"):
            return WorkOrder.objects.select_related("area", "category", "lead_organisation")
        return self.detail_queryset()

    def detail_queryset(self) -> QuerySet[WorkOrder]:
        return WorkOrder.objects.select_related("area", "category", "lead_organisation").prefetch_related(
            _timeline_prefetch(), "assignments", "attachments", "ratings"
        )

    def get_queryset(self) -> QuerySet[WorkOrder]:
        qs = super().get_queryset()
        if self.action in ("list", "export"):
            inbox = self.request.query_params.get("inbox")
            if inbox:
                if inbox not in queries.INBOXES:
                    from rest_framework.exceptions import ValidationError

                    raise ValidationError({"inbox": [f"Unknown inbox; use one of {', '.join(queries.INBOXES)}."]})
                qs = qs.filter(queries.inbox_q(inbox))
            for param in ("status", "order_type", "urgency", "lead_organisation", "category"):
                value = self.request.query_params.get(param)
                if value:
                    qs = qs.filter(**{param: value})
            if self.request.query_params.get("mine") == "1":
                qs = qs.filter(submitter_id=self.request.user.pk)
        return qs

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.CreateSerializer
        if self.action == "retrieve":
            return s.WorkOrderDetailSerializer
        return s.WorkOrderListSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        user = self.request.user
        context["staff_view"] = bool(grants_with_permission(user, permission_name(WorkOrder, "view")))
        return context

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.detail_queryset().get(pk=instance.pk)
        context = self.get_serializer_context()
        return Response(s.WorkOrderDetailSerializer(fresh, context=context).data, status=status_code)

    def perform_action_create(self, serializer: Any) -> WorkOrder:
        data = dict(serializer.validated_data)
        return actions.submit_work_order(actor=self.request.user, **data)

    def output_created(self, order: WorkOrder) -> Response:
        """The 201 body from the order the action returned, not re-read: its area and
        category are the objects the input named, a new order has no assignments,
        attachments or ratings yet, and its timeline is the one event the action wrote
        (``submit_event``; read only if absent). The detail read-back (order + four
        prefetches) was the largest piece of a create."""
        submit_event = getattr(order, "submit_event", None)
        if submit_event is None:
            prefetch_related_objects([order], _timeline_prefetch())
        else:
            order._prefetched_objects_cache = {"events": [submit_event]}  # type: ignore[attr-defined]
        order._prefetched_objects_cache.update(assignments=[], attachments=[], ratings=[])  # type: ignore[attr-defined]
        context = self.get_serializer_context()
        return Response(s.WorkOrderDetailSerializer(order, context=context).data, status=status.HTTP_201_CREATED)

    # --- steps ------------------------------------------------------------------------------

    def _run(self, serializer_class: type, call: Callable[[WorkOrder, dict[str, Any]], Any]) -> Response:
        order = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        call(order, dict(serializer.validated_data))
        return self.output(order)

    @route(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._run(s.AcceptSerializer, lambda o, d: actions.accept_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._run(s.ReasonSerializer, lambda o, d: actions.reject_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_(self, request: Request, pk: str) -> Response:
        return self._run(s.DispatchSerializer, lambda o, d: actions.dispatch_work_order(o, actor=request.user, **d))

    @route(detail=False, methods=["post"], url_path="bulk-dispatch")
    def bulk_dispatch(self, request: Request) -> Response:
        serializer = s.BulkDispatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = set(serializer.validated_data["ids"])
        orders = list(WorkOrder.objects.restrict(request.user, "dispatch").filter(pk__in=ids))
        if len(orders) != len(ids):
            raise Http404
        done = actions.bulk_dispatch_work_orders(
            orders, to=serializer.validated_data["to"], actor=request.user, note=serializer.validated_data["note"]
        )
        return Response({"dispatched": [o.pk for o in done]})

    @route(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        return self._run(s.NoteSerializer, lambda o, d: actions.sign_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        return self._run(s.ReasonSerializer, lambda o, d: actions.return_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def contact(self, request: Request, pk: str) -> Response:
        return self._run(s.NoteSerializer, lambda o, d: actions.record_first_contact(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        return self._run(s.NoteSerializer, lambda o, d: actions.start_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str) -> Response:
        return self._run(s.ReplySerializer, lambda o, d: actions.reply_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: str) -> Response:
        return self._run(s.FollowUpSerializer, lambda o, d: actions.follow_up_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._run(s.NoteSerializer, lambda o, d: actions.close_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._run(s.ReasonSerializer, lambda o, d: actions.reopen_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        def call(order: WorkOrder, data: dict[str, Any]) -> Any:
            master = WorkOrder.objects.restrict(request.user, "view").filter(pk=data["master"]).first()
            if master is None:
                raise Http404
            return actions.merge_work_order(order, master=master, actor=request.user, note=data["note"])

        return self._run(s.MergeSerializer, call)

    @route(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        return self._run(s.TransferSerializer, lambda o, d: actions.transfer_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request: Request, pk: str) -> Response:
        return self._run(
            s.ExtensionRequestSerializer, lambda o, d: actions.request_extension(o, actor=request.user, **d)
        )

    @route(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request: Request, pk: str) -> Response:
        return self._run(s.DecisionSerializer, lambda o, d: actions.decide_extension(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def supervise(self, request: Request, pk: str) -> Response:
        return self._run(s.SuperviseSerializer, lambda o, d: actions.supervise_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str) -> Response:
        return self._run(s.HoldSerializer, lambda o, d: actions.set_on_hold(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str) -> Response:
        return self._run(s.RateSerializer, lambda o, d: actions.rate_work_order(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        return self._run(s.ReviewSerializer, lambda o, d: actions.review_dissatisfaction(o, actor=request.user, **d))

    @route(detail=True, methods=["post"])
    def attachments(self, request: Request, pk: str) -> Response:
        order = self.get_object()
        serializer = s.AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = actions.add_attachment(
            order,
            actor=request.user,
            upload=serializer.validated_data["file"],
            keep_location=serializer.validated_data["keep_location"],
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    def _attachment(self, attachment_pk: str) -> Attachment:
        order = self.get_object()  # in view scope (404), then the verb's policy (403)
        item = Attachment.objects.filter(order=order, pk=attachment_pk).first()
        if item is None:
            raise Http404
        return item

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @route(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)")
    def attachment_file(self, request: Request, pk: str, attachment_pk: str) -> FileResponse:
        """The file (re-encoded on upload) with its checked type; residents: their own orders."""
        return download_response(self._attachment(attachment_pk))

    @extend_schema(request=s.PublishSerializer, responses=s.AttachmentSerializer)
    @route(detail=True, methods=["post"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)/publish")
    def publish_attachment(self, request: Request, pk: str, attachment_pk: str) -> Response:
        """Show (``{"is_public": true}``) or hide an attachment on the public board."""
        item = self._attachment(attachment_pk)
        serializer = s.PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = actions.set_attachment_public(item, actor=request.user, is_public=serializer.validated_data["is_public"])
        return Response(s.AttachmentSerializer(item).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("export_format", str, enum=list(export.FORMATS), description="csv (default) or xlsx")
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @route(detail=False, methods=["get"], url_path="export")
    def export(self, request: Request) -> StreamingHttpResponse | FileResponse:
        """The list with the same filters, every timestamp in local time, as CSV or XLSX
        (``?export_format=xlsx``), streamed; the export itself is audited."""
        export_format = request.query_params.get("export_format") or "csv"
        if export_format not in export.FORMATS:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"export_format": ["Use csv or xlsx."]})
        qs = self.get_queryset().filter(pk__in=WorkOrder.objects.restrict(request.user, "export").values("pk"))
        filters = {k: v for k, v in request.query_params.items() if k != "export_format"}
        actions.record_export(request.user, actor=request.user, filters=filters, export_format=export_format)
        return export.response(qs, export_format)
