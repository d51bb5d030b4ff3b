"""API keys: ``<prefix>.<secret>``; the prefix finds the client, the SHA-256 of the whole
key is compared in constant time. Keys are 256-bit random, so a fast hash is enough."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_key() -> tuple[str, str, str]:
    """(raw key, prefix, hash)."""
    prefix = secrets.token_hex(4)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    return raw, prefix, hash_key(raw)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def prefix_of(raw: str) -> str:
    return raw.split(".", 1)[0] if "." in raw else ""


def matches(raw: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(raw), stored_hash)
