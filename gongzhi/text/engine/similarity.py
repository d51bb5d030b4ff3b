"""Cheap text similarity for near-duplicates: cosine of character-bigram profiles.

Character bigrams need no segmentation (fast, robust to typos and mixed scripts) and for
Chinese they approximate words well. The title is counted twice, the body is cut to its
head (``MAX_CHARS``) so a 100,000-character paste costs no more than a normal message.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from gongzhi.text.engine.tokenise import normalise

MAX_CHARS = 600
_KEEP = re.compile(r"[^\w]+", re.UNICODE)

Profile = dict[str, float]


def bigrams(text: str) -> list[str]:
    s = _KEEP.sub("", text)
    if len(s) == 1:
        return [s]
    return [s[i : i + 2] for i in range(len(s) - 1)]


def profile(title: str | None, text: str | None) -> Profile:
    """A unit-length, sublinear-tf bigram profile of a message."""
    t = normalise(title, max_chars=120)
    b = normalise(text, max_chars=MAX_CHARS)
    counts = Counter(bigrams(t))
    for g, n in Counter(bigrams(t)).items():
        counts[g] += n
    counts.update(bigrams(b))
    weights = {g: 1.0 + math.log(n) for g, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if not norm:
        return {}
    return {g: w / norm for g, w in weights.items()}


def cosine(a: Profile, b: Profile) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())


def similarity(title_a: str | None, text_a: str | None, title_b: str | None, text_b: str | None) -> float:
    return cosine(profile(title_a, text_a), profile(title_b, text_b))
