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
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.territory.models import Area
from gongzhi.work_orders import actions, board
from gongzhi.work_orders.forms import BoardFilterForm
from gongzhi.work_orders.models import WorkOrder

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


class BoardFollowView(APIView):
    """``POST``: follow a request on the board ("me too": its notices come to you as to its
    reporter); ``DELETE``: stop following. Errors: ``already_following``, ``not_following``,
    ``follow_closed``, ``follow_not_allowed`` (409)."""

    permission_classes = [IsAuthenticated]

    def _order(self, pk: int) -> WorkOrder:
        order = WorkOrder.objects.filter(pk=pk).first()
        if order is None:
            raise Http404
        return order

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="work_orders_board_follow")
    def post(self, request: Request, pk: int) -> Response:
        order = self._order(pk)
        actions.follow_work_order(order, actor=request.user)
        return Response(
            {"order": order.pk, "following": True, "followers": board.follower_counts([order.pk])[order.pk]}
        )

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="work_orders_board_unfollow")
    def delete(self, request: Request, pk: int) -> Response:
        order = self._order(pk)
        actions.unfollow_work_order(order, actor=request.user)
        return Response(
            {"order": order.pk, "following": False, "followers": board.follower_counts([order.pk])[order.pk]}
        )


class SimilarView(APIView):
    """``GET ?area=<id>&description=&title=&lat=&lng=&address=``: open requests on the public
    board about the same problem nearby, best first, de-identified as on the board (what the
    report form offers to follow instead of filing again)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, required=True),
            OpenApiParameter("description", str),
            OpenApiParameter("title", str),
            OpenApiParameter("lat", float),
            OpenApiParameter("lng", float),
            OpenApiParameter("address", str),
        ],
        responses=OpenApiTypes.OBJECT,
        operation_id="work_orders_similar",
    )
    def get(self, request: Request) -> Response:
        q = request.query_params
        area_id = q.get("area") or ""
        if not area_id.isdigit():
            raise ValidationError({"area": ["A valid area id is required."]})
        area = Area.objects.filter(pk=int(area_id), is_active=True).first()
        if area is None:
            raise ValidationError({"area": ["Unknown area."]})
        try:
            lat = float(q["lat"]) if q.get("lat") else None
            lng = float(q["lng"]) if q.get("lng") else None
        except ValueError as err:
            raise ValidationError({"lat": ["Coordinates must be numbers."]}) from err
        rows = board.similar_public(
            request.user,
            area=area,
            title=q.get("title") or "",
            text=q.get("description") or "",
            lat=lat,
            lng=lng,
            address=q.get("address") or "",
        )
        return Response(
            {
                "results": [
                    {
                        **_row(s.row),
                        "score": round(s.score, 3),
                        "distance_m": s.distance_m,
                        "followers": s.followers,
                        "following": s.following,
                    }
                    for s in rows
                ]
            }
        )
