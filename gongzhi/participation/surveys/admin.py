"""Read-only admin for surveys: rows scoped to the user; every write goes through the UI or
API (actions). Responses are not listed at all (anonymous surveys must stay unlinkable)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.participation.surveys.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "status", "anonymous", "unit", "response_count", "closes_at"]
    list_filter = ["status", "anonymous", "unit"]
    search_fields = ["title"]
    exclude = ["live_results"]

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset: Any = super().get_queryset(request)
        return queryset.restrict(request.user, "view")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
