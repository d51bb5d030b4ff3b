"""The policy permission class: deny by default, scope gives 404, policy gives 403."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

#: DRF action -> policy verb, for the standard actions. Custom @actions name their verb.
ACTION_VERBS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


def verb_for(view: Any) -> str | None:
    action = getattr(view, "action", None)
    verbs = getattr(view, "action_verbs", {}) or {}
    return verbs.get(action) or ACTION_VERBS.get(action or "")


class PolicyPermission(BasePermission):
    """Requires the view's ``policy`` to allow the action's verb.

    List/create: the user must hold the verb somewhere (403 otherwise). Object actions:
    the object was already found through ``restrict(user, "view")`` (out of scope is a
    404 before we get here); the policy's ``can_<verb>`` then decides (403 on refusal).
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        verb = verb_for(view)
        if verb is None:
            return False  # deny by default: an action without a verb is a bug
        if getattr(view, "detail", False):
            return True  # decided per object
        return bool(view.policy.can(request.user, verb, None))

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        verb = verb_for(view)
        return verb is not None and bool(view.policy.can(request.user, verb, obj))
