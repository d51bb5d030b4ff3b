"""SMS backends. Production plugs in a provider by implementing ``SmsBackend.send``."""

from __future__ import annotations

import logging
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleSmsBackend:
    """Prints messages to the server log (the embedded demo uses it)."""

    def send(self, phone: str, message: str) -> None:
        logger.warning("SMS to %s: %s", phone, message)


class MemorySmsBackend:
    """Keeps messages in memory for tests: ``MemorySmsBackend.outbox``."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def get_backend() -> SmsBackend:
    return import_string(settings.GONGZHI_SMS_BACKEND)()
