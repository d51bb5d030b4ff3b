"""Read-only admin for meetings and owners' votes: rows scoped to the user; every write goes
through the UI or API (actions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.participation.meetings.models import Meeting, OwnersVote


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> Any:
        queryset: Any = super().get_queryset(request)
        return queryset.restrict(request.user, "view")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "kind", "area", "starts_at", "status", "attendance_count", "quorum"]
    list_filter = ["kind", "status"]


@admin.register(OwnersVote)
class OwnersVoteAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "estate", "matter", "status", "participation_met", "majority_met"]
    list_filter = ["matter", "status"]
