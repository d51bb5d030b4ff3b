"""Phone + one-time code sign-in for residents (filled in by the accounts work)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class PhoneCodeBackend(ModelBackend):
    def authenticate(self, request: Any, phone: str | None = None, code: str | None = None, **kwargs: Any) -> Any:
        if phone is None or code is None:
            return None
        from gongzhi.accounts.phone_codes import verify_code

        return verify_code(phone=phone, code=code)
