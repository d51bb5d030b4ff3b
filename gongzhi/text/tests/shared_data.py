"""Access to the real messages in ``../shared/data/messages`` (read in place, never copied)."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from gongzhi.testing.shared import shared_dir
from gongzhi.text.engine.csvdata import read_rows

DATA = shared_dir() / "data" / "messages"


def path(name: str) -> Path:
    p = DATA / name
    assert p.exists(), f"shared data missing: {p} (tests read ../shared/data/messages)"
    return p


@cache
def labelled() -> list[dict[str, str]]:
    return list(read_rows(path("labelled_messages.csv")))


@cache
def hotspot_rows() -> list[dict[str, str]]:
    return list(read_rows(path("hotspot_messages.csv")))


@cache
def replied() -> list[dict[str, str]]:
    return list(read_rows(path("replied_messages.csv")))


def stratified(rows: list[dict[str, str]], per_class: int, *, offset: int = 0) -> list[dict[str, str]]:
    """``per_class`` rows of each label, deterministically (every row whose index ≡ offset)."""
    by_label: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row["label"]].append(row)
    out: list[dict[str, str]] = []
    for label in sorted(by_label):
        out.extend(by_label[label][offset::2][:per_class])
    return out
