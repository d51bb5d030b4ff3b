"""KPI endpoints: ``/api/work-orders/kpis/`` (summary + ranking) and
``/api/work-orders/kpis/dashboard/`` (trend, ranking and overdue list shaped for ECharts).

Scoped to the viewer: the orders counted are those in the viewer's ``kpi_workorder`` scope
(the same as their view scope for staff who handle orders; third-party evaluators hold
``kpi`` alone and read the numbers of their area without seeing any order), under an area
inside one of the viewer's grants (officials of a street see their street; a unit's
handlers see their unit's orders). An area outside every grant is a 404; a user with no
KPI grant gets a 403.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.access.choices import ORGANISATION_SCOPED_ROLES
from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.organisations.models import Organisation
from gongzhi.territory.models import Area
from gongzhi.work_orders import kpis
from gongzhi.work_orders.models import WorkOrder

KPI_VERB = "kpi"


def access_kpi_area(user: Any, area_param: str | None, code_param: str | None = None) -> Area:
    """The area the viewer asked for (``area`` id or ``area_code``), or their widest granted
    area. 403 without a work-order view grant; 404 when missing or outside every grant."""
    grants = grants_with_permission(user, permission_name(WorkOrder, KPI_VERB))
    if not grants:
        raise PermissionDenied()
    if not area_param and not code_param:
        widest = min(grants, key=lambda g: len(g.area_path or ""))
        if widest.area_id is None:
            raise ValidationError({"area": ["Choose an area."]})
        return Area.objects.get(pk=widest.area_id)
    if area_param and not area_param.isdigit():
        raise ValidationError({"area": ["Use the area's id (or area_code for its code)."]})
    lookup = {"pk": int(area_param)} if area_param else {"code": code_param}
    area = Area.objects.filter(**lookup).first()
    if area is None or not any(area.path.startswith(g.area_path or "") for g in grants):
        raise Http404
    return area


def access_kpi_unit(user: Any, unit_param: str | None) -> Organisation | None:
    """A unit filter; organisation-scoped roles may only ask for their own unit."""
    if not unit_param:
        return None
    if not unit_param.isdigit():
        raise ValidationError({"unit": ["Use the unit's id."]})
    unit = Organisation.objects.filter(pk=int(unit_param)).first()
    if unit is None:
        raise Http404
    grants = grants_with_permission(user, permission_name(WorkOrder, KPI_VERB))
    if all(g.role in ORGANISATION_SCOPED_ROLES for g in grants) and all(g.organisation_id != unit.pk for g in grants):
        raise Http404
    return unit


def _period(request: Request) -> kpis.Period:
    try:
        return kpis.parse_period(request.query_params.get("period"))
    except ValueError as exc:
        raise ValidationError(
            {"period": ["Use YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (at most 366 days)."]}
        ) from exc


class KpiView(APIView):
    """GET ``?area=<id>|area_code=<code>&period=2026-11&unit=<id>``: every KPI and the unit ranking."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise PermissionDenied()
        area = access_kpi_area(request.user, request.query_params.get("area"), request.query_params.get("area_code"))
        unit = access_kpi_unit(request.user, request.query_params.get("unit"))
        period = _period(request)
        base = kpis.facts_for(request.user, KPI_VERB)
        now = timezone.now()
        return Response(
            {
                "area": {"id": area.pk, "code": area.code, "name": area.name},
                "unit": {"id": unit.pk, "name": unit.name} if unit else None,
                "period": {"label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat()},
                "kpis": kpis.summary(area, period, base=base, unit=unit, now=now),
                "ranking": kpis.ranking(area, period, base=base, now=now),
                "weights": kpis.weights(),
            }
        )


class KpiDashboardView(APIView):
    """GET ``?area=&period=&unit=``: the dashboard data in ECharts' shape."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise PermissionDenied()
        area = access_kpi_area(request.user, request.query_params.get("area"), request.query_params.get("area_code"))
        unit = access_kpi_unit(request.user, request.query_params.get("unit"))
        period = _period(request)
        data = kpis.dashboard(area, period.start, period.end, user=request.user, unit=unit, verb=KPI_VERB)
        return Response({"area": data["area"], "period": period.label, **kpis.as_echarts(data)})
