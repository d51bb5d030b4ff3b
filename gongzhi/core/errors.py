"""Domain errors: a broken business rule raises one, with a stable enum code.

The API maps them to ``{"code": ..., "detail": ...}`` with the error's HTTP status.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """Base class; each domain subclasses it with its own ``<Domain>ErrorCode`` enum."""

    http_status: ClassVar[int] = 409
    #: code -> message (lazy translations allowed)
    messages: ClassVar[Mapping[str, StrOrPromise]] = {}

    def __init__(self, code: StrEnum, detail: str | None = None, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        self.detail = detail or str(self.messages.get(code.value, code.value.replace("_", " ")))
        super().__init__(f"{code.value}: {self.detail}")


class CoreErrorCode(StrEnum):
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    NOT_PERMITTED = "not_permitted"
    INVALID_INPUT = "invalid_input"


class CoreError(DomainError):
    http_status = 422
