"""Row-level scoping: ``Model.objects.restrict(user, verb)``.

Core knows *how* a model is placed (its :class:`ScopeSpec`: where its area path,
organisation and owner are); the access layer knows *who* holds which grants and
registers itself here as the :class:`ScopeProvider` at start-up. Deny by default:
with no provider, or no grant carrying the permission, ``restrict`` is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class ScopeSpec:
    """Where a model sits, for scoping.

    ``area_path``: lookup to a materialised area path (``"path"`` on Area itself,
    ``"area__path"`` or a denormalised ``"area_path"`` elsewhere). ``organisation``:
    lookup to the id of the organisation the row belongs to. ``owner``: lookup to the
    id of the user who owns the row; owners may use ``owner_verbs`` on it without a
    grant. ``extra``: a callable ``(grant, verb) -> Q | None`` for rules that need more.
    """

    area_path: str | None = None
    organisation: str | None = None
    owner: str | None = None
    owner_verbs: frozenset[str] = field(default_factory=lambda: frozenset({"view"}))
    extra: Callable[[Any, str], Q | None] | None = None


class ScopeProvider(Protocol):
    def scope_q(self, user: Any, model: type[models.Model], verb: str) -> Q | None: ...


_provider: ScopeProvider | None = None


def register_provider(provider: ScopeProvider) -> None:
    global _provider
    _provider = provider


def scope_q(user: AbstractBaseUser | AnonymousUser | None, model: type[models.Model], verb: str) -> Q | None:
    """The filter that limits ``model`` to what ``user`` may ``verb``; None means nothing."""
    if user is None or not user.is_authenticated or not user.is_active or _provider is None:
        return None
    return _provider.scope_q(user, model, verb)


_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, verb: str = "view") -> RestrictedQuerySet[_M]:
        q = scope_q(user, self.model, verb)
        if q is None:
            return self.none()
        return self.filter(q)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """Default manager for every scoped model."""
