"""Who may see and do what in the text domain.

Insights on an order follow the order: the order must be visible to the user (else 404) and
the user must hold ``view_orderinsight`` over its area (else 403). A reply may be checked by
whoever may reply to the order (the lead unit's handlers).
"""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.text.models import HotSpot, OrderInsight, TextAlert, TextModel
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.permissions import WorkOrderPolicy


def _grant_covers(user: Any, perm: str, area_path: str) -> bool:
    return any(area_path.startswith(g.area_path or "") for g in grants_with_permission(user, perm))


class OrderInsightPolicy(Policy):
    model = OrderInsight

    @classmethod
    def may_view_for(cls, user: Any, order: WorkOrder) -> bool:
        return getattr(user, "is_authenticated", False) and _grant_covers(
            user, "text.view_orderinsight", order.area_path
        )


class ReplyCheckPolicy:
    @staticmethod
    def may_check(user: Any, order: WorkOrder) -> bool:
        return WorkOrderPolicy.may(user, "reply", order) or OrderInsightPolicy.may_view_for(user, order)


class HotSpotPolicy(Policy):
    model = HotSpot


class TextAlertPolicy(Policy):
    model = TextAlert

    @classmethod
    def can_acknowledge(cls, user: Any, alert: TextAlert | None) -> bool:
        if alert is None:
            return cls.has_permission(user, "acknowledge")
        # The state is the action's business: it refuses with ``already_acknowledged``.
        return cls.in_scope(user, "acknowledge", alert)


class TextModelPolicy(Policy):
    model = TextModel
