"""Salted commitments to personal data: the ledger holds the hash, never the value.

``commit_personal("张三 13800000000")`` → ``(salt, commitment)``; the commitment goes into the
event payload, the salt into :class:`PersonalSalt` (outside the append-only log). Whoever
holds the value and the salt can show that a leaf refers to it; once the salt is erased
(PIPL deletion), the commitment is a random-looking string that links to nobody, and the
log still verifies because the leaf itself never changes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from gongzhi.ledger.models import PersonalSalt

DOMAIN = b"gongzhi-ledger-commitment/v1\x00"


def commitment_for(value: str, salt: bytes) -> str:
    return hashlib.sha256(DOMAIN + salt + value.encode("utf-8")).hexdigest()


def commit_personal(value: str) -> tuple[bytes, str]:
    """Commit to ``value`` with a fresh 32-byte salt, stored in the erasable salt table.

    Call it inside the action that enqueues the event, so the salt and the event commit together.
    """
    salt = secrets.token_bytes(32)
    commitment = commitment_for(value, salt)
    PersonalSalt.objects.create(commitment=commitment, salt=salt)
    return salt, commitment


def commit_personal_many(values: list[str]) -> list[str]:
    """One fresh salt and commitment per value, stored in one bulk insert; commitments in order."""
    pairs = [(secrets.token_bytes(32), value) for value in values]
    rows = [PersonalSalt(commitment=commitment_for(value, salt), salt=salt) for salt, value in pairs]
    PersonalSalt.objects.bulk_create(rows, batch_size=2000)
    return [row.commitment for row in rows]


def matches_commitment(value: str, commitment: str) -> bool:
    """True if ``value`` is what ``commitment`` commits to (False once the salt is erased)."""
    row = PersonalSalt.objects.filter(commitment=commitment).first()
    return row is not None and hmac.compare_digest(commitment_for(value, bytes(row.salt)), commitment)
