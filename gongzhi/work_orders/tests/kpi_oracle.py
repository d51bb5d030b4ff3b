"""The KPI queries as they were before the KPI facts: aggregates straight over the orders
with correlated "latest rating" subqueries. Kept only as a test oracle (and as the "old"
side of bench/bench_work_orders_kpi.py): the facts-based ``kpis`` must give exactly the
same numbers. Not production code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone

from gongzhi.organisations.models import Organisation
from gongzhi.territory.models import Area
from gongzhi.work_orders import kpis
from gongzhi.work_orders.choices import AssignmentRole, Satisfaction, Status
from gongzhi.work_orders.models import Assignment, Rating, WorkOrder


def _latest_rating(field: str) -> Subquery:
    return Subquery(Rating.objects.filter(order_id=OuterRef("pk")).order_by("-round").values(field)[:1])


def annotate_for_kpis(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return qs.annotate(
        kpi_satisfaction=_latest_rating("satisfaction"),
        kpi_rated_resolved=_latest_rating("resolved"),
    )


def measures(now: dt.datetime) -> dict[str, Any]:
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
        "response_median": kpis.Percentile("response_minutes", 0.5),
        "response_p90": kpis.Percentile("response_minutes", 0.9),
        "handling_mean": Avg("handling_minutes"),
        "handling_median": kpis.Percentile("handling_minutes", 0.5),
        "handling_p90": kpis.Percentile("handling_minutes", 0.9),
    }


def cohort(
    base: QuerySet[WorkOrder], area: Area | None, period: kpis.Period, unit: Organisation | int | None = None
) -> QuerySet[WorkOrder]:
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


def summary(
    area: Area | None,
    period: kpis.Period,
    *,
    base: QuerySet[WorkOrder] | None = None,
    unit: Organisation | int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    now = now or timezone.now()
    base = base if base is not None else WorkOrder.objects.all()
    orders = cohort(base, area, period, unit)
    row = annotate_for_kpis(orders).aggregate(**measures(now))
    if unit is not None:
        leads = Assignment.objects.filter(
            role=AssignmentRole.LEAD,
            organisation_id=getattr(unit, "pk", unit),
            order_id__in=cohort(base, area, period).values("pk"),
        ).aggregate(returned=Count("pk", filter=Q(end_reason="returned")), total=Count("pk"))
        returns = (leads["returned"], leads["total"])
    else:
        returns = _returns(orders, by_unit=False)[None]
    return kpis.finish(row, returns)


def ranking(
    area: Area | None,
    period: kpis.Period,
    *,
    base: QuerySet[WorkOrder] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    now = now or timezone.now()
    orders = cohort(base if base is not None else WorkOrder.objects.all(), area, period)
    rows: Any = list(
        annotate_for_kpis(orders.filter(lead_organisation__isnull=False))
        .values("lead_organisation_id")
        .annotate(**measures(now))
        .order_by()
    )
    returns = _returns(orders, by_unit=True)
    threshold = kpis.min_cases()
    shown = [r for r in rows if r["dispatched"] >= threshold]
    names = dict(
        Organisation.objects.filter(pk__in=[r["lead_organisation_id"] for r in shown]).values_list("pk", "name")
    )
    units = []
    for r in shown:
        result = kpis.finish(r, returns.get(r["lead_organisation_id"], (0, 0)))
        units.append({"unit": r["lead_organisation_id"], "name": names.get(r["lead_organisation_id"], ""), **result})
    units.sort(key=lambda u: (u["score"] is None, -(u["score"] or 0), u["unit"]))
    for position, u in enumerate(units, start=1):
        u["rank"] = position
    return {"min_cases": threshold, "hidden": len(rows) - len(shown), "units": units}


def trend(
    area: Area | None,
    period: kpis.Period,
    *,
    base: QuerySet[WorkOrder] | None = None,
    unit: Organisation | int | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    now = now or timezone.now()
    orders = cohort(base if base is not None else WorkOrder.objects.all(), area, period, unit)
    trunc = TruncDay if period.days <= 62 else TruncMonth
    rows: Any = (
        annotate_for_kpis(orders)
        .annotate(bucket=trunc("submitted_at", tzinfo=kpis.LOCAL))
        .values("bucket")
        .annotate(**measures(now))
        .order_by("bucket")
    )
    out = []
    for r in rows:
        result = kpis.finish(r)
        bucket = r["bucket"]
        label = bucket.astimezone(kpis.LOCAL).date().isoformat() if isinstance(bucket, dt.datetime) else str(bucket)
        out.append(
            {"bucket": label, **{key: result[key] for key in kpis.TREND_KEYS if key != "cases"}, "cases": r["cases"]}
        )
    return out


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
    """The old dashboard (summary, trend, ranking; the overdue list never used the KPIs)."""
    period = kpis.Period(kpis._as_datetime(start), kpis._as_datetime(end), f"{start}..{end}")
    base = WorkOrder.objects.restrict(user, verb) if user is not None else WorkOrder.objects.all()
    now = now or timezone.now()
    return {
        "summary": summary(area, period, base=base, unit=unit, now=now),
        "trend": trend(area, period, base=base, unit=unit, now=now),
        "ranking": ranking(area, period, base=base, now=now),
    }
