"""Observers of administrator grants, called inside the granting action's transaction.

Access sits below the domains that must hear about administrator grants (the governance
ledger puts every grant and revocation of an administrator role on its log), so they
register a callback from their ``AppConfig.ready()`` instead of being imported here — the
same pattern as ``gongzhi.core.scoping.register_provider``. Observers write in the caller's
transaction (a rolled-back grant leaves no trace); they must not have side effects outside
the database.
"""

from __future__ import annotations

from collections.abc import Callable

from gongzhi.access.choices import ADMIN_ROLES
from gongzhi.access.models import RoleGrant

AdminGrantObserver = Callable[[RoleGrant, str], None]

_observers: list[AdminGrantObserver] = []


def register_admin_grant_observer(observer: AdminGrantObserver) -> None:
    """Call ``observer(grant, change)`` (``change`` is ``"grant"`` or ``"revoke"``) for administrator roles."""
    if observer not in _observers:
        _observers.append(observer)


def admin_grant_changed(grant: RoleGrant, change: str) -> None:
    if grant.role not in ADMIN_ROLES:
        return
    for observer in _observers:
        observer(grant, change)
