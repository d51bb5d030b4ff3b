"""What text intelligence adds to the work-order screens (registered in ``apps.ready``):
the intake hook, the insight panel on an order, and the reply check in the reply form."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from gongzhi.text.models import OrderInsight
from gongzhi.text.permissions import OrderInsightPolicy, ReplyCheckPolicy
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.permissions import WorkOrderPolicy


def after_intake(order_ids: list[int]) -> None:
    """Analyse a batch of new orders (one Celery task; eager in embedded mode)."""
    from gongzhi.text import tasks

    tasks.analyse_orders.delay(order_ids)


def insight_panel(request: Any, order: WorkOrder) -> str:
    user = request.user
    if not OrderInsightPolicy.may_view_for(user, order):
        return ""
    insight = OrderInsight.objects.filter(order=order).first()
    duplicates = insight.duplicates if insight else []
    return render_to_string(
        "text/_insight_panel.html",
        {
            "order": order,
            "insight": insight,
            "duplicates": duplicates,
            "can_merge": WorkOrderPolicy.can(user, "merge", order),
        },
        request=request,
    )


def reply_check_widget(request: Any, order: WorkOrder) -> str:
    if not ReplyCheckPolicy.may_check(request.user, order):
        return ""
    return render_to_string("text/_reply_check_widget.html", {"order": order}, request=request)
