"""Who may do what to a work order.

``may_<verb>`` / :meth:`WorkOrderPolicy.may` answer the relationship question (scope,
role, being the lead unit or the submitter); ``can_<verb>`` adds the state, for
showing the right buttons. The API checks ``may`` and lets the action refuse a step
that the state does not allow, so the client gets the ``illegal_transition`` code.
"""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.work_orders import transitions
from gongzhi.work_orders.models import WorkOrder


class WorkOrderPolicy(Policy):
    model = WorkOrder

    @classmethod
    def lead_unit_grant(cls, user: Any, verb: str, order: WorkOrder) -> bool:
        """The user holds ``verb`` for the order's lead unit, over the order's area."""
        if order.lead_organisation_id is None:
            return False
        return any(
            g.organisation_id == order.lead_organisation_id and order.area_path.startswith(g.area_path or "")
            for g in grants_with_permission(user, permission_name(WorkOrder, verb))
        )

    @classmethod
    def may(cls, user: Any, verb: str, order: WorkOrder | None) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if order is None:
            return cls.has_permission(user, verb)
        if verb in transitions.OWNER_VERBS:
            return order.submitter_id == user.pk
        if verb in transitions.HANDLER_VERBS:
            return cls.lead_unit_grant(user, verb, order)
        return cls.in_scope(user, verb, order)

    @classmethod
    def can(cls, user: Any, verb: str, obj: Any = None) -> bool:
        if obj is None or verb == "view":
            return super().can(user, verb, obj)
        return transitions.allows(verb, obj.status) and cls.may(user, verb, obj)

    @classmethod
    def allowed_verbs(cls, user: Any, order: WorkOrder) -> list[str]:
        """The steps this user could take on this order now (for the UI's buttons)."""
        return [verb for verb in transitions.ALLOWED_FROM if cls.can(user, verb, order)]
