"""The notifications API: my notices (list, unread count, mark read, mark all read) and my
preferences. Everything is the signed-in user's own; other users' notices are 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action as route
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.api.viewsets import ScopedViewSetMixin
from gongzhi.notifications import actions, queries
from gongzhi.notifications.api import serializers as s
from gongzhi.notifications.models import Notification
from gongzhi.notifications.permissions import NotificationPolicy


class NotificationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """``?unread=1`` lists only unread notices."""

    policy = NotificationPolicy
    serializer_class = s.NotificationSerializer
    action_verbs = {"read": "change", "read_all": "change", "unread_count": "view"}

    def get_queryset(self) -> Any:
        return queries.list_notifications(self.request.user, unread=self.request.query_params.get("unread") == "1")

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @route(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notice: Notification = self.get_object()
        notice = actions.mark_notification_read(notice, actor=request.user)
        return Response(s.NotificationSerializer(notice).data)

    @extend_schema(request=None, responses=s.ReadAllSerializer)
    @route(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        count = actions.mark_all_notifications_read(request.user, actor=request.user)
        return Response({"marked_read": count})

    @extend_schema(responses=s.UnreadCountSerializer)
    @route(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": queries.count_unread(request.user)})


def preferences_data(user: Any) -> dict[str, Any]:
    choices, quiet = queries.get_preferences(user)
    return {
        "groups": [
            {"group": g.key, "name": str(g.label), "mode": c.mode, "in_app": c.in_app, "sms": c.sms, "email": c.email}
            for g, c in choices
        ],
        "quiet_start": quiet.start.strftime("%H:%M:%S") if quiet else None,
        "quiet_end": quiet.end.strftime("%H:%M:%S") if quiet else None,
    }


class PreferencesView(APIView):
    """The signed-in user's notification preferences."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(preferences_data(request.user))

    @extend_schema(request=s.PreferencesSerializer, responses=s.PreferencesSerializer)
    def put(self, request: Request) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=s.PreferencesSerializer, responses=s.PreferencesSerializer)
    def patch(self, request: Request) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        serializer = s.PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _, quiet = queries.get_preferences(request.user)
        keep = partial and "quiet_start" not in data and "quiet_end" not in data
        actions.update_notification_preferences(
            request.user,
            actor=request.user,
            groups={row.pop("group"): row for row in data.get("groups", [])},
            quiet_start=(quiet.start if quiet else None) if keep else data.get("quiet_start"),
            quiet_end=(quiet.end if quiet else None) if keep else data.get("quiet_end"),
        )
        return Response(preferences_data(request.user))
