from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.api.viewsets import CreateActionMixin, ScopedReadOnlyViewSet, ScopedViewSetMixin
from gongzhi.privacy import actions
from gongzhi.privacy.api import serializers as s
from gongzhi.privacy.models import Consent, RevealLog
from gongzhi.privacy.permissions import ConsentPolicy, NoticePolicy, RevealLogPolicy


class ConsentViewSet(ScopedReadOnlyViewSet):
    policy = ConsentPolicy
    serializer_class = s.ConsentSerializer
    action_verbs = {"withdraw": "withdraw"}

    def base_queryset(self) -> QuerySet[Consent]:
        return Consent.objects.select_related("notice")

    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        consent = actions.withdraw_consent(self.get_object(), actor=request.user)
        return Response(s.ConsentSerializer(consent).data)


class RevealLogViewSet(ScopedReadOnlyViewSet):
    """Who read whose full values: ``?subject_id=&since=&until=`` answers
    "who accessed resident X between T1 and T2"."""

    policy = RevealLogPolicy
    serializer_class = s.RevealLogSerializer

    def get_queryset(self) -> QuerySet[RevealLog]:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("subject_id"):
            qs = qs.filter(subject_id=params["subject_id"])
        for key, lookup in (("since", "created_at__gte"), ("until", "created_at__lt")):
            moment = parse_datetime(params.get(key, "") or "")
            if moment is not None:
                qs = qs.filter(**{lookup: moment})
        return qs


class NoticeViewSet(ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    policy = NoticePolicy
    serializer_class = s.NoticeSerializer

    def perform_action_create(self, serializer: Any) -> Any:
        return actions.publish_notice(actor=self.request.user, **serializer.validated_data)
