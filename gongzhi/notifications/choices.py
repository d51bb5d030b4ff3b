"""Enumerations of the notifications domain."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    """When the notices of a kind group reach the user (per user and group)."""

    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("Off")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class Delivery(models.TextChoices):
    """What happens to a notice on the external channels (SMS, e-mail)."""

    NONE = "none", _("In the app only")
    IMMEDIATE = "immediate", _("Sent when created")
    HELD = "held", _("Held for the end of quiet hours")
    DIGEST = "digest", _("Waiting for the daily digest")
    DIGESTED = "digested", _("Sent in a digest")
    RELEASED = "released", _("Sent after quiet hours")


#: The kind of the digest notice itself.
DIGEST_KIND = "notifications.digest"
