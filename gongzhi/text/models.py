"""Text intelligence: trained classifier versions, per-order insights (suggested categories and
units, urgency cues, duplicate candidates), hot spots and alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.text.choices import AlertKind, AlertState, ModelSource


class TextModel(ScopedModel):
    """One trained version of the message classifier, with its evaluation report.

    The pickled model lives in ``data`` (so every web process and worker reads the same
    version from the database); at most one version is active.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    source = models.CharField(_("trained from"), max_length=16, choices=ModelSource.choices)
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    n_train = models.PositiveIntegerField(_("training messages"), default=0)
    labels = models.JSONField(_("categories"), default=list)
    # Category label -> MatterCategory id (labels that match no category map to nothing).
    label_categories = models.JSONField(_("category mapping"), default=dict)
    metrics = models.JSONField(_("evaluation report"), default=dict)
    data = models.BinaryField(_("model file"))
    size_bytes = models.PositiveIntegerField(_("model size (bytes)"), default=0)
    is_active = models.BooleanField(_("active"), default=False)

    scope = ScopeSpec()
    audit_redacted_fields = ("data",)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("text model")
        verbose_name_plural = _("text models")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="text_model_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_source_display()})"


class OrderInsight(ScopedModel):
    """What the text engine read in one work order: suggestions, urgency cues, duplicates."""

    order = models.OneToOneField(
        "work_orders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE, related_name="text_insight"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    # [{"label": ..., "category": id|None, "confidence": 0.93, "units": [{"id":, "name":, "duty_role":}]}]
    suggestions = models.JSONField(_("suggestions"), default=list)
    urgent = models.BooleanField(_("urgent cues found"), default=False)
    cues = models.JSONField(_("urgency cues"), default=list)
    # [{"order": id, "number": "GZ…", "score": 0.8, "similarity": 0.7, "distance_m": …, "days_apart": …}]
    duplicates = models.JSONField(_("duplicate candidates"), default=list)
    auto_routed = models.BooleanField(_("routed automatically"), default=False)
    analysed_at = models.DateTimeField(_("analysed at"), default=timezone.now)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-order_id"]
        verbose_name = _("order insight")
        verbose_name_plural = _("order insights")
        indexes = [models.Index(fields=["area_path", "urgent"], name="text_insight_area_urgent")]

    def __str__(self) -> str:
        return f"insight {self.order_id}"


class HotSpot(ScopedModel):
    """A group of recent orders about the same problem at the same place."""

    key = models.CharField(_("key"), max_length=64, unique=True, help_text=_("Stable id: the first member order."))
    label = models.CharField(_("label"), max_length=200)
    place = models.CharField(_("place"), max_length=100, blank=True)
    terms = models.JSONField(_("key terms"), default=list)
    score = models.FloatField(_("score"), default=0.0)
    size = models.PositiveIntegerField(_("messages"), default=0)
    reporters = models.PositiveIntegerField(_("distinct reporters"), default=0)
    attention = models.PositiveIntegerField(_("public attention"), default=0)
    first_at = models.DateTimeField(_("first report"), null=True, blank=True)
    last_at = models.DateTimeField(_("latest report"), null=True, blank=True)
    trend = models.JSONField(_("trend"), default=list)
    members = models.ManyToManyField("work_orders.WorkOrder", verbose_name=_("orders"), related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    is_current = models.BooleanField(_("current"), default=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-score", "-id"]
        verbose_name = _("hot spot")
        verbose_name_plural = _("hot spots")
        indexes = [models.Index(fields=["is_current", "area_path", "score"], name="text_hotspot_current")]

    def __str__(self) -> str:
        return self.label


class TextAlert(ScopedModel):
    """An alert for staff: an urgent message at intake, or a new hot spot."""

    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    order = models.ForeignKey(
        "work_orders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    hotspot = models.ForeignKey(
        HotSpot, verbose_name=_("hot spot"), null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    summary = models.CharField(_("summary"), max_length=300)
    cues = models.JSONField(_("cues"), default=list)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("text alert")
        verbose_name_plural = _("text alerts")
        permissions = [("acknowledge_textalert", _("Can acknowledge a text alert"))]
        indexes = [models.Index(fields=["state", "area_path"], name="text_alert_state_area")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "order"], condition=models.Q(order__isnull=False), name="text_alert_once_per_order"
            ),
            models.UniqueConstraint(
                fields=["kind", "hotspot"],
                condition=models.Q(hotspot__isnull=False),
                name="text_alert_once_per_hotspot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class HotSpotRun(ScopedModel):
    """One refresh of the hot spots (the scheduled task's log, and the audited write)."""

    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    orders = models.PositiveIntegerField(_("orders read"), default=0)
    groups = models.PositiveIntegerField(_("hot spots"), default=0)
    new_groups = models.PositiveIntegerField(_("new hot spots"), default=0)
    seconds = models.FloatField(_("duration (s)"), default=0.0)

    scope = ScopeSpec()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("hot-spot run")
        verbose_name_plural = _("hot-spot runs")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.groups}"
