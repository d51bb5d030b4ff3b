"""Field encryption (AES-256-GCM by default, SM4-GCM selectable) and HMAC blind indexes.

Ciphertext layout (then base64 for a text column)::

    version(1) | algorithm(1) | len(kid)(1) | kid | nonce(12) | ciphertext | tag(16)

The additional authenticated data binds a value to ``"<app>.<model>.<field>|<purpose>"``,
so a ciphertext copied into another field (or another model) fails authentication,
and a flipped bit anywhere fails it too. Nothing row-specific is in the AAD: that
keeps bulk imports and key rotation independent of primary keys.

Keys come from ``settings.GONGZHI_ENCRYPTION_KEYS`` (``"kid:base64,kid2:base64"``,
the first is the active key; each key is 32 random bytes) together with
``GONGZHI_BLIND_INDEX_KEY`` (base64, 32 bytes), or from the key file
``settings.GONGZHI_KEY_FILE`` (embedded mode: created with random keys and mode 0600
on first use). The blind-index key may also be a list ``"ikid:base64,ikid2:base64"``
(the first is active; a bare base64 key has the id ``"i0"``); during a blind-index key
rotation lookups compute the index under every listed key (:func:`blind_indexes`), so
a row indexed under the old key is still found while ``rotate_index_key`` recomputes
the column. ``GONGZHI_FIELD_CIPHER`` selects ``"aes-256-gcm"`` or ``"sm4-gcm"`` for
new ciphertexts; old ones keep decrypting with whatever algorithm their header names.
SM4 takes a 128-bit key, derived from the 256-bit key with HKDF-SHA256.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
_KID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
LEGACY_INDEX_KID = "i0"  # the id of a blind-index key given without one


class Algorithm(IntEnum):
    AES_256_GCM = 1
    SM4_GCM = 2


ALGORITHM_NAMES = {"aes-256-gcm": Algorithm.AES_256_GCM, "sm4-gcm": Algorithm.SM4_GCM}


class DecryptionError(Exception):
    """The ciphertext is malformed, was tampered with, belongs to another field, or its key is unknown."""


class SM4Unavailable(ImproperlyConfigured):
    """The OpenSSL build behind ``cryptography`` has no SM4; choose aes-256-gcm."""


def sm4_gcm_supported() -> bool:
    """True when this OpenSSL build can do SM4 in GCM mode (OpenSSL 3 builds usually can)."""
    try:
        key, nonce = bytes(16), bytes(NONCE_BYTES)
        enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        enc.update(b"x")
        enc.finalize()
    except (UnsupportedAlgorithm, ValueError, AttributeError):
        return False
    return True


@dataclass(frozen=True)
class KeyRing:
    """Encryption keys by id (``active`` encrypts), the blind-index key and the chosen algorithm."""

    keys: dict[str, bytes]
    active: str
    index_key: bytes
    algorithm: Algorithm = Algorithm.AES_256_GCM
    #: every blind-index key by id (the active one included); empty = only ``index_key`` as "i0"
    index_keys: dict[str, bytes] = field(default_factory=dict)
    index_active: str = LEGACY_INDEX_KID

    def all_index_keys(self) -> dict[str, bytes]:
        """``{kid: key}``, the active index key first."""
        others = {kid: key for kid, key in self.index_keys.items() if kid != self.index_active}
        return {self.index_active: self.index_key, **others}

    def key(self, kid: str) -> bytes:
        try:
            return self.keys[kid]
        except KeyError:
            raise DecryptionError(f"unknown key id {kid!r}") from None


def _b64key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what} is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{what} must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def parse_key_list(text: str) -> tuple[dict[str, bytes], str]:
    """``"kid:base64,kid2:base64"`` → ({kid: key}, active kid = the first)."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        kid, sep, b64 = item.partition(":")
        if not sep or not _KID_RE.match(kid):
            raise ImproperlyConfigured(f"GONGZHI_ENCRYPTION_KEYS entry {kid!r} must look like 'kid:base64key'")
        if kid in keys:
            raise ImproperlyConfigured(f"GONGZHI_ENCRYPTION_KEYS repeats key id {kid!r}")
        keys[kid] = _b64key(b64, f"key {kid!r}")
        order.append(kid)
    if not order:
        raise ImproperlyConfigured("GONGZHI_ENCRYPTION_KEYS holds no key")
    return keys, order[0]


def parse_index_keys(text: str) -> tuple[dict[str, bytes], str]:
    """``GONGZHI_BLIND_INDEX_KEY``: a bare base64 key (id ``i0``) or ``"ikid:base64,…"`` (first active)."""
    text = text.strip()
    if ":" not in text:
        return {LEGACY_INDEX_KID: _b64key(text, "GONGZHI_BLIND_INDEX_KEY")}, LEGACY_INDEX_KID
    try:
        return parse_key_list(text)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"GONGZHI_BLIND_INDEX_KEY: {exc}") from exc


def index_keys_from_file(data: dict, path: Path | str) -> tuple[dict[str, bytes], str]:
    """The key file's index keys: ``index_keys`` + ``index_active``, or the older single ``index_key``."""
    if data.get("index_keys"):
        keys = {kid: _b64key(b64, f"index key {kid!r} in {path}") for kid, b64 in data["index_keys"].items()}
        active = data.get("index_active", "")
        if active not in keys:
            raise ImproperlyConfigured(f"{path}: active index key {active!r} is not among its index keys")
        return keys, active
    return {LEGACY_INDEX_KID: _b64key(data["index_key"], f"index_key in {path}")}, LEGACY_INDEX_KID


def new_key_b64() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def new_kid() -> str:
    return "k" + secrets.token_hex(4)


def create_key_file(path: Path) -> dict:
    """Write a fresh key file (0600) unless one exists; return its content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    active = new_kid()
    data: dict[str, Any] = {"active": active, "keys": {active: new_key_b64()}, "index_key": new_key_b64()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    return data


def write_key_file(path: Path, data: dict) -> None:
    """Replace the key file atomically, keeping mode 0600."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_key_file(path: Path) -> dict:
    if not path.exists():
        try:
            return create_key_file(path)
        except FileExistsError:
            pass  # another process created it first: read theirs
    return json.loads(path.read_text())


def _algorithm_setting() -> Algorithm:
    name = str(getattr(settings, "GONGZHI_FIELD_CIPHER", os.environ.get("GONGZHI_FIELD_CIPHER", "aes-256-gcm"))).lower()
    try:
        algorithm = ALGORITHM_NAMES[name]
    except KeyError:
        raise ImproperlyConfigured(f"GONGZHI_FIELD_CIPHER must be one of {sorted(ALGORITHM_NAMES)}") from None
    if algorithm is Algorithm.SM4_GCM and not sm4_gcm_supported():
        raise SM4Unavailable("GONGZHI_FIELD_CIPHER=sm4-gcm but this OpenSSL build lacks SM4-GCM; use aes-256-gcm")
    return algorithm


def load_keyring() -> KeyRing:
    algorithm = _algorithm_setting()
    key_list = getattr(settings, "GONGZHI_ENCRYPTION_KEYS", "") or ""
    if key_list:
        keys, active = parse_key_list(key_list)
        index_b64 = getattr(settings, "GONGZHI_BLIND_INDEX_KEY", "") or os.environ.get("GONGZHI_BLIND_INDEX_KEY", "")
        if not index_b64:
            raise ImproperlyConfigured("GONGZHI_ENCRYPTION_KEYS is set, so GONGZHI_BLIND_INDEX_KEY must be set too")
        index_keys, index_active = parse_index_keys(index_b64)
        return KeyRing(keys, active, index_keys[index_active], algorithm, index_keys, index_active)
    path = Path(getattr(settings, "GONGZHI_KEY_FILE", "") or Path(settings.BASE_DIR) / "var" / "keys.json")
    data = read_key_file(path)
    keys = {kid: _b64key(b64, f"key {kid!r} in {path}") for kid, b64 in data["keys"].items()}
    if data["active"] not in keys:
        raise ImproperlyConfigured(f"{path}: active key {data['active']!r} is not among its keys")
    index_keys, index_active = index_keys_from_file(data, path)
    return KeyRing(keys, data["active"], index_keys[index_active], algorithm, index_keys, index_active)


_lock = threading.Lock()
_cached: tuple[tuple, KeyRing] | None = None


def _config_fingerprint() -> tuple:
    return (
        getattr(settings, "GONGZHI_ENCRYPTION_KEYS", ""),
        getattr(settings, "GONGZHI_BLIND_INDEX_KEY", ""),
        getattr(settings, "GONGZHI_KEY_FILE", ""),
        getattr(settings, "GONGZHI_FIELD_CIPHER", ""),
    )


def keyring() -> KeyRing:
    """The current key ring, loaded once per configuration."""
    global _cached
    fingerprint = _config_fingerprint()
    cached = _cached
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    with _lock:
        ring = load_keyring()
        _cached = (fingerprint, ring)
    return ring


def reset_keyring() -> None:
    """Forget the cached ring (after the key file changes)."""
    global _cached
    _cached = None


def _sm4_key(key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=b"gongzhi sm4-gcm field key").derive(key)


@functools.lru_cache(maxsize=32)
def _aesgcm(key: bytes) -> AESGCM:
    """One AESGCM object per key (building one per value costs more than the encryption)."""
    return AESGCM(key)


def _seal(algorithm: Algorithm, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Ciphertext with the 16-byte tag appended."""
    if algorithm is Algorithm.AES_256_GCM:
        return _aesgcm(key).encrypt(nonce, plaintext, aad)
    enc = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    body = enc.update(plaintext) + enc.finalize()
    return body + enc.tag


def _open(algorithm: Algorithm, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if algorithm is Algorithm.AES_256_GCM:
        return _aesgcm(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    return dec.update(body) + dec.finalize()


def encrypt_bytes(plaintext: bytes, aad: bytes, *, ring: KeyRing | None = None) -> bytes:
    ring = ring or keyring()
    kid = ring.active.encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _seal(ring.algorithm, ring.key(ring.active), nonce, plaintext, aad)
    return bytes([FORMAT_VERSION, ring.algorithm, len(kid)]) + kid + nonce + sealed


@dataclass(frozen=True)
class Header:
    version: int
    algorithm: Algorithm
    kid: str


def parse_header(blob: bytes) -> tuple[Header, bytes, bytes]:
    """(header, nonce, sealed body+tag); raises DecryptionError on any malformation."""
    if len(blob) < 3:
        raise DecryptionError("ciphertext too short")
    version, alg, kid_len = blob[0], blob[1], blob[2]
    if version != FORMAT_VERSION:
        raise DecryptionError(f"unknown ciphertext version {version}")
    try:
        algorithm = Algorithm(alg)
    except ValueError:
        raise DecryptionError(f"unknown algorithm {alg}") from None
    start = 3 + kid_len
    if len(blob) < start + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    kid = blob[3:start].decode("ascii", errors="replace")
    return Header(version, algorithm, kid), blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]


def decrypt_bytes(blob: bytes, aad: bytes, *, ring: KeyRing | None = None) -> bytes:
    ring = ring or keyring()
    header, nonce, sealed = parse_header(blob)
    try:
        return _open(header.algorithm, ring.key(header.kid), nonce, sealed, aad)
    except InvalidTag:
        raise DecryptionError("authentication failed (tampered, or not this field's ciphertext)") from None


def encrypt_many(values: list[str], aad: str, *, ring: KeyRing | None = None) -> list[str]:
    """``[encrypt_text(v, aad) for v in values]`` for bulk writers, same format, cheaper per
    value: one header, one cipher object and one call for all the nonces (still 12 fresh
    random bytes per value). Empty strings stay empty (an absent value)."""
    ring = ring or keyring()
    aad_bytes = aad.encode("utf-8")
    if ring.algorithm is not Algorithm.AES_256_GCM:
        return [encrypt_text(v, aad) if v else "" for v in values]
    kid = ring.active.encode()
    header = bytes([FORMAT_VERSION, ring.algorithm, len(kid)]) + kid
    seal = _aesgcm(ring.key(ring.active)).encrypt
    nonces = os.urandom(NONCE_BYTES * len(values))
    b64 = base64.b64encode
    out: list[str] = []
    append = out.append
    for i, value in enumerate(values):
        if not value:
            append("")
            continue
        nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
        append(b64(header + nonce + seal(nonce, value.encode("utf-8"), aad_bytes)).decode("ascii"))
    return out


def encrypt_text(value: str, aad: str) -> str:
    return base64.b64encode(encrypt_bytes(value.encode("utf-8"), aad.encode("utf-8"))).decode("ascii")


def decrypt_text(token: str, aad: str) -> str:
    try:
        blob = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("ciphertext is not base64") from None
    return decrypt_bytes(blob, aad.encode("utf-8")).decode("utf-8")


def token_header(token: str) -> Header:
    """Header of a stored base64 token (to see which key and algorithm sealed it)."""
    try:
        blob = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("ciphertext is not base64") from None
    return parse_header(blob)[0]


# --- blind indexes -----------------------------------------------------------------------


def normalise_id_number(value: str) -> str:
    """ID numbers: no spaces, upper-case (the check digit X)."""
    return re.sub(r"\s+", "", value).upper()


def normalise_phone(value: str) -> str:
    """Phones: digits only, without a leading +86/0086 country code."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits


def normalise_text(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().casefold()


NORMALISERS = {"id_number": normalise_id_number, "phone": normalise_phone, "text": normalise_text}


def blind_index(value: str, *, kind: str, ring: KeyRing | None = None, normalised: bool = False) -> str:
    """HMAC-SHA256 (hex) of the normalised value, keyed with the index key and the kind,
    so an ID number and a phone with the same digits never share an index.
    ``normalised=True`` skips normalising a value that a validator already normalised."""
    ring = ring or keyring()
    if normalised:
        mac = _hmac_base(ring.index_key, kind).copy()
        mac.update(value.encode())
        return mac.hexdigest()
    return _hmac(ring.index_key, value, kind)


def index_state(kind: str, *, ring: KeyRing | None = None) -> hmac.HMAC:
    """The keyed HMAC state of the active index key for ``kind``: ``state.copy()``, then
    ``update(normalised value)`` and ``hexdigest()`` gives :func:`blind_index` (bulk callers)."""
    ring = ring or keyring()
    return _hmac_base(ring.index_key, kind)


@functools.lru_cache(maxsize=32)
def _hmac_base(key: bytes, kind: str) -> hmac.HMAC:
    """The keyed HMAC state after the ``kind`` prefix; each index copies it (cheaper than a new HMAC)."""
    return hmac.new(key, f"{kind}\x00".encode(), hashlib.sha256)


def _hmac(key: bytes, value: str, kind: str) -> str:
    mac = _hmac_base(key, kind).copy()
    mac.update(NORMALISERS[kind](value).encode())
    return mac.hexdigest()


def blind_indexes(value: str, *, kind: str, ring: KeyRing | None = None) -> list[str]:
    """The value's blind index under every configured index key, the active key first.

    Look rows up with ``field__in=blind_indexes(...)``: while ``rotate_index_key`` runs,
    some rows still hold the old key's index and some the new one; both are found.
    Outside a rotation there is one key and one index."""
    ring = ring or keyring()
    return [_hmac(key, value, kind) for key in ring.all_index_keys().values()]
