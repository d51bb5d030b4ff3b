"""Scheduled jobs of the text domain (registered in settings.GONGZHI_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.core import context
from gongzhi.text import actions, training
from gongzhi.text.errors import TextError


@shared_task(name="gongzhi.text.tasks.retrain_classifier", acks_late=True)
def retrain_classifier() -> dict[str, object]:
    """Train a new version from the closed work orders; keep the old one if there is too little
    data, or active if the new one does not cross-validate at least as well."""
    with context.acting_as(None, source="task:retrain_classifier"):
        try:
            model = training.train_from_closed_orders()
        except TextError as err:
            return {"trained": False, "code": err.code.value}
    return {"trained": True, "version": model.version, "n_train": model.n_train, "activated": model.is_active}


@shared_task(name="gongzhi.text.tasks.refresh_hotspots", acks_late=True)
def refresh_hotspots() -> dict[str, int]:
    with context.acting_as(None, source="task:refresh_hotspots"):
        run = actions.refresh_hotspots()
    return {"orders": run.orders, "groups": run.groups, "new": run.new_groups}


@shared_task(name="gongzhi.text.tasks.analyse_order", acks_late=True)
def analyse_order(order_id: int) -> bool:
    """Intake analysis of one order (idempotent: re-running updates the same insight)."""
    from gongzhi.work_orders.models import WorkOrder

    order = WorkOrder.objects.filter(pk=order_id).first()
    if order is None:
        return False
    with context.acting_as(None, source="task:analyse_order"):
        actions.analyse_order(order)
    return True


@shared_task(name="gongzhi.text.tasks.analyse_orders", acks_late=True)
def analyse_orders(order_ids: list[int]) -> int:
    """Intake analysis of a batch of new orders (``actions.analyse_orders``); one task per
    batch instead of one per order. Idempotent."""
    with context.acting_as(None, source="task:analyse_order"):
        return actions.analyse_orders(order_ids)
