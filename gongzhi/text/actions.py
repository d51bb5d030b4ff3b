"""Every write of the text domain.

Training itself (minutes of CPU) happens outside any transaction in :mod:`gongzhi.text.training`;
the action only stores the finished model and its report.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action, runs_actions
from gongzhi.notifications.dispatch import notify
from gongzhi.organisations.models import MatterCategory, Organisation
from gongzhi.text import queries, runtime
from gongzhi.text.choices import AlertKind, AlertState, ModelSource
from gongzhi.text.engine.classifier import TextClassifier
from gongzhi.text.engine.csvdata import SHANGHAI
from gongzhi.text.engine.hotspots import HotMessage, find_hotspots
from gongzhi.text.engine.redact import redact
from gongzhi.text.errors import TextError, TextErrorCode
from gongzhi.text.models import HotSpot, HotSpotRun, OrderInsight, TextAlert, TextModel
from gongzhi.work_orders import actions as wo_actions
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.errors import WorkOrderError
from gongzhi.work_orders.models import WorkOrder

#: Notification kind of an urgent message at intake (group "text", registered in TextConfig.ready).
URGENT_KIND = "text.urgent"
MAX_MODEL_BYTES = 50 * 1024 * 1024


def _label_categories(labels: Sequence[str]) -> dict[str, int]:
    """Map labels to categories by code, then by Chinese or English name."""
    found: dict[str, int] = {}
    rows = list(MatterCategory.objects.filter(is_active=True).values_list("pk", "code", "name", "name_en", "level"))
    for label in labels:
        for key in (1, 2, 3):  # code, name, English name
            match = sorted((r for r in rows if r[key] and r[key] == label), key=lambda r: r[4])
            if match:
                found[label] = match[0][0]
                break
    return found


def _macro_f1(metrics: dict[str, Any] | None) -> float | None:
    cv = (metrics or {}).get("cross_validation") or {}
    value = cv.get("macro_f1_mean")
    return float(value) if value is not None else None


def _activation_decision(metrics: dict[str, Any]) -> dict[str, Any]:
    """Whether a retrained model may replace the active one: only when no model is active,
    or when its cross-validated macro-F1 is at least the active model's. A model bootstrapped
    from a large labelled file is thus not replaced by one trained on the first few dozen
    closed requests; the new version is kept (inactive, with its report) and staff may still
    activate it by hand."""
    active = TextModel.objects.filter(is_active=True).only("version", "metrics").first()
    if active is None:
        return {"activated": True, "reason": "no_active_model"}
    new, old = _macro_f1(metrics), _macro_f1(active.metrics)
    decision: dict[str, Any] = {"active_version": active.version, "active_macro_f1": old, "macro_f1": new}
    if new is None:
        return {**decision, "activated": False, "reason": "not_cross_validated"}
    if old is not None and new < old:
        return {**decision, "activated": False, "reason": "lower_macro_f1"}
    return {**decision, "activated": True, "reason": "not_lower_macro_f1"}


@action
def register_text_model(
    classifier: TextClassifier,
    *,
    actor: Any,
    source: ModelSource | str,
    metrics: dict[str, Any],
    activate: bool | Literal["if_not_worse"] = True,
) -> TextModel:
    """Store a trained classifier as the next version and make it the active one
    (``activate=True``), keep it inactive (``False``), or make it active only if it is not
    worse than the active one (``"if_not_worse"``, the nightly retrain: the decision and its
    reason are stored in ``metrics["activation"]``)."""
    data = classifier.dumps()
    if len(data) > MAX_MODEL_BYTES:
        raise TextError(TextErrorCode.MODEL_TOO_LARGE)
    version = (TextModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    if activate == "if_not_worse":
        metrics = {**metrics, "activation": _activation_decision(metrics)}
        activate = bool(metrics["activation"]["activated"])
    if activate:
        TextModel.objects.filter(is_active=True).update(is_active=False, updated_at=timezone.now())
    model = TextModel.objects.create(
        version=version,
        source=ModelSource(source),
        trained_by=actor if getattr(actor, "is_authenticated", False) else None,
        n_train=classifier.n_train,
        labels=classifier.labels,
        label_categories=_label_categories(classifier.labels),
        metrics=metrics,
        data=data,
        size_bytes=len(data),
        is_active=activate,
    )
    record_change(model, verb="train", actor=actor)
    transaction.on_commit(runtime.forget)
    return model


@action
def activate_text_model(model: TextModel, *, actor: Any) -> TextModel:
    """Make an earlier (or later) version the one used for suggestions."""
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    before = snapshot(model)
    TextModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False, updated_at=timezone.now())
    model.is_active = True
    model.save(update_fields=["is_active", "updated_at"])
    record_change(model, verb="activate", actor=actor, before=before)
    transaction.on_commit(runtime.forget)
    return model


def _auto_route_threshold() -> float | None:
    value = getattr(settings, "GONGZHI_TEXT_AUTO_ROUTE_CONFIDENCE", None)
    return None if value in (None, "") else float(value)


@action
def analyse_order(order: WorkOrder, *, actor: Any = None, reading: queries.Reading | None = None) -> OrderInsight:
    """Read one order: suggest category and units, flag urgency (and raise an alert), find
    duplicate candidates; above the configured confidence, dispatch it to the proposed unit.

    Run at intake (after commit) and again on demand; re-running updates the same insight and
    never raises a second alert for the same order. ``reading``: what ``queries.read_orders``
    read in this order as part of a batch (the intake of a burst, :func:`analyse_orders`);
    without it the order is re-read and read here.
    """
    if reading is None:
        # Locked: two re-analyses of one order run one after the other, and the second reads
        # the insight the first stored.
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("area")
            .defer("area__boundary")
            .get(pk=order.pk)
        )
        reading = queries.read_orders([order])[order.pk]
    version, suggestions, cues, duplicates = (
        reading.model_version,
        reading.suggestions,
        reading.cues,
        reading.duplicates,
    )
    insight = reading.stored
    before = None if insight is None else snapshot(insight)
    if insight is None:
        insight = OrderInsight(order=order)
    insight.area_path = order.area_path
    insight.model_version = version
    insight.suggestions = suggestions
    insight.urgent = bool(cues)
    insight.cues = cues
    insight.duplicates = duplicates
    insight.analysed_at = timezone.now()
    threshold = _auto_route_threshold()
    if (
        threshold is not None
        and not insight.auto_routed
        and order.status == Status.SUBMITTED
        and suggestions
        and suggestions[0]["confidence"] >= threshold
        and suggestions[0]["units"]
        and not duplicates
    ):
        unit = Organisation.objects.get(pk=suggestions[0]["units"][0]["id"])
        try:
            wo_actions.dispatch_work_order(
                order,
                to=unit,
                actor=actor,
                note=gettext("Routed automatically: %(category)s (confidence %(confidence).0f%%).")
                % {"category": suggestions[0]["category_name"], "confidence": 100 * suggestions[0]["confidence"]},
            )
        except WorkOrderError:
            pass  # the dispatcher routes it by hand
        else:
            insight.auto_routed = True
    insight.save()
    if cues:
        _flag_urgent(order, cues, actor)
    record_change(insight, verb="analyse", actor=actor, before=before, related=order)
    return insight


def _flag_urgent(order: WorkOrder, cues: list[dict[str, str]], actor: Any) -> None:
    """Urgency cues make the order urgent (with the cues in its timeline), raise one text alert
    and notify the people watching the area and the unit handling it, once per order."""
    words = [c["words"] for c in cues]
    # Already flagged (a re-run), or closed/rejected/merged meanwhile: nothing to flag.
    with contextlib.suppress(WorkOrderError):
        order = wo_actions.flag_urgent(order, actor=actor, cues=words)
    if TextAlert.objects.filter(kind=AlertKind.URGENT, order=order).exists():
        return
    alert = TextAlert.objects.create(
        kind=AlertKind.URGENT,
        order=order,
        area_path=order.area_path,
        summary=f"{order.number} {order.title}"[:300],
        cues=cues,
    )
    notify(
        queries.urgent_alert_recipients(order),
        kind=URGENT_KIND,
        title=gettext("Urgent request %(number)s: %(cues)s") % {"number": order.number, "cues": "、".join(words)},
        body=redact(order.title),
        url=reverse("work_orders:detail", args=[order.pk]),
        source=alert,
        urgent=True,
    )


@runs_actions
def analyse_orders(order_ids: Sequence[int]) -> int:
    """Intake analysis of a batch of new orders: read as a batch (``queries.read_orders``: one
    classification call, one candidate query per community), then stored one action per order
    in one transaction (a failing order's savepoint rolls back, it is logged and does not stop
    the others; an order analysed meanwhile by a re-analysis fails here on the unique insight
    and keeps that analysis). Idempotent; returns how many were analysed."""
    orders = list(
        WorkOrder.objects.select_related("area").defer("area__boundary").filter(pk__in=order_ids).order_by("pk")
    )
    if not orders:
        return 0
    readings = queries.read_orders(orders)
    done = 0
    with transaction.atomic():  # one commit for the batch; each action is a savepoint in it
        for order in orders:
            try:
                analyse_order(order, reading=readings[order.pk])
            except Exception:  # one order's analysis must not cost the batch its others
                logging.getLogger(__name__).exception("intake analysis failed for order %s", order.pk)
                continue
            done += 1
    return done


@action
def acknowledge_alert(alert: TextAlert, *, actor: Any) -> TextAlert:
    """Someone has seen the alert and is acting on it."""
    alert = TextAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.state != AlertState.OPEN:
        raise TextError(TextErrorCode.ALREADY_ACKNOWLEDGED)
    before = snapshot(alert)
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["state", "acknowledged_by", "acknowledged_at", "updated_at"])
    record_change(alert, verb="acknowledge", actor=actor, before=before)
    return alert


def _common_path(paths: Sequence[str]) -> str:
    parts = [p.split("/") for p in paths if p]
    if not parts:
        return ""
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    path = "/".join(common)
    return path if path.endswith("/") or not path else path + "/"


#: Reported orders of these states are not evidence of a problem.
_NOT_COUNTED = (Status.REJECTED,)


@action
def refresh_hotspots(*, actor: Any = None, window_days: int = 30, now: Any = None, top: int = 50) -> HotSpotRun:
    """Recompute the hot spots of the last ``window_days`` from the work orders; raise an alert
    for each hot spot that shares no order with a current one (a new hot spot)."""
    started = time.monotonic()
    now = now or timezone.now()
    rows = list(
        WorkOrder.objects.filter(submitted_at__gte=now - timedelta(days=window_days), submitted_at__lte=now)
        .exclude(status__in=_NOT_COUNTED)
        .annotate(followers=Count("subscriptions"))
        .values("id", "title", "description", "submitted_at", "submitter_id", "contact_phone", "area_path", "followers")
    )
    paths = {r["id"]: r["area_path"] for r in rows}
    messages = [
        HotMessage(
            key=str(r["id"]),
            title=r["title"],
            text=r["description"],
            time=r["submitted_at"].astimezone(SHANGHAI),
            user=str(r["submitter_id"] or r["contact_phone"] or f"order-{r['id']}"),
            # Public attention: residents who pressed "me too" and follow the request.
            attention=r["followers"],
        )
        for r in rows
    ]
    spots = find_hotspots(messages, top=top, window_days=window_days)
    previous = list(HotSpot.objects.filter(is_current=True).prefetch_related("members"))
    previous_members = {m.pk for h in previous for m in h.members.all()}
    HotSpot.objects.filter(is_current=True).update(is_current=False, updated_at=timezone.now())
    new_count = 0
    for spot in spots:
        member_ids = [int(k) for k in spot.members]
        key = f"wo-{min(member_ids)}"
        hotspot, _ = HotSpot.objects.update_or_create(
            key=key,
            defaults={
                "label": spot.label[:200],
                "place": spot.place[:100],
                "terms": spot.terms,
                "score": round(spot.score, 4),
                "size": len(member_ids),
                "reporters": spot.reporters,
                "attention": spot.attention,
                "first_at": spot.first,
                "last_at": spot.last,
                "trend": [{"week": w, "count": n} for w, n in spot.trend],
                "area_path": _common_path([paths[i] for i in member_ids]),
                "is_current": True,
            },
        )
        hotspot.members.set(member_ids)
        if not previous_members.intersection(member_ids):
            new_count += 1
            TextAlert.objects.get_or_create(
                kind=AlertKind.HOTSPOT,
                hotspot=hotspot,
                defaults={"area_path": hotspot.area_path, "summary": hotspot.label[:300]},
            )
    run = HotSpotRun.objects.create(
        window_days=window_days,
        orders=len(rows),
        groups=len(spots),
        new_groups=new_count,
        seconds=round(time.monotonic() - started, 3),
    )
    record_change(run, verb="refresh_hotspots", actor=actor)
    return run
