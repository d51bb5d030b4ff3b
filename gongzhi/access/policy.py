"""The base Policy. Each domain's ``permissions.py`` subclasses it.

``can_<verb>(user, obj)`` answers "may this user do this to this object now", which
is scope (the grant reaches the object) and state (the object allows the verb now).
``access_*`` helpers in domains raise Http404 when out of scope and PermissionDenied
when in view scope but the verb is not allowed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name


class Policy:
    model: ClassVar[type[models.Model]]

    @classmethod
    def has_permission(cls, user: Any, verb: str) -> bool:
        """The user holds the verb somewhere (or owns objects that allow it)."""
        if not getattr(user, "is_authenticated", False):
            return False
        if grants_with_permission(user, permission_name(cls.model, verb)):
            return True
        spec = getattr(cls.model, "scope", None)
        return bool(spec and spec.owner and verb in spec.owner_verbs)

    @classmethod
    def in_scope(cls, user: Any, verb: str, obj: models.Model) -> bool:
        manager: Any = cls.model._default_manager
        return bool(manager.restrict(user, verb).filter(pk=obj.pk).exists())

    @classmethod
    def can(cls, user: Any, verb: str, obj: models.Model | None = None) -> bool:
        """Dispatches to ``can_<verb>`` if the policy defines it, else scope alone."""
        method = getattr(cls, f"can_{verb}", None)
        if method is not None:
            return bool(method(user, obj))
        if obj is None:
            return cls.has_permission(user, verb)
        return cls.in_scope(user, verb, obj)

    @classmethod
    def access(cls, user: Any, pk: Any, verb: str = "view") -> models.Model:
        """Fetch-and-authorise: 404 if missing or not visible, 403 if visible but not allowed."""
        manager: Any = cls.model._default_manager
        obj = manager.restrict(user, "view").filter(pk=pk).first()
        if obj is None:
            raise Http404
        if verb != "view" and not cls.can(user, verb, obj):
            raise PermissionDenied
        return obj
