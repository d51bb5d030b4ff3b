"""The log's signing keys: from the environment, or a key file generated on first use.

``GONGZHI_LEDGER_SIGNING_KEYS`` (setting or environment): comma-separated signer keys in the
Go note format ``PRIVATE+KEY+<name>+<key id>+<base64>``. The first is the active key; the
others still sign every checkpoint during a rotation, so verifiers holding either key accept
it. Without it, ``GONGZHI_LEDGER_KEY_FILE`` (default ``var/ledger-signing-key``) holds one key
per line and is created with a fresh key (embedded mode). ``GONGZHI_LEDGER_ORIGIN`` names the
log (the checkpoint's first line and the key name).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from gongzhi.ledger.errors import LedgerError, LedgerErrorCode
from gongzhi.ledger.note import NoteError, Signer, Verifier

DEFAULT_ORIGIN = "gongzhi.local/ledger"


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, "") or default)


def origin() -> str:
    return _setting("GONGZHI_LEDGER_ORIGIN", DEFAULT_ORIGIN)


def _key_file() -> Path:
    return Path(_setting("GONGZHI_LEDGER_KEY_FILE", str(Path(settings.VAR_DIR) / "ledger-signing-key")))


def signers() -> list[Signer]:
    """All configured signing keys, active first."""
    text = _setting("GONGZHI_LEDGER_SIGNING_KEYS")
    if not text:
        path = _key_file()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(Signer.generate(origin()).signer_key() + "\n")
        text = path.read_text()
    try:
        keys = [Signer.parse(part) for part in text.replace("\n", ",").split(",") if part.strip()]
    except NoteError as exc:
        raise LedgerError(LedgerErrorCode.NO_SIGNING_KEY, str(exc)) from exc
    if not keys:
        raise LedgerError(LedgerErrorCode.NO_SIGNING_KEY)
    return keys


def verifiers() -> list[Verifier]:
    return [s.verifier() for s in signers()]


def active_signer() -> Signer:
    return signers()[0]
