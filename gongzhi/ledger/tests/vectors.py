"""Loads the public RFC 6962/9162 test vectors from ../shared/reference/merkle-vectors (never copied)."""

from __future__ import annotations

import base64
import json
from typing import Any

from gongzhi.testing.shared import shared_dir

VECTORS = shared_dir() / "reference" / "merkle-vectors"


def b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def load(kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Every transparency-dev case of ``kind`` ("inclusion" or "consistency") as (name, case)."""
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert files, f"no {kind} vectors under {VECTORS}"
    return [(str(f.relative_to(VECTORS)), json.loads(f.read_text())) for f in files]


def load_json(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())
