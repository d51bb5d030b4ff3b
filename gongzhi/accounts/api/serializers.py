"""Shapes of accounts in the API. Serializers validate and shape; actions write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import serializers

from gongzhi.accounts.choices import UiLanguage
from gongzhi.accounts.models import User, mask_phone


class GrantSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    role = serializers.CharField(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True, allow_null=True)
    organisation_name = serializers.SerializerMethodField()
    area = serializers.IntegerField(source="area_id", read_only=True, allow_null=True)
    area_name = serializers.SerializerMethodField()
    valid_until = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_organisation_name(self, grant: Any) -> str:
        return grant.organisation.name if grant.organisation_id else ""

    def get_area_name(self, grant: Any) -> str:
        return grant.area.name if grant.area_id else ""


class UserSerializer(serializers.ModelSerializer):
    """An account as administrators see it. The phone is masked."""

    phone = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "kind",
            "phone",
            "is_active",
            "home_area",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields

    def get_phone(self, user: User) -> str:
        return mask_phone(user.phone) if user.phone else ""


class StaffUserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", label=_("user name"))
    password = serializers.CharField(write_only=True, label=_("password"), style={"input_type": "password"})
    display_name = serializers.CharField(max_length=64, required=False, allow_blank=True, label=_("display name"))
    phone = serializers.RegexField(r"^1[3-9]\d{9}$", required=False, allow_null=True, label=_("mobile phone"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = User(username=attrs["username"], display_name=attrs.get("display_name", ""))
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from exc
        return attrs


class MeSerializer(serializers.ModelSerializer):
    """One's own profile: preferences are writable, the rest is read-only."""

    roles = serializers.SerializerMethodField()
    two_factor = serializers.SerializerMethodField()
    language = serializers.ChoiceField(choices=UiLanguage.choices, required=False)
    elder_mode = serializers.BooleanField(required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "kind",
            "elder_mode",
            "language",
            "home_area",
            "roles",
            "two_factor",
        ]
        read_only_fields = ["id", "username", "display_name", "kind", "home_area", "roles", "two_factor"]

    def get_roles(self, user: User) -> list[dict[str, Any]]:
        from gongzhi.access.queries import active_grants

        return GrantSummarySerializer(active_grants(user), many=True).data  # type: ignore[return-value]

    def get_two_factor(self, user: User) -> dict[str, bool]:
        is_verified = getattr(user, "is_verified", None)
        return {
            "enrolled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "verified": bool(is_verified()) if callable(is_verified) else False,
        }


class PhoneCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, label=_("mobile phone"))


class PhoneLoginSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, label=_("mobile phone"))
    code = serializers.CharField(max_length=12, label=_("verification code"))
