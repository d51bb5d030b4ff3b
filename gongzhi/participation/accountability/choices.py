"""Enums of accountability."""

from django.db import models
from django.utils.translation import pgettext_lazy


class ResultStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("result status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("result status", "In progress")
    COMPLETED = "completed", pgettext_lazy("result status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("result status", "Cancelled")


#: A result in one of these states is finished: no more updates, never overdue.
CLOSED = frozenset({ResultStatus.COMPLETED, ResultStatus.CANCELLED})
