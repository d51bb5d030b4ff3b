"""The KPI fact rows (``KpiFact``, one per work order) and how they are derived.

Every column is an SQL expression over the order and its latest rating (``fact_columns``).
The same expressions serve the actions (``refresh``: one ``INSERT … SELECT … ON CONFLICT
DO UPDATE`` for the orders an action just saved, inside its transaction) and the backfill
(``rebuild``: the same statement over ranges of ids, ``manage.py rebuild_kpi_facts``), so a
fact can only differ from its order if the order was written without an action and not
rebuilt since. docs/kpis.md ("KPI facts") describes the design and its figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.db.models import BooleanField, Case, Count, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from gongzhi.work_orders.choices import AssignmentRole, Status

LOCAL = ZoneInfo("Asia/Shanghai")
REBUILD_BATCH = 100_000


def _flag(condition: Q) -> Case:
    """True when ``condition`` holds, False otherwise (also when it compares with NULL, as
    ``COUNT(*) FILTER (WHERE …)`` did in the KPI query over orders)."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def fact_columns(rating_model: type[models.Model], assignment_model: type[models.Model]) -> dict[str, Any]:
    """Fact column -> expression over a work-order queryset (models passed in so that a
    migration can use its historical models)."""

    def latest_rating(field: str) -> Subquery:
        ratings = rating_model._default_manager.filter(order_id=OuterRef("pk")).order_by("-round")
        return Subquery(ratings.values(field)[:1])

    per_order = (
        assignment_model._default_manager.filter(order_id=OuterRef("pk"), role=AssignmentRole.LEAD)
        .order_by()
        .values("order_id")
    )

    def leads(count: Count) -> Coalesce:
        return Coalesce(Subquery(per_order.annotate(n=count).values("n")), 0)

    one_unit = per_order.annotate(low=Min("organisation_id"), high=Max("organisation_id")).annotate(
        unit=Case(When(low=F("high"), then=F("low")), default=None, output_field=models.BigIntegerField())
    )

    return {
        "order_id": F("pk"),
        "month": ExtractYear("submitted_at", tzinfo=LOCAL) * 100 + ExtractMonth("submitted_at", tzinfo=LOCAL),
        "day": ExtractDay("submitted_at", tzinfo=LOCAL),
        "submitted_at": F("submitted_at"),
        "area_path": F("area_path"),
        "lead_organisation_id": F("lead_organisation_id"),
        "submitter_id": F("submitter_id"),
        "is_merged": _flag(Q(status=Status.MERGED)),
        "is_dispatched": _flag(Q(dispatched_at__isnull=False)),
        "is_signed": _flag(Q(signed_at__isnull=False)),
        "is_signed_on_time": _flag(Q(signed_at__lte=F("sign_due"))),
        "sign_due": F("sign_due"),
        "is_contacted": _flag(Q(first_contact_at__isnull=False)),
        "is_contacted_on_time": _flag(Q(first_contact_at__lte=F("contact_due"))),
        "contact_due": F("contact_due"),
        "is_replied": _flag(Q(replied_at__isnull=False)),
        "is_replied_on_time": _flag(Q(replied_at__lte=F("reply_due"))),
        "reply_due": F("reply_due"),
        "rating_due": F("rating_due"),
        "is_closed": _flag(Q(status=Status.CLOSED)),
        "follow_up_resolved": F("follow_up_resolved"),
        "satisfaction": latest_rating("satisfaction"),
        "rated_resolved": latest_rating("resolved"),
        "is_repeat": F("is_repeat"),
        "is_reopened": _flag(Q(reopen_count__gt=0)),
        "is_extended": _flag(Q(extension_count__gt=0)),
        "is_followed_up": _flag(Q(followed_up_at__isnull=False)),
        "response_minutes": F("response_minutes"),
        "handling_minutes": F("handling_minutes"),
        "lead_assignments": leads(Count("pk")),
        "returned_leads": leads(Count("pk", filter=Q(end_reason="returned"))),
        "single_lead_unit": Subquery(one_unit.values("unit")),
    }


def _models(apps: Any = None) -> tuple[type[models.Model], type[models.Model], type[models.Model], type[models.Model]]:
    """(WorkOrder, Rating, Assignment, KpiFact): the current models, or a migration's."""
    names = ("WorkOrder", "Rating", "Assignment", "KpiFact")
    if apps is None:
        from gongzhi.work_orders import models as current

        return tuple(getattr(current, name) for name in names)  # type: ignore[return-value]
    return tuple(apps.get_model("work_orders", name) for name in names)  # type: ignore[return-value]


def current_fact_columns() -> dict[str, Any]:
    _order, rating, assignment, _fact = _models()
    return fact_columns(rating, assignment)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise LookupError(name)
    return str(field.column)


def _statement(where: Q, apps: Any = None) -> tuple[str, list[Any]]:
    """``INSERT INTO kpifact (…) SELECT <fact_columns> FROM workorder WHERE … ON CONFLICT
    (order_id) DO UPDATE`` — one statement, PostgreSQL and SQLite alike. The SELECT is
    compiled by the ORM (parameters apart); only the INSERT frame is written here."""
    order_model, rating_model, assignment_model, fact_model = _models(apps)
    columns = fact_columns(rating_model, assignment_model)
    aliases = {f"kf_{name}": expression for name, expression in columns.items()}
    select = order_model._default_manager.filter(where).order_by().annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(fact_model._meta.db_table)
    names = [connection.ops.quote_name(_column(fact_model, name)) for name in columns]
    updates = ", ".join(f"{name} = excluded.{name}" for name in names[1:])
    statement = (
        f"INSERT INTO {table} ({', '.join(names)}) {sql} "  # identifiers from the model, SELECT from the ORM
        f"ON CONFLICT ({names[0]}) DO UPDATE SET {updates}"
    )
    return statement, list(params)


def _execute(statement: str, params: Iterable[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))
        return int(cursor.rowcount)


def _upsert(where: Q, apps: Any = None) -> int:
    return _execute(*_statement(where, apps))


# A placeholder id that no order has: the statement for N ids is compiled once per process
# with N placeholders, and each call substitutes its ids for them (compiling the ~30 fact
# expressions through the ORM cost ~10 ms of CPU on every action; the statement is the same).
_PLACEHOLDER_ID = -7_390_214_618_351
_CACHED_COUNTS = 32
_compiled: dict[tuple[str, int], tuple[str, list[Any], list[int]]] = {}


def _refresh_statement(count: int) -> tuple[str, list[Any], list[int]]:
    key = (connection.vendor, count)
    if key not in _compiled:
        statement, params = _statement(Q(pk__in=[_PLACEHOLDER_ID - i for i in range(count)]))
        slots = [i for i, value in enumerate(params) if isinstance(value, int) and value <= _PLACEHOLDER_ID]
        if len(slots) != count:  # the ORM folded or repeated the ids: do not cache a wrong frame
            raise RuntimeError("KPI fact statement: placeholder ids not found once each")
        _compiled[key] = (statement, params, slots)
    return _compiled[key]


def refresh(order_ids: Iterable[int]) -> None:
    """Bring the facts of these orders in line with the orders (one statement). Called by
    the work-order actions after saving an order, inside their transaction."""
    ids = sorted(set(order_ids))
    if not ids:
        return
    if len(ids) > _CACHED_COUNTS:  # bulk actions: rare, compiled each time
        _upsert(Q(pk__in=ids))
        return
    statement, template, slots = _refresh_statement(len(ids))
    params = list(template)
    for slot, order_id in zip(slots, ids, strict=True):
        params[slot] = order_id
    _execute(statement, params)


def rebuild(*, apps: Any = None, batch_size: int = REBUILD_BATCH) -> int:
    """Every order's fact, set-based, in ranges of ids (each range one transaction); facts
    of deleted orders go with them (CASCADE). Returns the number of orders written."""
    order_model = _models(apps)[0]
    bounds = order_model._default_manager.aggregate(low=models.Min("pk"), high=models.Max("pk"))
    if bounds["low"] is None:
        return 0
    written = 0
    for start in range(bounds["low"], bounds["high"] + 1, batch_size):
        with transaction.atomic():
            written += _upsert(Q(pk__gte=start, pk__lt=start + batch_size), apps)
    return written


__all__ = ["fact_columns", "rebuild", "refresh"]
