"""Password complexity for staff: at least three of lower, upper, digit, symbol."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    classes = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")

    def validate(self, password: str, user: Any = None) -> None:
        if sum(1 for c in self.classes if re.search(c, password)) < 3:
            raise ValidationError(
                _("The password must contain at least three of: lower-case letters, upper-case letters, digits, symbols."), code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return _("The password must contain at least three of: lower-case letters, upper-case letters, digits, symbols.")
