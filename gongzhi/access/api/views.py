"""Access API: role grants (security administrator) and the role catalogue."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.access import actions
from gongzhi.access.api.serializers import RoleGrantCreateSerializer, RoleGrantSerializer
from gongzhi.access.choices import ADMIN_ROLES, ORGANISATION_SCOPED_ROLES, Role, ScopeMode
from gongzhi.access.models import RoleGrant
from gongzhi.access.permissions import RoleGrantPolicy
from gongzhi.access.roles import permissions_by_role
from gongzhi.api.viewsets import CreateActionMixin, ScopedViewSetMixin


class RoleGrantViewSet(
    ScopedViewSetMixin,
    CreateActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """List, grant (POST) and revoke (POST ``{id}/revoke/``) roles. Revoked grants stay listed."""

    policy = RoleGrantPolicy
    serializer_class = RoleGrantSerializer
    output_serializer_class = RoleGrantSerializer
    action_verbs = {"revoke": "revoke"}
    filterset_fields = ["user", "role", "organisation", "area"]

    def base_queryset(self) -> QuerySet[RoleGrant]:
        return RoleGrant.objects.select_related("user", "organisation", "area").order_by("user_id", "role", "id")

    def get_serializer_class(self) -> Any:
        return RoleGrantCreateSerializer if self.action == "create" else RoleGrantSerializer

    def perform_action_create(self, serializer: Any) -> RoleGrant:
        data = serializer.validated_data
        return actions.grant_role(
            data["user"],
            role=data["role"],
            organisation=data.get("organisation"),
            area=data.get("area"),
            valid_until=data.get("valid_until"),
            actor=self.request.user,
        )

    @drf_action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None) -> Response:
        grant = actions.revoke_role(self.get_object(), actor=request.user)
        return Response(RoleGrantSerializer(grant, context=self.get_serializer_context()).data)


def scope_mode(role: Role) -> ScopeMode:
    if role in ADMIN_ROLES:
        return ScopeMode.SYSTEM
    return ScopeMode.ORGANISATION if role in ORGANISATION_SCOPED_ROLES else ScopeMode.AREA


class CanViewGrants(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(RoleGrantPolicy.can(request.user, "view", None))


class RoleCatalogueViewSet(viewsets.ViewSet):
    """Every role with what it holds: the permissions collected from all domains' manifests."""

    permission_classes = [CanViewGrants]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        table = permissions_by_role()
        rows = [
            {
                "id": role.value,
                "label": str(role.label),
                "administrator": role in ADMIN_ROLES,
                "scope_mode": scope_mode(role).value,
                "requires_area": role not in ADMIN_ROLES,
                "requires_organisation": role not in ADMIN_ROLES and role != Role.RESIDENT,
                "permissions": sorted(table.get(role.value, frozenset())),
            }
            for role in Role
        ]
        return Response(rows)
