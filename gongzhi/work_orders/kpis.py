"""Key performance indicators of work orders, per unit, area and period (docs/kpis.md).

Everything is counted by the database: one conditional-aggregate query per grouping
(``Count(..., filter=Q(...))``, ``Avg``, a percentile aggregate), never a Python loop
over orders. The aggregates read the narrow per-order KPI facts (``KpiFact``, kept by the
actions through ``kpi_facts.refresh``) through covering indexes, not the orders with their
ratings. Working times come from the ``response_minutes`` / ``handling_minutes`` columns
the actions store, because working time on the holiday calendar cannot be computed in SQL.

The cohort of a period is the orders *submitted* in it (local time, Asia/Shanghai),
merged duplicates excluded. Units are the order's current lead unit (主办单位); the
return rate (退单率) is counted on lead assignments, since a returned order has no lead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Cos, Radians
from django.utils import timezone

from gongzhi.organisations.models import Organisation
from gongzhi.territory.models import Area
from gongzhi.work_orders.choices import AssignmentRole, Satisfaction
from gongzhi.work_orders.models import Assignment, KpiFact, WorkOrder
from gongzhi.work_orders.queries import inbox_q

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


def measures(now: dt.datetime) -> dict[str, Any]:
    """Aggregate expressions (counts, averages, percentiles) over KPI facts."""
    dispatched = Q(is_dispatched=True)
    replied = Q(is_replied=True)
    rated = Q(satisfaction__isnull=False)
    broad = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
    return {
        "cases": Count("pk"),
        "dispatched": Count("pk", filter=dispatched),
        "sign_decided": Count("pk", filter=dispatched & (Q(is_signed=True) | Q(sign_due__lte=now))),
        "signed_on_time": Count("pk", filter=dispatched & Q(is_signed_on_time=True)),
        "contact_decided": Count("pk", filter=dispatched & (Q(is_contacted=True) | Q(contact_due__lte=now))),
        "contacted_on_time": Count("pk", filter=dispatched & Q(is_contacted_on_time=True)),
        "reply_decided": Count("pk", filter=dispatched & (replied | Q(reply_due__lte=now))),
        "replied_on_time": Count("pk", filter=dispatched & Q(is_replied_on_time=True)),
        "closed": Count("pk", filter=dispatched & Q(is_closed=True)),
        "replied": Count("pk", filter=replied),
        "judged": Count("pk", filter=Q(follow_up_resolved__isnull=False) | rated),
        "resolved": Count(
            "pk",
            filter=Q(follow_up_resolved=True) | (Q(follow_up_resolved__isnull=True) & Q(rated_resolved=True)),
        ),
        "satisfaction_base": Count("pk", filter=rated | (replied & Q(rating_due__lte=now))),
        "satisfied_broad": Count("pk", filter=Q(satisfaction__in=broad)),
        "satisfied_strict": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "repeats": Count("pk", filter=Q(is_repeat=True)),
        "reopened": Count("pk", filter=replied & Q(is_reopened=True)),
        "extended": Count("pk", filter=dispatched & Q(is_extended=True)),
        "followed_up": Count("pk", filter=replied & Q(is_followed_up=True)),
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


def facts_for(user: Any, verb: str = "view") -> QuerySet[KpiFact]:
    """The KPI facts of the orders ``user`` may ``verb`` (the work order's scope rule)."""
    return KpiFact.objects.restrict(user, verb)


def _months(period: Period) -> list[int]:
    """The local months (yyyymm) the period touches."""
    first = period.start.astimezone(LOCAL)
    last = (period.end - dt.timedelta(microseconds=1)).astimezone(LOCAL)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _whole_months(period: Period) -> bool:
    def month_start(moment: dt.datetime) -> bool:
        local = moment.astimezone(LOCAL)
        return local.day == 1 and local.time() == dt.time.min

    return month_start(period.start) and month_start(period.end)


def cohort(
    base: QuerySet[KpiFact], area: Area | None, period: Period, unit: Organisation | int | None = None
) -> QuerySet[KpiFact]:
    """Facts of the orders submitted in the period under the area (and led by the unit),
    merged excluded. The local month comes first so that one range of an index
    ``(month, area_path)`` or ``(month, lead_organisation_id)`` holds the cohort; periods
    that are not whole months also compare the submission time."""
    qs = base.filter(is_merged=False)
    months = _months(period)
    qs = qs.filter(month=months[0]) if len(months) == 1 else qs.filter(month__in=months)
    if not _whole_months(period):
        qs = qs.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if unit is not None:
        qs = qs.filter(lead_organisation_id=getattr(unit, "pk", unit))
    return qs


def _returns_by_unit(facts: QuerySet[KpiFact], unit: int | None = None) -> dict[int, tuple[int, int]]:
    """(returned, lead assignments) per unit over the cohort's lead assignments: summed from
    the facts of orders that only ever had one lead unit, plus the assignments of the few
    orders led by several units in turn (two queries whatever the size)."""
    single = facts.filter(single_lead_unit__isnull=False)
    several = Assignment.objects.filter(
        role=AssignmentRole.LEAD,
        order_id__in=facts.filter(single_lead_unit__isnull=True, lead_assignments__gt=0).values("pk"),
    )
    if unit is not None:
        single, several = single.filter(single_lead_unit=unit), several.filter(organisation_id=unit)
    out: dict[int, tuple[int, int]] = {}
    rows: Any = (
        single.values("single_lead_unit").annotate(r=Sum("returned_leads"), t=Sum("lead_assignments")).order_by()
    )
    for row in rows:
        out[row["single_lead_unit"]] = (int(row["r"]), int(row["t"]))
    counts = {"r": Count("pk", filter=Q(end_reason="returned")), "t": Count("pk")}
    rows = several.values("organisation_id").annotate(**counts).order_by()
    for row in rows:
        returned, total = out.get(row["organisation_id"], (0, 0))
        out[row["organisation_id"]] = (returned + row["r"], total + row["t"])
    return out


def _base(base: QuerySet[KpiFact] | None) -> QuerySet[KpiFact]:
    return base if base is not None else KpiFact.objects.all()


def summary(
    area: Area | None,
    period: Period,
    *,
    base: QuerySet[KpiFact] | None = None,
    unit: Organisation | int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """All KPIs of one area (and optionally one unit) in one period; ``base`` limits the
    facts counted (``facts_for(user, verb)``)."""
    now = now or timezone.now()
    facts = cohort(_base(base), area, period, unit)
    if unit is not None:
        row = facts.aggregate(**measures(now))
        unit_id = unit.pk if isinstance(unit, Organisation) else int(unit)
        # The unit's returns count its lead assignments on every order of the cohort,
        # including orders it returned (they have another lead now, or none).
        returns = _returns_by_unit(cohort(_base(base), area, period), unit_id).get(unit_id, (0, 0))
    else:
        row = facts.aggregate(
            **measures(now), returned_leads=Sum("returned_leads"), lead_assignments=Sum("lead_assignments")
        )
        returns = (int(row["returned_leads"] or 0), int(row["lead_assignments"] or 0))
    return finish(row, returns)


def ranking(
    area: Area | None,
    period: Period,
    *,
    base: QuerySet[KpiFact] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Units (current lead) ranked by score; units with fewer dispatched cases than
    ``GONGZHI_KPI_MIN_CASES`` are hidden (their number is reported)."""
    now = now or timezone.now()
    facts = cohort(_base(base), area, period)
    rows: Any = list(
        facts.filter(lead_organisation_id__isnull=False)
        .values("lead_organisation_id")
        .annotate(**measures(now))
        .order_by()
    )
    returns = _returns_by_unit(facts)
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


SCORE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
TREND_KEYS = ("cases", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_reply_rate", "score")


def trend(
    area: Area | None,
    period: Period,
    *,
    base: QuerySet[KpiFact] | None = None,
    unit: Organisation | int | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """KPIs per local day (periods up to 62 days) or per month, in one grouped query."""
    now = now or timezone.now()
    facts = cohort(_base(base), area, period, unit)
    daily = period.days <= 62
    buckets = ["month", "day"] if daily else ["month"]
    # Only the counts behind TREND_KEYS: no percentiles (a sort per bucket) for numbers not shown.
    needed = {"cases"} | {name for key in TREND_KEYS if key in RATES for name in RATES[key]}
    needed |= {name for key in SCORE_RATES for name in RATES[key]}
    trend_measures = {name: aggregate for name, aggregate in measures(now).items() if name in needed}
    rows: Any = facts.values(*buckets).annotate(**trend_measures).order_by(*buckets)
    out = []
    for r in rows:
        kpis = finish(r)
        year, month = divmod(r["month"], 100)
        label = dt.date(year, month, r["day"] if daily else 1).isoformat()
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
    base = facts_for(user, verb) if user is not None else KpiFact.objects.all()
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
        "overdue": overdue(area, base=WorkOrder.objects.restrict(user, "view") if user is not None else None, now=now),
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
