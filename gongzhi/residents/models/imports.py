"""Multi-source import: mapping profiles per source, import sets, row errors, review queue, lineage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.privacy.fields import EncryptedField
from gongzhi.residents.choices import ImportSource, ImportStatus, ReviewStatus


class ImportProfile(ScopedModel):
    """How one source's columns map to register fields, and how far its values are trusted."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.CharField(_("source"), max_length=24, choices=ImportSource.choices)
    column_map = models.JSONField(_("column mapping"), default=dict, help_text=_("register field → column header"))
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=50,
        help_text=_("A value from a higher-priority source is not overwritten by a lower one."),
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["name"]
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")

    def __str__(self) -> str:
        return self.name


class ImportBatch(ScopedModel):
    """One import set: a file read through a profile into a grid; dry run, committed or rolled back."""

    profile = models.ForeignKey(ImportProfile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=24, choices=ImportSource.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), default=50)
    file_name = models.CharField(_("file name"), max_length=200)
    grid = models.ForeignKey("territory.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    # Data rows read (the header is not counted); the resume point is parsing.last_done_row.
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    rows_created = models.PositiveIntegerField(_("people registered"), default=0)
    rows_updated = models.PositiveIntegerField(_("people updated"), default=0)
    rows_review = models.PositiveIntegerField(_("rows for review"), default=0)
    rows_error = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Background runs (web and API uploads): the upload waits encrypted in private storage
    # (gongzhi.residents.uploads) until the set is finished, cancelled or rolled back.
    dry_run = models.BooleanField(_("dry run"), default=False)
    upload = models.CharField(_("stored upload"), max_length=200, blank=True, editable=False)
    upload_sha256 = models.CharField(_("SHA-256 of the upload"), max_length=64, blank=True, editable=False)
    upload_size = models.PositiveBigIntegerField(_("upload size (bytes)"), null=True, blank=True)
    progress_done = models.PositiveBigIntegerField(_("progress done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("progress total"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    failure = models.CharField(_("reason for failure"), max_length=300, blank=True)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import set")
        verbose_name_plural = _("import sets")

    def __str__(self) -> str:
        return f"{self.file_name} #{self.pk}"

    @property
    def is_active(self) -> bool:
        """Queued, or being worked on (a finished dry run keeps its status but has ``finished_at``)."""
        return self.status == ImportStatus.QUEUED or (
            self.status in (ImportStatus.RUNNING, ImportStatus.DRY_RUN) and self.finished_at is None
        )

    @property
    def percent(self) -> int | None:
        """How far through the file (bytes for CSV, rows for XLSX); None when unknown."""
        if self.status == ImportStatus.COMMITTED or (self.status == ImportStatus.DRY_RUN and self.finished_at):
            return 100
        if not self.progress_total:
            return None
        return min(100, int(100 * self.progress_done / self.progress_total))


class ImportRowError(models.Model):
    """A row that was not imported: row number, column and reason (the downloadable error report)."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import set"), on_delete=models.CASCADE, related_name="errors"
    )
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["batch_id", "row_number", "id"]
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")

    def __str__(self) -> str:
        return f"{self.row_number}:{self.column}"


class ImportChange(models.Model):
    """What one import set did to one person, so the whole set can be rolled back."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import set"), on_delete=models.CASCADE, related_name="changes"
    )
    resident = models.ForeignKey(
        "residents.Resident", verbose_name=_("resident"), on_delete=models.CASCADE, related_name="+"
    )
    created = models.BooleanField(_("created by the import"), default=False)
    previous = EncryptedField(_("previous values"), purpose="import")  # JSON of the fields it overwrote

    audit_redacted_fields = frozenset({"previous"})

    class Meta:
        ordering = ["batch_id", "id"]
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")

    def __str__(self) -> str:
        return f"{self.batch_id} → {self.resident_id}"


class ImportCreatedRange(models.Model):
    """A run of resident ids ``first_id..last_id`` that one import set registered (the
    PostgreSQL importer writes one per chunk instead of one ``ImportChange`` per person;
    rollback removes every id in the run)."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import set"), on_delete=models.CASCADE, related_name="created_ranges"
    )
    first_id = models.BigIntegerField(_("first resident id"))
    last_id = models.BigIntegerField(_("last resident id"))

    class Meta:
        ordering = ["batch_id", "first_id"]
        verbose_name = _("registered id range")
        verbose_name_plural = _("registered id ranges")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_id__gte=models.F("first_id")), name="residents_created_range_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.first_id}-{self.last_id}"


class ValueLineage(models.Model):
    """Which source and import set gave a person's fields their values, and when (one row
    per person per import set; the latest row naming a field is that field's lineage)."""

    # Indexed by residents_lineage_resident (resident, recorded_at): no second btree per row.
    resident = models.ForeignKey(
        "residents.Resident", verbose_name=_("resident"), on_delete=models.CASCADE, related_name="lineage",
        db_index=False,
    )  # fmt: skip
    fields = models.JSONField(_("fields"), default=list)
    batch = models.ForeignKey(ImportBatch, verbose_name=_("import set"), on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=24, choices=ImportSource.choices)
    priority = models.PositiveSmallIntegerField(_("priority"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["resident_id", "-recorded_at", "-id"]
        verbose_name = _("value lineage")
        verbose_name_plural = _("value lineage")
        indexes = [models.Index(fields=["resident", "recorded_at"], name="residents_lineage_resident")]

    def __str__(self) -> str:
        return f"{self.resident_id}.{','.join(self.fields)} ← {self.source}"


class ImportReview(ScopedModel):
    """An uncertain match (same name and date of birth, similar address) for a person to decide."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import set"), on_delete=models.CASCADE, related_name="reviews"
    )
    row_number = models.PositiveIntegerField(_("row"))
    candidate = models.ForeignKey(
        "residents.Resident", verbose_name=_("possible match"), on_delete=models.CASCADE, related_name="+"
    )
    incoming = EncryptedField(_("incoming values"), purpose="import")  # JSON
    score = models.FloatField(_("address similarity"))
    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeSpec(area_path="area_path")
    audit_redacted_fields = frozenset({"incoming"})

    class Meta:
        ordering = ["status", "batch_id", "row_number"]
        verbose_name = _("import match review")
        verbose_name_plural = _("import match reviews")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} ~ {self.candidate_id}"
