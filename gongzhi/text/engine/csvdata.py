"""Reading message CSV files (columns ``title``, ``text``, ``label``, optional ``id``, ``time``,
``user``, ``count_a``/``count_b``, ``reply``, ``reply_time``)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_TIME_RE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")

csv.field_size_limit(10_000_000)


def parse_time(value: str | None) -> datetime | None:
    """``2019/2/28 11:25:05`` or ``2017-06-08 17:31:20`` as an aware time in Asia/Shanghai."""
    if not value:
        return None
    m = _TIME_RE.search(value)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)
    except ValueError:
        return None


def read_rows(path: str | Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k.strip(): (v or "") for k, v in row.items() if k}


def attention(row: dict[str, str]) -> int:
    """Public attention = the sum of the two reaction counts (their meaning was swapped between releases)."""
    total = 0
    for key in ("count_a", "count_b"):
        try:
            total += max(0, int(row.get(key) or 0))
        except ValueError:
            continue
    return total
