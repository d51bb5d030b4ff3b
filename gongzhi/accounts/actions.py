"""Account actions: every write to a user goes through one of these.

Separation of duties (三员分立): the system administrator creates and deactivates
accounts; the security administrator unlocks them and resets their second factor.
Neither may do it to their own account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.access.choices import Role
from gongzhi.access.queries import roles_of
from gongzhi.accounts.choices import AccountKind, UiLanguage
from gongzhi.accounts.errors import AccountError, AccountErrorCode
from gongzhi.accounts.models import User
from gongzhi.accounts.validators import normalise_phone
from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action

TOTP_DEVICE_NAME = "default"


def _require_role(actor: Any, role: Role, code: AccountErrorCode) -> None:
    if role not in roles_of(actor):
        raise AccountError(code)


def _not_self(user: User, actor: Any) -> None:
    if user.pk == getattr(actor, "pk", None):
        raise AccountError(AccountErrorCode.SELF_ADMINISTRATION)


@action
def update_preferences(user: User, *, actor: Any, elder_mode: bool | None = None, language: str | None = None) -> User:
    """Save a user's UI preferences (elder mode, language); they follow the user across devices."""
    before = snapshot(user)
    fields = []
    if elder_mode is not None:
        user.elder_mode = elder_mode
        fields.append("elder_mode")
    if language is not None:
        if language not in UiLanguage.values:
            raise AccountError(AccountErrorCode.INVALID_LANGUAGE, field="language")
        user.language = language
        fields.append("language")
    user.save(update_fields=[*fields, "updated_at"])
    record_change(user, verb="update_preferences", actor=actor, before=before)
    return user


@action
def register_resident(phone: str, *, actor: Any = None, display_name: str = "") -> User:
    """Create a resident account for a phone on its first sign-in; it has no usable password."""
    phone = normalise_phone(phone)
    if User.objects.filter(phone=phone).exists():
        raise AccountError(AccountErrorCode.PHONE_TAKEN, field="phone")
    user = User(username=f"r{phone}", phone=phone, kind=AccountKind.RESIDENT, display_name=display_name)
    user.set_unusable_password()
    user.save()
    record_change(user, verb="register_resident", actor=actor or user, before=None)
    return user


@action
def create_staff_user(
    *, username: str, password: str, actor: Any, display_name: str = "", phone: str | None = None
) -> User:
    """A staff account (system administrator only). Roles are granted separately by the security administrator."""
    _require_role(actor, Role.SYSTEM_ADMIN, AccountErrorCode.NOT_SYSTEM_ADMIN)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(AccountErrorCode.USERNAME_TAKEN, field="username")
    if phone and User.objects.filter(phone=phone).exists():
        raise AccountError(AccountErrorCode.PHONE_TAKEN, field="phone")
    user = User(username=username, kind=AccountKind.STAFF, display_name=display_name, phone=phone or None)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    record_change(user, verb="create_staff_user", actor=actor, before=None)
    return user


@action
def deactivate_user(user: User, *, actor: Any) -> User:
    """Stop an account from signing in (its sessions end at their next request). System administrator only."""
    _require_role(actor, Role.SYSTEM_ADMIN, AccountErrorCode.NOT_SYSTEM_ADMIN)
    _not_self(user, actor)
    if not user.is_active:
        raise AccountError(AccountErrorCode.ALREADY_INACTIVE)
    before = snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    record_change(user, verb="deactivate_user", actor=actor, before=before)
    return user


@action
def unlock_user(user: User, *, actor: Any) -> User:
    """Clear failed sign-in attempts (django-axes) so a locked account can sign in again."""
    from axes.utils import reset

    _require_role(actor, Role.SECURITY_ADMIN, AccountErrorCode.NOT_SECURITY_ADMIN)
    _not_self(user, actor)
    cleared = reset(username=user.username)
    record_change(user, verb="unlock_user", actor=actor, before=None, after={"failed_attempts_cleared": cleared})
    return user


@action
def reset_two_factor(user: User, *, actor: Any) -> User:
    """Remove a user's authenticator devices; they enrol again at their next sign-in."""
    _require_role(actor, Role.SECURITY_ADMIN, AccountErrorCode.NOT_SECURITY_ADMIN)
    _not_self(user, actor)
    deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
    record_change(user, verb="reset_two_factor", actor=actor, before=None, after={"devices_removed": deleted})
    return user


@action
def change_password(user: User, *, new_password: str, actor: Any) -> User:
    """Set a staff user's own password, checked against AUTH_PASSWORD_VALIDATORS."""
    if user.kind != AccountKind.STAFF:
        raise AccountError(AccountErrorCode.NOT_STAFF)
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    before = snapshot(user)
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    record_change(user, verb="change_password", actor=actor, before=before)
    return user


@action
def start_totp_enrolment(user: User, *, actor: Any) -> TOTPDevice:
    """An unconfirmed authenticator device for ``user`` (reused if one is waiting)."""
    if user.kind != AccountKind.STAFF:
        raise AccountError(AccountErrorCode.NOT_STAFF)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    created = device is None
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    # The device's secret key must never reach the audit log: record on the user.
    record_change(user, verb="start_totp_enrolment", actor=actor, before=None, after={"device_created": created})
    return device


@action
def confirm_totp_device(device: TOTPDevice, *, actor: Any) -> TOTPDevice:
    """Confirm an enrolment once the caller has checked a token with ``device.verify_token``
    (outside this transaction, so that django-otp's failure throttle is kept); the user's
    other devices are removed."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    record_change(device.user, verb="confirm_totp_device", actor=actor, before=None, after={"confirmed": True})
    return device
