"""Tracked results (信息公开): what a resolution, an accepted proposal or a funded project
promised, who carries it out, by when, and how far it got — milestones, public updates and
evidence, linked back to where it came from. Results are public information."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel, TimeStampedModel
from gongzhi.core.scoping import RestrictedManager, ScopeSpec
from gongzhi.participation.accountability.choices import CLOSED, ResultStatus


class Result(ScopedModel):
    """A decision being carried out. ``area_path`` copies the area's path for scoping; the
    responsible unit (and organisation-scoped staff of it) reports progress."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    responsible_unit = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participation_results",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ResultStatus.choices, default=ResultStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # Where the result came from (a proposal, a resolution, a funded project).
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.CharField(_("source link"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follower_count = models.PositiveIntegerField(_("followers"), default=0)

    scope = ScopeSpec(area_path="area_path", organisation="responsible_unit_id")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        indexes = [
            models.Index(fields=["area_path", "id"], name="pacc_result_area"),
            models.Index(fields=["status", "deadline"], name="pacc_result_status_deadline"),
            models.Index(fields=["source_type", "source_id"], name="pacc_result_source"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="pacc_result_progress_max"),
            models.CheckConstraint(
                condition=~Q(status=ResultStatus.COMPLETED) | Q(progress=100, completed_at__isnull=False),
                name="pacc_result_completed_at_100",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="pacc_result_one_per_source",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def is_overdue(self) -> bool:
        return bool(self.deadline and not self.is_closed and self.deadline < timezone.localdate())


class Milestone(models.Model):
    """A step of a result, with its own due date."""

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["result_id", "position", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class ResultUpdate(models.Model):
    """A public progress report. The author is shown by unit, never by a person's name."""

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("update"), max_length=4000)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    status = models.CharField(_("status"), max_length=16, choices=ResultStatus.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )
    author_unit = models.CharField(_("reported by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [models.Index(fields=["result", "created_at"], name="pacc_update_result_time")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="pacc_update_progress_max")]

    def __str__(self) -> str:
        return f"{self.result_id} {self.progress}%"


def evidence_path(instance: Evidence, filename: str) -> str:
    today = timezone.localdate()
    return f"participation/results/{today:%Y/%m}/{instance.result_id}/{filename}"


class Evidence(TimeStampedModel):
    """A photo or document proving progress. Checked and re-encoded like work-order
    attachments (type from content, EXIF stripped, size capped)."""

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="evidence")
    update = models.ForeignKey(
        ResultUpdate,
        verbose_name=_("progress update"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedManager()
    scope = ScopeSpec(area_path="result__area_path", organisation="result__responsible_unit_id")

    class Meta:
        ordering = ["result_id", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ResultFollow(models.Model):
    """A resident following a result: they are told about its updates."""

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["result_id", "user_id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["result", "user"], name="pacc_follow_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ⇢ {self.result_id}"
