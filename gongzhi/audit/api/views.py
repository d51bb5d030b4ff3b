"""``/api/audit/changes/``: the audit log, read-only, for the audit administrator only.

Anonymous requests get 403 like every API endpoint; signed-in users without the audit
administrator's grant get 404, as on the audit pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from gongzhi.audit.api.serializers import ChangeRecordSerializer
from gongzhi.audit.filters import ChangeRecordFilter
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.permissions import can_view_change_records


class AuditReaderPermission(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if not can_view_change_records(request.user):
            raise NotFound
        return True


class ChangeRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChangeRecordSerializer
    permission_classes = [AuditReaderPermission]
    filterset_class = ChangeRecordFilter

    def get_queryset(self) -> QuerySet[ChangeRecord]:
        return ChangeRecord.objects.restrict(self.request.user, "view").select_related(
            "actor", "target_type", "related_type"
        )
