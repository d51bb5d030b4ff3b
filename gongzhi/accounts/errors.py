"""Account error codes. The API maps them to ``{"code", "detail"}``; pages show the detail."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class AccountErrorCode(StrEnum):
    INVALID_LANGUAGE = "invalid_language"
    PHONE_TAKEN = "phone_taken"
    USERNAME_TAKEN = "username_taken"
    PHONE_INVALID = "phone_invalid"
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    CODE_THROTTLED = "code_throttled"
    PHONE_LOGIN_NOT_ALLOWED = "phone_login_not_allowed"
    ALREADY_INACTIVE = "already_inactive"
    NOT_SYSTEM_ADMIN = "not_system_admin"
    NOT_SECURITY_ADMIN = "not_security_admin"
    SELF_ADMINISTRATION = "self_administration"
    NOT_STAFF = "not_staff"
    TOKEN_INVALID = "token_invalid"  # noqa: S105  (an error code, not a secret)


class AccountError(DomainError):
    http_status = 400
    messages = {
        AccountErrorCode.INVALID_LANGUAGE: _("This language is not available."),
        AccountErrorCode.PHONE_TAKEN: _("This mobile number already belongs to an account."),
        AccountErrorCode.USERNAME_TAKEN: _("This user name is already taken."),
        AccountErrorCode.PHONE_INVALID: _("Enter a mainland China mobile number of 11 digits."),
        AccountErrorCode.CODE_INVALID: _("The code is not correct."),
        AccountErrorCode.CODE_EXPIRED: _("The code has expired or was already used. Ask for a new one."),
        AccountErrorCode.TOO_MANY_ATTEMPTS: _("Too many wrong codes. Ask for a new one."),
        AccountErrorCode.CODE_THROTTLED: _("A code was sent recently. Please wait before asking again."),
        AccountErrorCode.PHONE_LOGIN_NOT_ALLOWED: _("Staff accounts sign in with a user name and password."),
        AccountErrorCode.ALREADY_INACTIVE: _("This account is already deactivated."),
        AccountErrorCode.NOT_SYSTEM_ADMIN: _("Only the system administrator may do this."),
        AccountErrorCode.NOT_SECURITY_ADMIN: _("Only the security administrator may do this."),
        AccountErrorCode.SELF_ADMINISTRATION: _("Administrators may not do this to their own account."),
        AccountErrorCode.NOT_STAFF: _("This is possible for staff accounts only."),
        AccountErrorCode.TOKEN_INVALID: _("The verification code from the authenticator app is not correct."),
    }


class AccountThrottled(AccountError):
    """Too many code requests for one phone: the API answers 429."""

    http_status = 429
