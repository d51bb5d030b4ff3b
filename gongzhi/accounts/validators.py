"""Input rules of accounts: password complexity for staff, mainland mobile numbers."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.errors import AccountError, AccountErrorCode

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")

MESSAGE = _("The password must contain at least three of: lower-case letters, upper-case letters, digits, symbols.")


class ComplexityValidator:
    classes = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")

    def validate(self, password: str, user: Any = None) -> None:
        if sum(1 for c in self.classes if re.search(c, password)) < 3:
            raise ValidationError(MESSAGE, code="password_too_simple")

    def get_help_text(self) -> str:
        return str(MESSAGE)


def normalise_phone(phone: str) -> str:
    """Strip spaces, dashes and a +86/86 prefix; raise ``phone_invalid`` unless a mainland mobile."""
    digits = re.sub(r"[\s-]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MAINLAND_MOBILE.match(digits):
        raise AccountError(AccountErrorCode.PHONE_INVALID, field="phone")
    return digits
