"""Authentication backends: staff by password, residents by phone + one-time code.

Residents may not use a password and staff may not use phone codes. Both backends
refuse the other kind, whatever the credentials.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from gongzhi.access.authcache import load_user
from gongzhi.accounts.choices import AccountKind
from gongzhi.core.errors import DomainError


class StaffPasswordBackend(ModelBackend):
    """Username + password, for staff accounts only."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return user if user is not None and getattr(user, "kind", None) == AccountKind.STAFF else None

    def get_user(self, user_id: Any) -> Any:
        """The session's user, with their grants, from ``gongzhi.access.authcache`` (one cache
        read instead of the user and grant queries when the shared cache is on)."""
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    # Permissions come only from role grants (gongzhi.access.backends.RoleGrantBackend).
    # Django's user/group permissions and the superuser flag grant nothing here, which keeps
    # the three administrators separate and saves two queries per negative has_perm.
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False


class PhoneCodeBackend(StaffPasswordBackend):
    """Phone + one-time code for residents.

    ``settings.AUTHENTICATION_BACKENDS`` names only this class of ours, so it also
    answers username + password for staff (through :class:`StaffPasswordBackend`).
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        phone, code = kwargs.get("phone"), kwargs.get("code")
        if phone is not None and code is not None:
            from gongzhi.accounts.phone_codes import verify_code

            try:
                user = verify_code(phone, code)
            except DomainError:
                return None
            return user if user.kind == AccountKind.RESIDENT and user.is_active else None
        return super().authenticate(request, username=username, password=password)
