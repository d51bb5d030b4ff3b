"""Cheap text similarity for near-duplicates: cosine of character-bigram profiles.

Character bigrams need no segmentation (fast, robust to typos and mixed scripts) and for
Chinese they approximate words well. The title is counted twice, the body is cut to its
head (``MAX_CHARS``) so a 100,000-character paste costs no more than a normal message.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

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
    """The cosine of two messages' profiles, computed as ``cosines`` does (one code path in
    the product); ``profile`` and ``cosine`` stay as the plain definition the tests and
    ``bench/bench_text_ranking.py`` check it against."""
    return float(cosines(title_a, text_a, [(title_b, text_b)])[0])


# --- The same cosine for many candidates at once (numpy) -------------------------------------
#
# Ranking duplicates compares one message with up to a few hundred candidates; building a dict
# profile per candidate in Python cost ~70 ms for 300 of them on a loaded machine. Here every
# bigram becomes one integer (two code points packed 21 bits apiece; a lone character gets a
# bit of its own so it never equals a bigram), the candidates' (candidate, bigram) pairs are
# counted with one ``np.unique``, and the dot products with the query are one ``bincount``. The
# weights are those of ``profile`` (title counted twice, 1 + log(count), unit length), so the
# result equals ``cosine(profile(q), profile(c))`` up to floating-point rounding (tested).

_LONE = np.int64(1) << 42


def _codes(text: str) -> np.ndarray:
    """The bigram codes of already normalised text (the tokens of ``bigrams``)."""
    s = _KEEP.sub("", text)
    if not s:
        return np.empty(0, dtype=np.int64)
    points = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(points) == 1:
        return points | _LONE
    return (points[:-1] << 21) | points[1:]


@functools.lru_cache(maxsize=4096)
def _message_codes(title: str | None, text: str | None) -> np.ndarray:
    """Title codes twice, then the body's. Cached (read-only arrays, ~4 KB each): the
    candidates of one area are the same open orders from one intake to the next, and NFKC
    normalisation is most of the cost of a candidate."""
    t = _codes(normalise(title, max_chars=120))
    codes = np.concatenate([t, t, _codes(normalise(text, max_chars=MAX_CHARS))])
    codes.setflags(write=False)
    return codes


def cosines(title: str | None, text: str | None, candidates: Sequence[tuple[str | None, str | None]]) -> np.ndarray:
    """``cosine(profile(title, text), profile(*c))`` for every candidate ``c`` (0.0 where
    either is empty)."""
    out = np.zeros(len(candidates), dtype=np.float64)
    q_codes, q_counts = np.unique(_message_codes(title, text), return_counts=True)
    if not len(q_codes) or not len(candidates):
        return out
    q_weights = 1.0 + np.log(q_counts)
    q_weights /= np.sqrt(np.dot(q_weights, q_weights))
    parts = [_message_codes(t, b) for t, b in candidates]
    sizes = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    if not sizes.sum():
        return out
    owners = np.repeat(np.arange(len(parts), dtype=np.int64), sizes)
    keys = (owners << 43) | np.concatenate(parts)  # codes < 2**43; candidate index above them
    pairs, counts = np.unique(keys, return_counts=True)
    owner = pairs >> 43
    code = pairs & ((np.int64(1) << 43) - 1)
    weights = 1.0 + np.log(counts)
    norms = np.sqrt(np.bincount(owner, weights=weights * weights, minlength=len(parts)))
    at = np.searchsorted(q_codes, code)
    at[at == len(q_codes)] = 0
    shared = q_codes[at] == code
    dots = np.bincount(owner[shared], weights=weights[shared] * q_weights[at[shared]], minlength=len(parts))
    np.divide(dots, norms, out=out, where=norms > 0)
    return out
