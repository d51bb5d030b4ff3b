"""Callbacks the ledger registers with lower layers (they cannot import the ledger)."""

from __future__ import annotations

from typing import Any

from gongzhi.ledger import events


def log_admin_grant(grant: Any, change: str) -> None:
    """Put an administrator grant or revocation (``gongzhi.access``) on the log."""
    by = grant.granted_by_id if change == "grant" else grant.revoked_by_id
    events.admin_grant(grant_id=grant.pk, role=str(grant.role), user_id=grant.user_id, granted_by_id=by, change=change)
