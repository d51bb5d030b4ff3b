"""Duplicate scoring: the same problem, nearby, recently.

The database side retrieves a bounded set of candidates (open orders in the same area
subtree within the time window, newest first, through an index); this module ranks them by
text similarity weighted by closeness in place and time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from gongzhi.text.engine.similarity import cosines

WINDOW_DAYS = 30
RADIUS_M = 300.0
# Unrelated messages score below 0.12 (99th percentile of random pairs of the real hot-spot
# messages); reports of the same problem 0.2–0.6 (see docs/text.md).
THRESHOLD = 0.18
MIN_SIMILARITY = 0.15


@dataclass(frozen=True)
class Message:
    """A message or order, reduced to what duplicate scoring needs."""

    key: int | str
    title: str
    text: str
    time: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    area_path: str = ""
    address: str = ""


@dataclass(frozen=True)
class DuplicateCandidate:
    key: int | str
    score: float
    text_similarity: float
    distance_m: float | None
    days_apart: float | None


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def place_factor(a: Message, b: Message, *, radius_m: float = RADIUS_M) -> tuple[float, float | None]:
    """1.0 for the same spot, decreasing with distance; by area path when there are no points."""
    if a.lat is not None and a.lng is not None and b.lat is not None and b.lng is not None:
        d = distance_m(a.lat, a.lng, b.lat, b.lng)
        if d <= radius_m:
            return 1.0 - 0.3 * d / radius_m, d
        return max(0.3, 0.7 * radius_m / d), d
    if a.address and a.address == b.address:
        return 1.0, None
    if a.area_path and b.area_path:
        if a.area_path == b.area_path:
            return 0.9, None
        common = 0
        for x, y in zip(a.area_path.split("/"), b.area_path.split("/"), strict=False):
            if x != y:
                break
            common += 1
        return (0.75 if common >= 3 else 0.5), None
    return 0.6, None


def time_factor(a: Message, b: Message, *, window_days: int = WINDOW_DAYS) -> tuple[float, float | None]:
    if a.time is None or b.time is None:
        return 0.8, None
    days = abs((a.time - b.time).total_seconds()) / 86400
    if days > window_days:
        return 0.0, days
    return 1.0 - 0.4 * days / window_days, days


def rank_duplicates(
    query: Message,
    candidates: Iterable[Message],
    *,
    threshold: float = THRESHOLD,
    limit: int = 5,
    window_days: int = WINDOW_DAYS,
    radius_m: float = RADIUS_M,
) -> list[DuplicateCandidate]:
    """Candidates likely about the same problem, best first (score in 0..1)."""
    timed = []
    for c in candidates:
        if c.key == query.key:
            continue
        tf, days = time_factor(query, c, window_days=window_days)
        if tf:
            timed.append((c, tf, days))
    sims = cosines(query.title, query.text, [(c.title, c.text) for c, _tf, _days in timed])
    out: list[DuplicateCandidate] = []
    for (c, tf, days), sim in zip(timed, sims.tolist(), strict=True):
        if sim < min(MIN_SIMILARITY, threshold):
            continue
        pf, dist = place_factor(query, c, radius_m=radius_m)
        score = sim * (0.5 + 0.5 * pf) * (0.6 + 0.4 * tf)
        if score >= threshold:
            out.append(DuplicateCandidate(c.key, round(score, 4), round(sim, 4), dist, days))
    out.sort(key=lambda d: -d.score)
    return out[:limit]
