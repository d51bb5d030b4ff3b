"""The public board in JSON, for anyone (no sign-in): the same rows and fields as the page
``/work-orders/board/`` (see ``gongzhi.work_orders.board``), never personal data."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.work_orders import board
from gongzhi.work_orders.forms import BoardFilterForm

PAGE_SIZE = 25


def _row(row: board.PublicOrder, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.pk,
        "number": row.number,
        "title": row.title,
        "order_type": str(row.order_type),
        "category": row.category,
        "community": row.community,
        "status": row.status,
        "status_label": str(row.status_label),
        "submitted_at": row.submitted_at.isoformat(),
        "replied_at": row.replied_at.isoformat() if row.replied_at else None,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
    }
    if detail:
        data["description"] = row.description
        data["reply"] = row.reply
        data["timeline"] = [
            {"kind": e.kind, "label": str(e.label), "at": e.created_at.isoformat(), "unit": e.unit} for e in row.events
        ]
        data["attachments"] = [
            {
                "id": a.pk,
                "content_type": a.content_type,
                "url": reverse("work_orders:board_attachment", args=[row.pk, a.pk]),
            }
            for a in row.attachments
        ]
    return data


class BoardListView(APIView):
    """GET ``?community=<code>&category=<code>&status=<status>&page=``: 25 per page, newest first."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("community", str),
            OpenApiParameter("category", str),
            OpenApiParameter("status", str),
            OpenApiParameter("page", int),
        ],
        responses=OpenApiTypes.OBJECT,
        operation_id="work_orders_board_list",
    )
    def get(self, request: Request) -> Response:
        filters = BoardFilterForm(request.query_params or None)
        qs = board.board_queryset()
        if filters.is_bound:
            if not filters.is_valid():
                raise ValidationError({field: [str(e) for e in errors] for field, errors in filters.errors.items()})
            d = filters.cleaned_data
            qs = board.filtered(
                qs, community=d.get("community"), category=d.get("category"), status=d.get("status") or ""
            )
        page = Paginator(board.list_rows(qs).order_by("-id"), PAGE_SIZE).get_page(request.query_params.get("page"))
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": [_row(board.public_order(o)) for o in page.object_list],
            }
        )


class BoardDetailView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="work_orders_board_detail")
    def get(self, request: Request, pk: int) -> Response:
        order = board.detail_row(pk)
        if order is None:
            raise Http404
        return Response(_row(board.public_order(order, detail=True), detail=True))
