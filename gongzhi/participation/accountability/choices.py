"""Enums of accountability."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


#: A result in one of these states is finished: no more updates, never overdue.
CLOSED = frozenset({ResultStatus.COMPLETED, ResultStatus.CANCELLED})
