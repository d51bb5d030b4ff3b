from django.db import models
from django.utils.translation import gettext_lazy as _


class DaySource(models.TextChoices):
    """Where a calendar day came from."""

    OFFICIAL = "official", _("State Council notice")
    PROVISIONAL = "provisional", _("Provisional (statutory rules, before the official notice)")
    MANUAL = "manual", _("Edited by an administrator")
