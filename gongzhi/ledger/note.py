"""C2SP signed notes, tlog-checkpoint and tlog-cosignature/v1 with Ed25519 (a copy of the witness tool's note.py).

Kept identical to ``tools/witness/src/gongzhi_witness/note.py`` (a test checks it) so the server
and the independent tools speak exactly the same format.

A checkpoint body is ``<origin>\\n<tree size>\\n<base64 root hash>\\n``; the signed note adds a
blank line and one line per signature: ``— <key name> base64(key id(4) || signature)``.
Key ids are the first 4 bytes of SHA-256(name || 0x0A || type || public key), type 0x01 for
Ed25519 note signatures and 0x04 for cosignature/v1, whose signature is
``timestamp(8, big-endian) || Ed25519 signature`` over
``cosignature/v1\\ntime <timestamp>\\n<checkpoint body>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
DASH = "\u2014"


class NoteError(ValueError):
    """A note or signature is malformed or does not verify."""


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError("a key name is non-empty, without spaces or '+'")


@dataclass(frozen=True)
class Signer:
    """An Ed25519 signing key with its note name (also used for cosignatures)."""

    name: str
    private_key: Ed25519PrivateKey

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        _check_name(name)
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        """``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>`` (the Go note format)."""
        parts = text.strip().split("+", 4)  # the base64 key may itself contain "+"
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("not a signer key")
        raw = _b64(parts[4])
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("not an Ed25519 signer key")
        signer = cls.from_seed(parts[2], raw[1:])
        if signer.key_id.hex() != parts[3]:
            raise NoteError("signer key id does not match")
        return signer

    @property
    def public_key(self) -> bytes:
        return public_bytes(self.private_key.public_key())

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ALG_ED25519, self.public_key)

    @property
    def cosigner_key_id(self) -> bytes:
        return key_id(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def seed(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        return self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def signer_key(self) -> str:
        raw = base64.b64encode(bytes([ALG_ED25519]) + self.seed()).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{raw}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key)

    def sign_line(self, body: str) -> str:
        signature = self.private_key.sign(body.encode())
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + signature).decode()}\n"

    def cosign_line(self, body: str, timestamp: int) -> str:
        message = cosignature_message(body, timestamp)
        signature = self.private_key.sign(message)
        raw = self.cosigner_key_id + timestamp.to_bytes(8, "big") + signature
        return f"{DASH} {self.name} {base64.b64encode(raw).decode()}\n"


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 public key with its note name."""

    name: str
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """``<name>+<key id hex>+<base64(0x01 || public key)>`` (the Go note verifier-key format)."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("not a verifier key")
        raw = _b64(parts[2])
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("not an Ed25519 verifier key")
        verifier = cls(parts[0], raw[1:])
        _check_name(verifier.name)
        if verifier.key_id.hex() != parts[1]:
            raise NoteError("verifier key id does not match")
        return verifier

    def __str__(self) -> str:
        raw = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ALG_ED25519, self.public_key)

    @property
    def cosigner_key_id(self) -> bytes:
        return key_id(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def _key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def verify_line(self, body: str, line: Signature) -> bool:
        if line.name != self.name or line.key_id != self.key_id:
            return False
        try:
            self._key().verify(line.signature, body.encode())
        except InvalidSignature:
            return False
        return True

    def verify_cosignature(self, body: str, line: Signature) -> int | None:
        """The cosignature's timestamp if ``line`` is this witness's valid cosignature of ``body``."""
        if line.name != self.name or line.key_id != self.cosigner_key_id or len(line.signature) != 72:
            return None
        timestamp = int.from_bytes(line.signature[:8], "big")
        try:
            self._key().verify(line.signature[8:], cosignature_message(body, timestamp))
        except InvalidSignature:
            return None
        return timestamp


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    @classmethod
    def parse(cls, line: str) -> Signature:
        line = line.rstrip("\n")
        if not line.startswith(DASH + " "):
            raise NoteError("a signature line starts with an em dash")
        parts = line[2:].split(" ")
        if len(parts) != 2:
            raise NoteError("a signature line has a key name and a signature")
        raw = _b64(parts[1])
        if len(raw) < 5:
            raise NoteError("signature too short")
        return cls(parts[0], raw[:4], raw[4:])


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    body: str
    signatures: tuple[Signature, ...]

    def verify(self, verifier: Verifier) -> None:
        if not any(verifier.verify_line(self.body, s) for s in self.signatures):
            raise NoteError(f"no valid signature by {verifier.name} ({verifier.key_id.hex()})")

    def cosignatures(self, witnesses: list[Verifier]) -> dict[str, int]:
        """Witness name → timestamp for every valid cosignature."""
        found: dict[str, int] = {}
        for witness in witnesses:
            for line in self.signatures:
                timestamp = witness.verify_cosignature(self.body, line)
                if timestamp is not None:
                    found[witness.name] = timestamp
        return found


def checkpoint_body(origin: str, size: int, root_hash: bytes) -> str:
    if not origin or "\n" in origin:
        raise NoteError("bad origin")
    return f"{origin}\n{size}\n{base64.b64encode(root_hash).decode()}\n"


def cosignature_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def sign_checkpoint(origin: str, size: int, root_hash: bytes, signers: list[Signer]) -> str:
    body = checkpoint_body(origin, size, root_hash)
    return body + "\n" + "".join(s.sign_line(body) for s in signers)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a signed checkpoint note; signatures are parsed, not verified."""
    if "\n\n" not in text:
        raise NoteError("a signed note has a blank line before its signatures")
    body, _, sigs = text.partition("\n\n")
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    origin, size_text, root_text = lines[:3]
    if not size_text.isdigit() or (size_text.startswith("0") and size_text != "0"):
        raise NoteError("bad tree size")
    root_hash = _b64(root_text)
    if len(root_hash) != 32:
        raise NoteError("bad root hash")
    signatures = tuple(Signature.parse(line) for line in sigs.split("\n") if line)
    if not signatures:
        raise NoteError("a signed note has at least one signature")
    return Checkpoint(origin, int(size_text), root_hash, body, signatures)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError("bad base64") from exc
