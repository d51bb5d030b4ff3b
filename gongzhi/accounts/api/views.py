"""Accounts API: users (administrators), one's own profile, phone sign-in for residents."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.accounts import actions
from gongzhi.accounts.api.serializers import (
    MeSerializer,
    PhoneCodeRequestSerializer,
    PhoneLoginSerializer,
    StaffUserCreateSerializer,
    UserSerializer,
)
from gongzhi.accounts.models import User
from gongzhi.accounts.permissions import UserPolicy
from gongzhi.accounts.phone_codes import request_code, verify_code
from gongzhi.api.viewsets import CreateActionMixin, ScopedViewSetMixin

PHONE_BACKEND = "gongzhi.accounts.backends.PhoneCodeBackend"


class UserViewSet(
    ScopedViewSetMixin,
    CreateActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Accounts in the administrator's scope. Create and deactivate: system administrator;
    unlock and reset 2FA: security administrator."""

    policy = UserPolicy
    serializer_class = UserSerializer
    output_serializer_class = UserSerializer
    action_verbs = {"deactivate": "deactivate", "unlock": "unlock", "reset_two_factor": "reset_2fa"}
    filterset_fields = ["kind", "is_active"]

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return StaffUserCreateSerializer
        return UserSerializer

    def perform_action_create(self, serializer: Any) -> User:
        return actions.create_staff_user(actor=self.request.user, **serializer.validated_data)

    def _done(self, user: User) -> Response:
        return Response(UserSerializer(user, context=self.get_serializer_context()).data)

    @drf_action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: Any = None) -> Response:
        return self._done(actions.deactivate_user(self.get_object(), actor=request.user))

    @drf_action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: Any = None) -> Response:
        return self._done(actions.unlock_user(self.get_object(), actor=request.user))

    @drf_action(detail=True, methods=["post"], url_path="reset-2fa")
    def reset_two_factor(self, request: Request, pk: Any = None) -> Response:
        return self._done(actions.reset_two_factor(self.get_object(), actor=request.user))


class MeView(APIView):
    """GET one's own profile with roles; PATCH ``elder_mode`` and ``language``."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = actions.update_preferences(
            request.user,  # type: ignore[arg-type]  # IsAuthenticated: never anonymous here
            actor=request.user,
            elder_mode=data.get("elder_mode"),
            language=data.get("language"),
        )
        return Response(MeSerializer(user).data)


class PhoneCodeView(APIView):
    """POST ``{"phone"}``: send a sign-in code by SMS (429 ``code_throttled`` if asked too often)."""

    permission_classes = [AllowAny]
    serializer_class = PhoneCodeRequestSerializer

    def post(self, request: Request) -> Response:
        serializer = PhoneCodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phone_code = request_code(serializer.validated_data["phone"])
        return Response({"sent": True, "expires_at": phone_code.expires_at}, status=status.HTTP_200_OK)


class PhoneLoginView(APIView):
    """POST ``{"phone", "code"}``: sign in a resident (registering a new phone) into a session."""

    permission_classes = [AllowAny]
    serializer_class = PhoneLoginSerializer

    def post(self, request: Request) -> Response:
        serializer = PhoneLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = verify_code(serializer.validated_data["phone"], serializer.validated_data["code"])
        login(request._request, user, backend=PHONE_BACKEND)
        return Response(MeSerializer(user).data)
