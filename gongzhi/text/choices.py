"""Enums of the text domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelSource(models.TextChoices):
    CLOSED_ORDERS = "closed_orders", _("Closed work orders")
    CSV = "csv", _("Imported labelled CSV")


class AlertKind(models.TextChoices):
    URGENT = "urgent", _("Urgent message")
    HOTSPOT = "hotspot", _("New hot spot")


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
