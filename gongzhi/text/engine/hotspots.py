"""Hot spots: many residents reporting the same problem at the same place in a short time.

1. Each message becomes a TF-IDF vector of its words (title counted twice, body head) and a
   set of *places* (named estates, roads, schools, villages … found by suffix patterns).
2. Two messages are linked when they are close in time and either say nearly the same thing
   (cosine ≥ ``strong``) or share a place and are similar enough (cosine ≥ ``weak``).
   Connected components of the links are the groups (single-link clustering, bounded by the
   time window, so chains cannot wander far from the problem).
3. Each group is scored by distinct reporters, public attention (reactions), growth (its
   busiest week) and size; the label is its most common place plus its key terms; the trend is
   its count per week.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.text.engine.tokenise import normalise, words

PLACE_SUFFIXES = (
    "小区|花园|花苑|家园|公寓|广场|大厦|中学|小学|幼儿园|学校|学院|大学|医院|卫生院|社区|街道|"
    "村|镇|乡|大道|路|街|巷|公司|市场|商场|工业园|园区|新城|新村|城|苑|湾|府|庭|庄|站|厂|搅拌站|高速|高铁|地铁"
)
PLACE_RE = re.compile(rf"[A-Za-z0-9\u4e00-\u9fff]{{1,10}}?(?:{PLACE_SUFFIXES})")
# Administrative prefixes (A市, A3区, K9县 …) are too broad to make two messages "the same place".
_ADMIN_RE = re.compile(
    r"^(?:关于|投诉|反映|举报|咨询|建议|请问|希望|强烈要求|要求|请求|严惩|请|对|在|把|将|为|的|和)*"
    r"(?:[a-z]\d*(?:市|区|县)|西地省|省|市|经开区|高新区)*"
)
_GENERIC_PLACES = frozenset(
    [
        "小区",
        "学校",
        "医院",
        "公司",
        "社区",
        "街道",
        "市场",
        "道路",
        "马路",
        "公路",
        "城市",
        "农村",
        "乡村",
        "地铁",
        "高铁",
        "高速",
        "线路",
        "车站",
        "工厂",
        "我们小区",
        "该小区",
        "本小区",
        "这个小区",
        "业主",
        "全市",
        "全省",
        "城区",
        "市区",
        "县城",
        "乡镇",
        "学院",
        "大学",
        "中学",
        "小学",
        "幼儿园",
        "新城",
        "大道",
    ]
)


@dataclass(frozen=True)
class HotMessage:
    key: str
    title: str
    text: str
    time: datetime | None = None
    user: str = ""
    attention: int = 0


@dataclass
class HotSpot:
    members: list[str]
    label: str
    place: str
    terms: list[str]
    score: float
    reporters: int
    attention: int
    first: datetime | None
    last: datetime | None
    peak_week: int
    trend: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "place": self.place,
            "terms": self.terms,
            "score": round(self.score, 3),
            "size": len(self.members),
            "reporters": self.reporters,
            "attention": self.attention,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "peak_week": self.peak_week,
            "trend": [{"week": w, "count": n} for w, n in self.trend],
            "members": self.members,
        }


# Words after the head of the body add little to what a message is about and cost segmentation time.
BODY_CHARS = 200


def places(text: str) -> set[str]:
    """Specific place names in a normalised text (administrative prefixes stripped)."""
    out = set()
    for m in PLACE_RE.finditer(text):
        p = _ADMIN_RE.sub("", m.group())
        if len(p) >= 3 and p not in _GENERIC_PLACES and not _NOT_A_NAME.search(p):
            out.add(p)
    return out


# A phrase with a particle or starting with a relative position ("旁边的搅拌站") is not a name.
_NOT_A_NAME = re.compile(r"[的了在是和与]|^(?:小区|附近|旁边|周边|门口|对面|楼下|家门口|我们|这个|那个|一个)")


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _week(t: datetime) -> str:
    monday = (t - timedelta(days=t.weekday())).date()
    return monday.isoformat()


def find_hotspots(
    messages: Sequence[HotMessage],
    *,
    top: int = 10,
    window_days: int = 60,
    strong: float = 0.55,
    weak: float = 0.22,
    min_reporters: int = 2,
) -> list[HotSpot]:
    """The ``top`` hot spots among ``messages``, highest score first."""
    n = len(messages)
    if n == 0:
        return []
    token_lists: list[list[str]] = []
    place_sets: list[set[str]] = []
    for m in messages:
        title = normalise(m.title, max_chars=120)
        body = normalise(m.text, max_chars=BODY_CHARS)
        tw = words(title)
        token_lists.append(tw + tw + words(body))
        place_sets.append(places(title) | places(body))
    # Words in more than a fifth of a large batch are the board's vocabulary, not a topic; a
    # small batch (a quiet week in one street) keeps every word.
    max_df = 0.2 if n >= 200 else 1.0
    vec = TfidfVectorizer(analyzer=_identity, min_df=1, max_df=max_df, sublinear_tf=True, dtype=np.float32)
    try:
        X = vec.fit_transform(token_lists)
    except ValueError:  # every message empty or only stop words
        return []
    sims = sp.triu(X @ X.T, k=1, format="coo")
    uf = _UnionFind(n)
    times = [m.time for m in messages]
    window = timedelta(days=window_days)
    keep = sims.data >= weak
    for i, j, s in zip(sims.row[keep], sims.col[keep], sims.data[keep], strict=True):
        ti, tj = times[i], times[j]
        if ti is not None and tj is not None and abs(ti - tj) > window:
            continue
        if s >= strong or place_sets[i] & place_sets[j]:
            uf.union(int(i), int(j))
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)

    vocab = np.array(vec.get_feature_names_out())
    spots: list[HotSpot] = []
    for idx in groups.values():
        reporters = len({messages[i].user or messages[i].key for i in idx})
        if reporters < min_reporters:
            continue
        attention = sum(max(0, messages[i].attention) for i in idx)
        ts = sorted(t for t in (times[i] for i in idx) if t is not None)
        weekly = Counter(_week(t) for t in ts)
        peak = max(weekly.values()) if weekly else len(idx)
        score = 2.0 * math.log1p(reporters) + math.log1p(attention) + math.log1p(peak) + 0.5 * math.log1p(len(idx))
        place_counts = Counter(p for i in idx for p in place_sets[i])
        place = _best_place(place_counts, len(idx))
        centroid = np.asarray(X[idx].mean(axis=0)).ravel()
        terms = [str(t) for t in vocab[np.argsort(-centroid)[:8]] if not place or str(t) not in place][:3]
        label = " ".join(([place] if place else []) + terms)
        spots.append(
            HotSpot(
                members=[messages[i].key for i in sorted(idx, key=lambda k: (times[k] is None, times[k] or 0))],
                label=label,
                place=place,
                terms=terms,
                score=score,
                reporters=reporters,
                attention=attention,
                first=ts[0] if ts else None,
                last=ts[-1] if ts else None,
                peak_week=peak,
                trend=sorted(weekly.items()),
            )
        )
    spots.sort(key=lambda h: -h.score)
    return spots[:top]


def _best_place(counts: Counter[str], size: int) -> str:
    """The most shared place; on ties the shorter one (a name rather than a phrase around it)."""
    if not counts:
        return ""
    best = max(counts.items(), key=lambda kv: (kv[1], -len(kv[0])))
    return best[0] if best[1] >= max(1, size // 3) else ""
