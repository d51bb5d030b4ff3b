"""Audit actions, and the ``record_change`` helper every domain's actions call.

``record_change`` and ``snapshot`` are re-exported here so that domains write
``from gongzhi.audit.actions import record_change, snapshot``.
"""

from __future__ import annotations

from typing import Any

from gongzhi.audit.decorators import action
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.recording import record_change
from gongzhi.audit.snapshot import snapshot


@action
def export_change_records(
    exporter: Any, *, actor: Any, filters: dict[str, Any], export_format: str = "csv"
) -> ChangeRecord:
    """Record that ``actor`` exported the audit log with ``filters``.

    Reading the audit log in bulk is itself audited. The record is written against the
    exporting user (there is no "export" object), with the filters in ``after``.
    """
    details = {"format": export_format, "filters": {k: v for k, v in sorted(filters.items()) if v not in (None, "")}}
    return record_change(exporter, verb="audit_export", actor=actor, before=None, after=details)


__all__ = ["export_change_records", "record_change", "snapshot"]
