"""Who may read the audit log: the audit administrator (三员分立), nobody else.

The permission comes from role grants only (``audit.view_changerecord`` and
``audit.export_changerecord``, declared in ``AuditConfig.role_permissions``): a Django
superuser flag does not open the audit log. Everyone else gets a 404, so the audit
log's existence is not advertised.

The checks ask the scoping layer (``gongzhi.core.scoping``), which the access domain
answers from role grants, rather than subclassing ``access.policy.Policy``: every
domain's actions import audit, so audit must not depend on the access domain.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from gongzhi.audit.models import ChangeRecord
from gongzhi.core.scoping import scope_q


def can_view_change_records(user: Any) -> bool:
    """The user holds ``audit.view_changerecord`` through a role grant."""
    return scope_q(user, ChangeRecord, "view") is not None


def can_export_change_records(user: Any) -> bool:
    return can_view_change_records(user) and scope_q(user, ChangeRecord, "export") is not None


def require_audit_reader(user: Any, *, export: bool = False) -> None:
    """404 unless the user may read (or export) the audit log."""
    allowed = can_export_change_records(user) if export else can_view_change_records(user)
    if not allowed:
        raise Http404
