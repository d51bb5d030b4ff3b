from enum import StrEnum

from gongzhi.core.errors import DomainError


class AccountErrorCode(StrEnum):
    INVALID_LANGUAGE = "invalid_language"
    PHONE_TAKEN = "phone_taken"
    USERNAME_TAKEN = "username_taken"
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    ALREADY_INACTIVE = "already_inactive"


class AccountError(DomainError):
    http_status = 400
