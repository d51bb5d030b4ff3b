"""Where the shared evaluation data lives (``../shared``: real messages, public test vectors).

Tests and benchmarks read it in place, never copy it. It is found, in this order, at
``$GONGZHI_SHARED_DIR``; next to the repository (``../shared``, the usual layout); or next to
the repository this one was cloned from, when its ``origin`` is a local path — so that a
fresh ``git clone . /tmp/x && cd /tmp/x && make test`` reads the same data as the checkout it
came from.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def _origin_path() -> Path | None:
    try:
        url = subprocess.run(  # noqa: S603 (fixed arguments)
            ["git", "-C", str(REPOSITORY), "config", "--get", "remote.origin.url"],  # noqa: S607 (git on PATH)
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not url:
        return None
    path = Path(url.removeprefix("file://"))
    return path.resolve() if path.is_absolute() and path.is_dir() else None


@functools.cache
def shared_dir() -> Path:
    """The shared directory (the first candidate that exists; else ``../shared``, so that
    the callers' "missing" messages name the usual place)."""
    candidates = []
    if os.environ.get("GONGZHI_SHARED_DIR"):
        candidates.append(Path(os.environ["GONGZHI_SHARED_DIR"]))
    candidates.append(REPOSITORY.parent / "shared")
    origin = _origin_path()
    if origin is not None:
        candidates.append(origin.parent / "shared")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return REPOSITORY.parent / "shared"
