"""Resident sign-in by mobile phone and a one-time code sent by SMS.

Only a keyed hash of each code is stored (HMAC with the site secret, so a copy of the
table does not give the codes away by brute force of the 10⁶ possibilities). A code
lives ``GONGZHI_PHONE_CODE_TTL`` seconds, allows ``GONGZHI_PHONE_CODE_MAX_ATTEMPTS``
wrong guesses and is then burnt, and signs in once. Codes for one phone may be asked
for once per ``GONGZHI_PHONE_CODE_RESEND_SECONDS`` and ``GONGZHI_PHONE_CODE_MAX_PER_HOUR``
times an hour. Verification locks the code row (``select_for_update``), so two
concurrent requests with the same code sign in once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gongzhi.accounts.actions import register_resident
from gongzhi.accounts.choices import AccountKind
from gongzhi.accounts.errors import AccountError, AccountErrorCode, AccountThrottled
from gongzhi.accounts.models import PhoneCode, User
from gongzhi.accounts.sms import get_backend
from gongzhi.accounts.validators import normalise_phone
from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action

__all__ = ["PhoneCode", "normalise_phone", "register_resident", "request_code", "verify_code"]

CODE_DIGITS = 6


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def hash_code(phone: str, code: str) -> str:
    return salted_hmac("gongzhi.accounts.phone_code", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _refuse_staff(phone: str) -> None:
    if User.objects.filter(phone=phone).exclude(kind=AccountKind.RESIDENT).exists():
        raise AccountError(AccountErrorCode.PHONE_LOGIN_NOT_ALLOWED, field="phone")


def has_live_code(phone: str) -> bool:
    """Whether ``phone`` holds a code that can still sign in (sent, unused, not expired)."""
    return PhoneCode.objects.filter(
        phone=normalise_phone(phone), consumed_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


@action
def request_code(phone: str, *, actor: Any = None) -> PhoneCode:
    """Create a code for ``phone`` and send it after commit. Raises ``code_throttled`` (429)."""
    phone = normalise_phone(phone)
    _refuse_staff(phone)
    now = timezone.now()
    # Lock this phone's recent codes so two simultaneous requests cannot both pass the throttle.
    recent = list(
        PhoneCode.objects.select_for_update()
        .filter(phone=phone, created_at__gte=now - timedelta(hours=1))
        .values_list("created_at", flat=True)
    )
    resend = _setting("GONGZHI_PHONE_CODE_RESEND_SECONDS", 60)
    if recent and max(recent) > now - timedelta(seconds=resend):
        raise AccountThrottled(AccountErrorCode.CODE_THROTTLED, field="phone")
    if len(recent) >= _setting("GONGZHI_PHONE_CODE_MAX_PER_HOUR", 5):
        raise AccountThrottled(AccountErrorCode.CODE_THROTTLED, field="phone")
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
    ttl = _setting("GONGZHI_PHONE_CODE_TTL", 300)
    # Earlier unused codes stop working: only the newest code signs in.
    PhoneCode.objects.filter(phone=phone, consumed_at__isnull=True).update(consumed_at=now)
    phone_code = PhoneCode.objects.create(
        phone=phone, code_hash=hash_code(phone, code), expires_at=now + timedelta(seconds=ttl)
    )
    record_change(phone_code, verb="request_phone_code", actor=actor, before=None)
    message = _("Your Gongzhi sign-in code is %(code)s. It is valid for %(minutes)d minutes. Do not share it.") % {
        "code": code,
        "minutes": max(1, ttl // 60),
    }
    transaction.on_commit(lambda: get_backend().send(phone, message))
    return phone_code


class _Outcome(StrEnum):
    OK = "ok"
    USED = "used"
    EXPIRED = "expired"
    WRONG = "wrong"
    BURNT = "burnt"


_ERRORS = {
    _Outcome.USED: AccountErrorCode.CODE_EXPIRED,
    _Outcome.EXPIRED: AccountErrorCode.CODE_EXPIRED,
    _Outcome.WRONG: AccountErrorCode.CODE_INVALID,
    _Outcome.BURNT: AccountErrorCode.TOO_MANY_ATTEMPTS,
}


@action
def _check_code(phone: str, *, code: str, actor: Any = None) -> tuple[_Outcome, User | None]:
    """Count the attempt and, if right, consume the code and find or register the resident.

    Returns the outcome instead of raising, so that a wrong guess is committed (and counts).
    """
    now = timezone.now()
    # The newest code is the only one that can sign in; lock it so concurrent checks queue up.
    phone_code = PhoneCode.objects.select_for_update().filter(phone=phone).first()
    if phone_code is None:  # verify_code checks this first; codes are never deleted
        raise AccountError(AccountErrorCode.CODE_EXPIRED, field="code")
    if phone_code.consumed_at is not None:
        record_change(
            phone_code, verb="verify_phone_code", actor=actor, before=None, after={"outcome": _Outcome.USED.value}
        )
        return _Outcome.USED, None
    before = {"attempts": phone_code.attempts, "consumed_at": None, "outcome": None}
    user: User | None = None
    if phone_code.expires_at <= now:
        outcome = _Outcome.EXPIRED
        phone_code.consumed_at = now
    elif constant_time_compare(phone_code.code_hash, hash_code(phone, code)):
        outcome = _Outcome.OK
        phone_code.consumed_at = now
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = register_resident(phone, actor=actor)
    else:
        phone_code.attempts += 1
        outcome = _Outcome.WRONG
        if phone_code.attempts >= _setting("GONGZHI_PHONE_CODE_MAX_ATTEMPTS", 5):
            outcome = _Outcome.BURNT
            phone_code.consumed_at = now
    phone_code.save(update_fields=["attempts", "consumed_at"])
    after: dict[str, Any] = {
        "attempts": phone_code.attempts,
        "consumed_at": phone_code.consumed_at.isoformat() if phone_code.consumed_at else None,
        "outcome": outcome.value,
    }
    record_change(phone_code, verb="verify_phone_code", actor=actor or user, before=before, after=after)
    return outcome, user


def verify_code(phone: str, code: str, *, actor: Any = None) -> User:
    """The resident account for ``phone`` if ``code`` is right; registers unknown phones.

    Raises ``phone_invalid``, ``phone_login_not_allowed`` (staff), ``code_invalid``,
    ``code_expired`` (also when used or missing) or ``too_many_attempts``.
    """
    phone = normalise_phone(phone)
    _refuse_staff(phone)
    code = (code or "").strip()
    if not (len(code) == CODE_DIGITS and code.isdigit()):
        raise AccountError(AccountErrorCode.CODE_INVALID, field="code")
    if not PhoneCode.objects.filter(phone=phone).exists():
        raise AccountError(AccountErrorCode.CODE_EXPIRED, field="code")
    outcome, user = _check_code(phone, code=code, actor=actor)
    if outcome != _Outcome.OK or user is None:
        raise AccountError(_ERRORS.get(outcome, AccountErrorCode.CODE_INVALID), field="code")
    if not user.is_active:
        raise AccountError(AccountErrorCode.ALREADY_INACTIVE, field="phone")
    return user
