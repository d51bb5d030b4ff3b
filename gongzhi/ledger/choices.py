"""Enums of the governance ledger."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What a leaf records. Domains enqueue events of these kinds (see docs/ledger.md)."""

    WORK_ORDER_TRANSITION = "work_order.transition", _("Work-order transition")
    DECISION = "decision", _("Decision or resolution")
    VOTE_TALLY = "vote.tally", _("Vote tally")
    POINTS_CHANGE = "points.change", _("Points change")
    CREDIT_CHANGE = "credit.change", _("Credit change")
    PERSONAL_DATA_REVEAL = "privacy.reveal", _("Reveal of sensitive personal data")
    DISCLOSURE = "privacy.disclosure", _("Disclosure to another department")
    KEY_ROTATION = "ledger.key_rotation", _("Signing key rotation")
    ADMIN_GRANT = "access.admin_grant", _("Administrator grant")
    WITNESS_REGISTERED = "ledger.witness", _("Witness registered")


class AlarmKind(models.TextChoices):
    LEAF_HASH_MISMATCH = "leaf_hash", _("Leaf hash does not match its data")
    MISSING_LEAF = "missing_leaf", _("Leaf missing or out of order")
    NODE_MISMATCH = "node", _("Stored node does not match its children")
    ROOT_MISMATCH = "root", _("Recomputed root differs from a signed checkpoint")
    SIGNATURE = "signature", _("Checkpoint signature does not verify")
