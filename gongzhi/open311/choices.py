"""Enums of the Open311 interface."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    JSON = "json", "JSON"
    XML = "xml", "XML"


class PublicStatus(models.TextChoices):
    """GeoReport's two states; every internal state maps onto one of them."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
