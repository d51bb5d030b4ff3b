from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    """Purposes a resident consents to one by one (PIPL art. 14: specific, informed)."""

    CONTACT = "contact", _("Contact by SMS and phone")
    HEALTH = "health", _("Health, disability and care data")
    SERVICES = "services", _("Matching to community services")
    SHARING = "sharing", _("Sharing with service providers")


#: Purposes that cover sensitive personal information (PIPL art. 28-29: separate consent).
SENSITIVE_PURPOSES = frozenset({ConsentPurpose.HEALTH})


class ConsentGiver(models.TextChoices):
    SELF = "self", _("The person themself")
    GUARDIAN = "guardian", _("Guardian")


class RotationStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
