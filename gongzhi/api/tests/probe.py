"""A tiny test-only API mounted by the base API tests (``@pytest.mark.urls``).

It creates staff users through a throwaway action, so the tests exercise the real
base classes (scoped viewset, policy permission, error handler, idempotency) without
depending on any domain's API. It lives in the accounts model's layer, below the API.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.urls import include, path
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from gongzhi.access.policy import Policy
from gongzhi.accounts.models import User
from gongzhi.api.viewsets import ScopedModelViewSet
from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.core.errors import DomainError

#: Called inside the action, after the user row exists: lets a test act "meanwhile".
during_create: list[Callable[[], None]] = []


class ProbeErrorCode(StrEnum):
    USERNAME_TAKEN = "username_taken"


class ProbeError(DomainError):
    http_status = 409
    messages = {ProbeErrorCode.USERNAME_TAKEN: "This user name is already taken."}


@action
def create_probe_user(*, actor: Any, username: str, display_name: str) -> User:
    if User.objects.filter(username=username).exists():
        raise ProbeError(ProbeErrorCode.USERNAME_TAKEN, field="username")
    if display_name == "forbidden":
        raise DjangoValidationError({"display_name": ["This display name is not allowed."]})
    user = User.objects.create(username=username, display_name=display_name)
    for hook in during_create:
        hook()
    record_change(user, verb="create_probe_user", actor=actor)
    return user


class ProbeUserPolicy(Policy):
    model = User


class ProbeUserSerializer(serializers.ModelSerializer):
    username = serializers.CharField(max_length=30, validators=[RegexValidator(r"^[a-z0-9_-]+$")])

    class Meta:
        model = User
        fields = ["id", "username", "display_name"]
        extra_kwargs = {"display_name": {"required": True, "allow_blank": False}}


class ProbeUserViewSet(ScopedModelViewSet):
    policy = ProbeUserPolicy
    serializer_class = ProbeUserSerializer
    filterset_fields: list[str] = []

    def perform_action_create(self, serializer: Any) -> User:
        return create_probe_user(actor=self.request.user, **serializer.validated_data)


router = SimpleRouter()
router.register("probe/users", ProbeUserViewSet, basename="probe-user")

urlpatterns = [
    path("api/", include(router.urls)),
    path("", include("gongzhi.urls")),
]
