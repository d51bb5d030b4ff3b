"""The governance ledger's tables.

``LedgerLeaf``, ``LedgerNode``, ``Checkpoint`` and ``Cosignature`` are append-only: database
triggers (PostgreSQL and SQLite, migration 0002) refuse UPDATE and DELETE. ``LogState`` is
the sequencer's lock and cursor; ``PendingEvent`` is the queue between an action's
transaction and the sequencer; ``PersonalSalt`` holds the salts of personal-data
commitments and is erasable (deleting a salt makes its commitment unlinkable).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.ledger.choices import AlarmKind, EventKind


class LogState(models.Model):
    """The single row the sequencer locks; its size is the number of sealed leaves."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    tree_size = models.BigIntegerField(_("tree size"), default=0)
    root_hash = models.BinaryField(_("root hash"), max_length=32, default=b"")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("log state")
        verbose_name_plural = _("log states")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ledger_logstate_singleton")]

    def __str__(self) -> str:
        return f"ledger size {self.tree_size}"


class PendingEvent(models.Model):
    """An event queued inside an action's transaction, sealed into a leaf after commit."""

    kind = models.CharField(_("kind"), max_length=64, choices=EventKind.choices)
    data = models.TextField(_("canonical JSON"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pending ledger event")
        verbose_name_plural = _("pending ledger events")

    def __str__(self) -> str:
        return f"pending {self.kind} #{self.pk}"


class LedgerLeaf(models.Model):
    """One entry of the log: the canonical JSON of an event and its RFC 9162 leaf hash."""

    index = models.BigIntegerField(_("index"), primary_key=True)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    kind = models.CharField(_("kind"), max_length=64, choices=EventKind.choices)
    data = models.TextField(_("canonical JSON"))
    created_at = models.DateTimeField(_("sealed at"))

    class Meta:
        ordering = ["index"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["leaf_hash"], name="ledger_leaf_hash")]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class LedgerNode(models.Model):
    """The hash of a complete subtree of 2**level leaves (level ≥ 1; level 0 is the leaf)."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField(_("level"))
    index = models.BigIntegerField(_("index"))
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        ordering = ["level", "index"]
        verbose_name = _("ledger node")
        verbose_name_plural = _("ledger nodes")

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed tree head, kept for ever, in the C2SP tlog-checkpoint signed-note format."""

    tree_size = models.BigIntegerField(_("tree size"), db_index=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    note = models.TextField(_("signed note"))
    key_id = models.CharField(_("signing key id"), max_length=8)
    created_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} ({self.key_id})"


class Witness(models.Model):
    """Another department's witness key, allowed to cosign checkpoints."""

    name = models.CharField(_("key name"), max_length=200)
    public_key = models.BinaryField(_("Ed25519 public key"), max_length=32)
    key_id = models.CharField(_("key id"), max_length=8, unique=True)
    organisation_label = models.CharField(_("organisation"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"


class Cosignature(models.Model):
    """A witness's C2SP cosignature/v1 on a checkpoint: it checked the log only grew."""

    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.ForeignKey(Witness, verbose_name=_("witness"), on_delete=models.PROTECT, related_name="+")
    timestamp = models.BigIntegerField(_("witness time"))
    signature_line = models.TextField(_("signature line"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["checkpoint_id", "witness_id"]
        verbose_name = _("cosignature")
        verbose_name_plural = _("cosignatures")
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="ledger_cosignature_once_per_witness")
        ]

    def __str__(self) -> str:
        return f"{self.witness_id} on {self.checkpoint_id}"


class PersonalSalt(models.Model):
    """The salt of a commitment to personal data. Erasing it (PIPL) unlinks the commitment."""

    commitment = models.CharField(_("commitment"), max_length=64, unique=True)
    salt = models.BinaryField(_("salt"), max_length=32)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("personal-data salt")
        verbose_name_plural = _("personal-data salts")

    def __str__(self) -> str:
        return self.commitment[:16]


class LedgerAlarm(models.Model):
    """Raised by the integrity job when the stored log disagrees with itself or a checkpoint."""

    kind = models.CharField(_("kind"), max_length=32, choices=AlarmKind.choices)
    detail = models.TextField(_("detail"))
    leaf_index = models.BigIntegerField(_("entry"), null=True, blank=True)
    tree_size = models.BigIntegerField(_("tree size"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger alarm")
        verbose_name_plural = _("ledger alarms")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail[:60]}"
