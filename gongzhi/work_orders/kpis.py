"""Key performance indicators of work orders, per unit, area and period (docs/kpis.md).

Everything is counted by the database: one conditional-aggregate query per grouping
(``Count(..., filter=Q(...))``, ``Avg``, a percentile aggregate), never a Python loop
over orders. Working times come from the ``response_minutes`` / ``handling_minutes``
columns the actions store, because working time on the holiday calendar cannot be
computed in SQL.

The cohort of a period is the orders *submitted* in it (local time, Asia/Shanghai),
merged duplicates excluded. Units are the order's current lead unit (主办单位); the
return rate (退单率) is counted on lead assignments, since a returned order has no lead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Cos, Radians, TruncDay, TruncMonth
from django.utils import timezone

from gongzhi.organisations.models import Organisation
from gongzhi.territory.models import Area
from gongzhi.work_orders.choices import AssignmentRole, Satisfaction, Status
from gongzhi.work_orders.models import Assignment, Rating, WorkOrder
from gongzhi.work_orders.queries import inbox_q

_T = TypeVar("_T")
LOCAL = ZoneInfo("Asia/Shanghai")
#: Degrees of latitude in 100 m (a metre of latitude is 1/111,320 degree nearly everywhere).
REPEAT_RADIUS_M = 100
REPEAT_WINDOW = dt.timedelta(days=30)
METRES_PER_DEGREE = 111_320
DEFAULT_WEIGHTS = {"response": 0.30, "resolution": 0.35, "satisfaction": 0.35}
DEFAULT_MIN_CASES = 5
OVERDUE_LIMIT = 20

#: Rates: name -> (numerator count, denominator count); see docs/kpis.md.
RATES = {
    "sign_on_time_rate": ("signed_on_time", "sign_decided"),
    "response_rate": ("contacted_on_time", "contact_decided"),
    "on_time_reply_rate": ("replied_on_time", "reply_decided"),
    "closure_rate": ("closed", "dispatched"),
    "resolution_rate": ("resolved", "judged"),
    "satisfaction_rate": ("satisfied_broad", "satisfaction_base"),
    "strict_satisfaction_rate": ("satisfied_strict", "satisfaction_base"),
    "repeat_rate": ("repeats", "cases"),
    "reopen_rate": ("reopened", "replied"),
    "extension_rate": ("extended", "dispatched"),
    "follow_up_rate": ("followed_up", "replied"),
}


# --- a percentile aggregate for both databases --------------------------------------------------


class _SqlitePercentile:
    """percentile_cont for SQLite, registered on the connection as an aggregate function."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        return percentile_cont(self.values, self.fraction)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont``: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Percentile(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expr)``; NULLs are ignored."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        connection.ensure_connection()
        connection.connection.create_aggregate("GZ_PERCENTILE", 2, _SqlitePercentile)
        return self.as_sql(
            compiler, connection, function="GZ_PERCENTILE", template="%(function)s(%(expressions)s, %(fraction)s)"
        )


# --- no JIT for these queries -----------------------------------------------------------------


def without_jit(func: Callable[..., _T]) -> Callable[..., _T]:
    """Marks queries that must run with PostgreSQL's JIT off.

    The correlated rating subqueries push the planner's cost estimate of a month's
    dashboard above ``jit_above_cost``; compiling then took 3 s for a query that runs in
    0.3 s (bench_work_orders_kpi.py). The settings turn JIT off for every connection
    (``-c jit=off``), so this costs no extra statement; the marker keeps the reason next
    to the queries that need it."""
    return func


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A half-open interval of local time ``[start, end)``."""

    start: dt.datetime
    end: dt.datetime
    label: str

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


def _local(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL)


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


PERIOD_RE = re.compile(
    r"^(?:(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|Q(?P<q>[1-4])))?|(?P<a>\d{4}-\d{2}-\d{2})\.\.(?P<b>\d{4}-\d{2}-\d{2}))$"
)


def parse_period(value: str | None, *, today: dt.date | None = None) -> Period:
    """``2026-11`` (a month), ``2026-Q4``, ``2026``, ``2026-11-01..2026-11-15`` (inclusive
    dates) or empty for the current month. Raises ValueError on anything else."""
    today = today or timezone.localdate()
    text = (value or "").strip()
    if not text:
        text = f"{today:%Y-%m}"
    match = PERIOD_RE.match(text)
    if not match:
        raise ValueError(text)
    if match["a"]:
        first, last = dt.date.fromisoformat(match["a"]), dt.date.fromisoformat(match["b"])
        if last < first or (last - first).days > 366:
            raise ValueError(text)
        return Period(_local(first), _local(last + dt.timedelta(days=1)), text)
    year = int(match["y"])
    if match["m"]:
        month = int(match["m"])
        if not 1 <= month <= 12:
            raise ValueError(text)
        first, after = _month_start(year, month), _month_start(year, month + 1)
    elif match["q"]:
        quarter = int(match["q"])
        first, after = _month_start(year, 3 * quarter - 2), _month_start(year, 3 * quarter + 1)
    else:
        first, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return Period(_local(first), _local(after), text)


# --- the measures --------------------------------------------------------------------------------


def _latest_rating(field: str) -> Subquery:
    return Subquery(Rating.objects.filter(order_id=OuterRef("pk")).order_by("-round").values(field)[:1])


def _repeat_exists() -> Q:
    """An earlier order closed within 30 days before this one was submitted, from the same
    resident, or in the same category within about 100 m (a latitude/longitude box)."""
    submitted = OuterRef("submitted_at")
    earlier = WorkOrder.objects.filter(
        closed_at__isnull=False,
        closed_at__lt=submitted,
        closed_at__gte=ExpressionWrapper(submitted - Value(REPEAT_WINDOW), output_field=DateTimeField()),
    ).exclude(pk=OuterRef("pk"))
    dlat = REPEAT_RADIUS_M / METRES_PER_DEGREE
    lat = Cast(OuterRef("lat"), FloatField())
    lng = Cast(OuterRef("lng"), FloatField())
    dlng = ExpressionWrapper(Value(dlat) / Cos(Radians(lat)), output_field=FloatField())
    nearby = earlier.annotate(
        lat_f=Cast("lat", FloatField()),
        lng_f=Cast("lng", FloatField()),
    ).filter(
        category_id=OuterRef("category_id"),
        lat_f__gte=lat - dlat,
        lat_f__lte=lat + dlat,
        lng_f__gte=lng - dlng,
        lng_f__lte=lng + dlng,
    )
    same_resident = earlier.filter(submitter_id=OuterRef("submitter_id"))
    return Exists(same_resident) | Exists(nearby)


def mark_repeats(orders: QuerySet[WorkOrder]) -> int:
    """Set ``is_repeat`` on those of ``orders`` that are repeats; returns how many.

    Called by ``submit_work_order`` for each new order (every closure that can make it a
    repeat precedes its submission, so the flag never changes later), and usable as a
    set-based backfill. Storing the flag keeps the dashboard from running this correlated
    search for every order of a month."""
    return orders.filter(_repeat_exists()).update(is_repeat=True)


def annotate_for_kpis(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """The per-order facts the measures need that are not columns of the order."""
    return qs.annotate(
        kpi_satisfaction=_latest_rating("satisfaction"),
        kpi_rated_resolved=_latest_rating("resolved"),
    )


def measures(now: dt.datetime) -> dict[str, Any]:
    """Aggregate expressions (counts, averages, percentiles) over annotated orders."""
    dispatched = Q(dispatched_at__isnull=False)
    replied = Q(replied_at__isnull=False)
    rated = Q(kpi_satisfaction__isnull=False)
    broad = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
    return {
        "cases": Count("pk"),
        "dispatched": Count("pk", filter=dispatched),
        "sign_decided": Count("pk", filter=dispatched & (Q(signed_at__isnull=False) | Q(sign_due__lte=now))),
        "signed_on_time": Count("pk", filter=dispatched & Q(signed_at__lte=F("sign_due"))),
        "contact_decided": Count(
            "pk", filter=dispatched & (Q(first_contact_at__isnull=False) | Q(contact_due__lte=now))
        ),
        "contacted_on_time": Count("pk", filter=dispatched & Q(first_contact_at__lte=F("contact_due"))),
        "reply_decided": Count("pk", filter=dispatched & (replied | Q(reply_due__lte=now))),
        "replied_on_time": Count("pk", filter=dispatched & Q(replied_at__lte=F("reply_due"))),
        "closed": Count("pk", filter=dispatched & Q(status=Status.CLOSED)),
        "replied": Count("pk", filter=replied),
        "judged": Count("pk", filter=Q(follow_up_resolved__isnull=False) | rated),
        "resolved": Count(
            "pk",
            filter=Q(follow_up_resolved=True) | (Q(follow_up_resolved__isnull=True) & Q(kpi_rated_resolved=True)),
        ),
        "satisfaction_base": Count("pk", filter=rated | (replied & Q(rating_due__lte=now))),
        "satisfied_broad": Count("pk", filter=Q(kpi_satisfaction__in=broad)),
        "satisfied_strict": Count("pk", filter=Q(kpi_satisfaction=Satisfaction.SATISFIED)),
        "repeats": Count("pk", filter=Q(is_repeat=True)),
        "reopened": Count("pk", filter=replied & Q(reopen_count__gt=0)),
        "extended": Count("pk", filter=dispatched & Q(extension_count__gt=0)),
        "followed_up": Count("pk", filter=replied & Q(followed_up_at__isnull=False)),
        "response_mean": Avg("response_minutes"),
        "response_median": Percentile("response_minutes", 0.5),
        "response_p90": Percentile("response_minutes", 0.9),
        "handling_mean": Avg("handling_minutes"),
        "handling_median": Percentile("handling_minutes", 0.5),
        "handling_p90": Percentile("handling_minutes", 0.9),
    }


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _hours(minutes: Any) -> float | None:
    return None if minutes is None else round(float(minutes) / 60, 2)


def weights() -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, **getattr(settings, "GONGZHI_KPI_WEIGHTS", {})}


def min_cases() -> int:
    return int(getattr(settings, "GONGZHI_KPI_MIN_CASES", DEFAULT_MIN_CASES))


def score(response: float | None, resolution: float | None, satisfaction: float | None) -> float | None:
    """综合得分 on 100 points: 0.30·响应率 + 0.35·解决率 + 0.35·满意率 (weights in settings)."""
    if response is None or resolution is None or satisfaction is None:
        return None
    w = weights()
    return round(100 * (w["response"] * response + w["resolution"] * resolution + w["satisfaction"] * satisfaction), 2)


def finish(row: dict[str, Any], returns: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """Turn one aggregate row into the published KPIs (rates, working hours, score)."""
    counts = {
        key: int(row.get(key) or 0)
        for key in {name for pair in RATES.values() for name in pair} | {"cases", "dispatched"}
    }
    returned, lead_assignments = returns
    result: dict[str, Any] = {"counts": {**counts, "returned": returned, "lead_assignments": lead_assignments}}
    for name, (numerator, denominator) in RATES.items():
        result[name] = _rate(counts[numerator], counts[denominator])
    result["return_rate"] = _rate(returned, lead_assignments)
    for key in ("response_mean", "response_median", "response_p90", "handling_mean", "handling_median", "handling_p90"):
        result[f"{key}_hours"] = _hours(row.get(key))
    result["score"] = score(result["response_rate"], result["resolution_rate"], result["satisfaction_rate"])
    return result


# --- queries -------------------------------------------------------------------------------------


def cohort(
    base: QuerySet[WorkOrder], area: Area | None, period: Period, unit: Organisation | int | None = None
) -> QuerySet[WorkOrder]:
    """Orders submitted in the period under the area (and led by the unit), merged excluded."""
    qs = base.filter(submitted_at__gte=period.start, submitted_at__lt=period.end).exclude(status=Status.MERGED)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if unit is not None:
        qs = qs.filter(lead_organisation_id=getattr(unit, "pk", unit))
    return qs


def _returns(orders: QuerySet[WorkOrder], by_unit: bool) -> dict[int | None, tuple[int, int]]:
    leads = Assignment.objects.filter(role=AssignmentRole.LEAD, order_id__in=orders.values("pk"))
    counts = {"returned": Count("pk", filter=Q(end_reason="returned")), "total": Count("pk")}
    if not by_unit:
        row = leads.aggregate(**counts)
        return {None: (row["returned"], row["total"])}
    rows: Any = leads.values("organisation_id").annotate(**counts).order_by()
    return {r["organisation_id"]: (r["returned"], r["total"]) for r in rows}


@without_jit
def summary(
    area: Area | None,
    period: Period,
    *,
    base: QuerySet[WorkOrder] | None = None,
    unit: Organisation | int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """All KPIs of one area (and optionally one unit) in one period."""
    now = now or timezone.now()
    orders = cohort(base if base is not None else WorkOrder.objects.all(), area, period, unit)
    row = annotate_for_kpis(orders).aggregate(**measures(now))
    if unit is not None:
        leads = Assignment.objects.filter(
            role=AssignmentRole.LEAD,
            organisation_id=getattr(unit, "pk", unit),
            order_id__in=cohort(base if base is not None else WorkOrder.objects.all(), area, period).values("pk"),
        ).aggregate(returned=Count("pk", filter=Q(end_reason="returned")), total=Count("pk"))
        returns = (leads["returned"], leads["total"])
    else:
        returns = _returns(orders, by_unit=False)[None]
    return finish(row, returns)


@without_jit
def ranking(
    area: Area | None,
    period: Period,
    *,
    base: QuerySet[WorkOrder] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Units (current lead) ranked by score; units with fewer dispatched cases than
    ``GONGZHI_KPI_MIN_CASES`` are hidden (their number is reported)."""
    now = now or timezone.now()
    orders = cohort(base if base is not None else WorkOrder.objects.all(), area, period)
    rows: Any = list(
        annotate_for_kpis(orders.filter(lead_organisation__isnull=False))
        .values("lead_organisation_id")
        .annotate(**measures(now))
        .order_by()
    )
    returns = _returns(orders, by_unit=True)
    threshold = min_cases()
    shown = [r for r in rows if r["dispatched"] >= threshold]
    names = dict(
        Organisation.objects.filter(pk__in=[r["lead_organisation_id"] for r in shown]).values_list("pk", "name")
    )
    units = []
    for r in shown:
        kpis = finish(r, returns.get(r["lead_organisation_id"], (0, 0)))
        units.append({"unit": r["lead_organisation_id"], "name": names.get(r["lead_organisation_id"], ""), **kpis})
    units.sort(key=lambda u: (u["score"] is None, -(u["score"] or 0), u["unit"]))
    for position, u in enumerate(units, start=1):
        u["rank"] = position
    return {"min_cases": threshold, "hidden": len(rows) - len(shown), "units": units}


TREND_KEYS = ("cases", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_reply_rate", "score")


@without_jit
def trend(
    area: Area | None,
    period: Period,
    *,
    base: QuerySet[WorkOrder] | None = None,
    unit: Organisation | int | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """KPIs per day (periods up to 62 days) or per month, in one grouped query."""
    now = now or timezone.now()
    orders = cohort(base if base is not None else WorkOrder.objects.all(), area, period, unit)
    trunc = TruncDay if period.days <= 62 else TruncMonth
    rows: Any = (
        annotate_for_kpis(orders)
        .annotate(bucket=trunc("submitted_at", tzinfo=LOCAL))
        .values("bucket")
        .annotate(**measures(now))
        .order_by("bucket")
    )
    out = []
    for r in rows:
        kpis = finish(r)
        bucket = r["bucket"]
        label = bucket.astimezone(LOCAL).date().isoformat() if isinstance(bucket, dt.datetime) else str(bucket)
        out.append({"bucket": label, **{key: kpis[key] for key in TREND_KEYS if key != "cases"}, "cases": r["cases"]})
    return out


def overdue(
    area: Area | None, *, base: QuerySet[WorkOrder] | None = None, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The most overdue open orders now (sign or reply deadline passed), oldest first."""
    now = now or timezone.now()
    qs = (base if base is not None else WorkOrder.objects.all()).filter(inbox_q("overdue", now))
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    rows = qs.order_by("reply_due", "pk").values(
        "pk", "title", "status", "submitted_at", "reply_due", "sign_due", "supervision_level", "lead_organisation__name"
    )[:OVERDUE_LIMIT]
    return [
        {
            "id": r["pk"],
            "number": WorkOrder(pk=r["pk"], submitted_at=r["submitted_at"]).number,
            "title": r["title"],
            "status": r["status"],
            "unit": r["lead_organisation__name"] or "",
            "reply_due": r["reply_due"].isoformat() if r["reply_due"] else None,
            "sign_due": r["sign_due"].isoformat() if r["sign_due"] else None,
            "supervision_level": r["supervision_level"],
        }
        for r in rows
    ]


@without_jit
def dashboard(
    area: Area | None,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    *,
    user: Any = None,
    unit: Organisation | int | None = None,
    now: dt.datetime | None = None,
    verb: str = "view",
) -> dict[str, Any]:
    """Everything the staff dashboard shows, for ``[start, end)``: summary, trend, ranking
    and the overdue list. With ``user``, only orders that user may view are counted; the
    caller checks the area first (``api.kpi_views.access_kpi_area`` does for the API)."""
    period = Period(_as_datetime(start), _as_datetime(end), f"{start}..{end}")
    base = WorkOrder.objects.restrict(user, verb) if user is not None else WorkOrder.objects.all()
    now = now or timezone.now()
    return {
        "area": {"id": area.pk, "name": area.name, "path": area.path} if area is not None else None,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "summary": summary(area, period, base=base, unit=unit, now=now),
        "trend": trend(area, period, base=base, unit=unit, now=now),
        "ranking": ranking(area, period, base=base, now=now),
        # The overdue list names orders: only those the user may view (an evaluator holds
        # "kpi" alone and gets the numbers without the list).
        "overdue": overdue(area, base=WorkOrder.objects.restrict(user, "view") if user is not None else base, now=now),
    }


def _as_datetime(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("timezone-aware datetimes only")
        return value
    return _local(value)


def as_echarts(data: dict[str, Any]) -> dict[str, Any]:
    """The dashboard in the shape ECharts options take (category axis + series arrays)."""
    points = data["trend"]
    units = data["ranking"]["units"]
    return {
        "trend": {
            "xAxis": [p["bucket"] for p in points],
            "series": [{"name": key, "data": [p[key] for p in points]} for key in TREND_KEYS],
        },
        "ranking": {
            "yAxis": [u["name"] for u in units],
            "series": [{"name": "score", "data": [u["score"] for u in units]}],
        },
        "summary": data["summary"],
        "overdue": data["overdue"],
    }


__all__ = [
    "Percentile",
    "Period",
    "dashboard",
    "parse_period",
    "ranking",
    "summary",
    "trend",
]
