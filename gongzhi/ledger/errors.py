"""Ledger domain errors."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class LedgerErrorCode(StrEnum):
    UNKNOWN_KIND = "unknown_kind"
    NOT_CANONICAL = "not_canonical"
    NO_SUCH_SIZE = "no_such_size"
    NO_SUCH_LEAF = "no_such_leaf"
    NO_SUCH_CHECKPOINT = "no_such_checkpoint"
    UNKNOWN_WITNESS = "unknown_witness"
    BAD_COSIGNATURE = "bad_cosignature"
    RANGE_TOO_LARGE = "range_too_large"
    NO_SIGNING_KEY = "no_signing_key"


class LedgerError(DomainError):
    http_status = 422
    messages = {
        LedgerErrorCode.UNKNOWN_KIND.value: _("This event kind is not recorded on the ledger."),
        LedgerErrorCode.NOT_CANONICAL.value: _("The payload cannot be written as canonical JSON."),
        LedgerErrorCode.NO_SUCH_SIZE.value: _("The log has no tree of that size."),
        LedgerErrorCode.NO_SUCH_LEAF.value: _("No entry with that hash or index is in the log."),
        LedgerErrorCode.NO_SUCH_CHECKPOINT.value: _("No checkpoint with that size and root hash."),
        LedgerErrorCode.UNKNOWN_WITNESS.value: _("The signature is not from a registered witness key."),
        LedgerErrorCode.BAD_COSIGNATURE.value: _("The cosignature does not verify."),
        LedgerErrorCode.RANGE_TOO_LARGE.value: _("Ask for fewer entries at a time."),
        LedgerErrorCode.NO_SIGNING_KEY.value: _("No ledger signing key is configured."),
    }
