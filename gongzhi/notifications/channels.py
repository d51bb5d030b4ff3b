"""Channel backends for SMS and e-mail. Each is a class with ``send(notifications)``; the
settings name them per channel in ``GONGZHI_NOTIFICATION_CHANNELS``."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.mail import send_mass_mail

from gongzhi.accounts.sms import get_backend
from gongzhi.notifications.models import Notification


class SmsChannel:
    """Through the platform's SMS backend (``GONGZHI_SMS_BACKEND``), to users with a phone."""

    def send(self, notifications: list[Notification]) -> None:
        backend = get_backend()
        for notice in notifications:
            phone = notice.recipient.phone
            if phone:
                backend.send(phone, notice.text()[:300])


class EmailChannel:
    """Through Django's e-mail backend, to users with an address; one message per notice."""

    def send(self, notifications: list[Notification]) -> None:
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
        messages = [
            (notice.title, notice.body or notice.title, sender, [notice.recipient.email])
            for notice in notifications
            if notice.recipient.email
        ]
        if messages:
            send_mass_mail(messages, fail_silently=False)


class MemoryChannel:
    """Keeps notices in memory, for tests: ``MemoryChannel.outbox``."""

    outbox: ClassVar[list[Notification]] = []

    def send(self, notifications: list[Notification]) -> None:
        self.outbox.extend(notifications)
