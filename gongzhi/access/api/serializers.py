"""Role grants in the API. Serializers validate and shape; ``grant_role``/``revoke_role`` write."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant


class RoleGrantSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    organisation_name = serializers.SerializerMethodField()
    area_name = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = RoleGrant
        fields = [
            "id",
            "user",
            "user_name",
            "role",
            "role_label",
            "organisation",
            "organisation_name",
            "area",
            "area_name",
            "area_path",
            "granted_by",
            "valid_until",
            "revoked_at",
            "revoked_by",
            "created_at",
            "active",
        ]
        read_only_fields = fields

    def get_organisation_name(self, grant: RoleGrant) -> str:
        return grant.organisation.name if grant.organisation is not None else ""

    def get_area_name(self, grant: RoleGrant) -> str:
        return grant.area.name if grant.area is not None else ""

    def get_active(self, grant: RoleGrant) -> bool:
        return grant.revoked_at is None


@extend_schema_field(OpenApiTypes.INT)
class _RelatedField(serializers.PrimaryKeyRelatedField):
    """A related object looked up lazily (access sits below territory and organisations).

    Users are limited to those the requesting administrator can see. Areas and
    organisations are reference data for the system-wide security administrator.
    """

    def __init__(self, model_label: str, **kwargs: Any) -> None:
        self.model_label = model_label
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        if self.model_label == "user":
            request = self.context.get("request")
            return get_user_model()._default_manager.restrict(request.user if request else None, "view")
        return apps.get_model(self.model_label)._default_manager.all()


class RoleGrantCreateSerializer(serializers.Serializer):
    user = _RelatedField("user", label=_("user"))
    role = serializers.ChoiceField(choices=Role.choices, label=_("role"))
    organisation = _RelatedField("organisations.Organisation", required=False, allow_null=True, label=_("organisation"))
    area = _RelatedField("territory.Area", required=False, allow_null=True, label=_("area"))
    valid_until = serializers.DateTimeField(required=False, allow_null=True, label=_("valid until"))
