"""Normalisation and Chinese word segmentation.

Words come from ``rjieba``, the Python binding of jieba-rs (a Rust port of jieba): the same
dictionary and the same DAG + maximum-probability path as jieba with HMM off, compiled. It gives
exactly jieba's words on every real message in ``../shared/data/messages`` (tested in
``text/tests/test_tokenise.py``) at about 15× the speed (docs/text.md, "Speed"). The
dictionary is compiled into the wheel and loaded once per process; nothing is downloaded and
nothing is written to ``/tmp``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rjieba

# Classification and similarity look at most this many characters: the head of a message says
# what it is about, and it bounds the work on hostile input (a 100,000-character paste).
MAX_CHARS = 1000

_lock = threading.Lock()
_tokenizer: rjieba.Jieba | None = None

_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[\w]", re.UNICODE)
# Lone surrogates (possible in a Python string decoded from JSON "\ud800") cannot cross into
# Rust; jieba made each its own token, which the word filter then dropped, like a space.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Chinese full stops and other punctuation that carry no topic.
_STOP = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "也",
        "就",
        "都",
        "而",
        "要",
        "有",
        "我",
        "我们",
        "你",
        "您",
        "他",
        "她",
        "它",
        "他们",
        "这",
        "那",
        "这个",
        "那个",
        "一个",
        "请",
        "对",
        "把",
        "被",
        "让",
        "给",
        "向",
        "从",
        "到",
        "为",
        "为了",
        "因为",
        "所以",
        "但是",
        "但",
        "还",
        "又",
        "并",
        "或",
        "等",
        "啊",
        "吗",
        "呢",
        "吧",
        "哦",
        "呀",
        "么",
        "没有",
        "不",
        "没",
        "很",
        "非常",
        "已经",
        "可以",
        "什么",
        "怎么",
        "如何",
        "现在",
        "问题",
        "情况",
        "希望",
        "领导",
        "您好",
        "你好",
        "谢谢",
        "感谢",
    ]
)


def get_tokenizer() -> rjieba.Jieba:
    """The process-wide segmenter, initialised on first use from the compiled-in dictionary."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import rjieba

                _tokenizer = rjieba.Jieba()
    return _tokenizer


def normalise(text: str | None, *, max_chars: int = MAX_CHARS) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, collapsed spaces, cut."""
    if not text:
        return ""
    text = text[: max_chars * 2]
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SPACE_RE.sub(" ", text).strip()
    return text[:max_chars]


def segment(text: str) -> list[str]:
    """Raw jieba words (HMM off) of ``text``, as ``jieba.lcut(text, HMM=False)`` gives them."""
    tok = get_tokenizer()
    try:
        return tok.cut(text, False)
    except UnicodeEncodeError:
        return tok.cut(_SURROGATE_RE.sub(" ", text), False)


# Keep-or-drop decision per distinct token: the stop-word and word-character tests cost more
# than a dictionary hit, and the same few thousand tokens recur. Bounded: cleared when full.
_KEEP_CACHE_SIZE = 200_000
_keep: dict[str, bool] = {}


def _decide(w: str) -> bool:
    if len(_keep) >= _KEEP_CACHE_SIZE:
        _keep.clear()
    # jieba yields whitespace only as tokens of their own (never around a word), and those
    # have no word character: no strip needed.
    keep = _keep[w] = w not in _STOP and _WORD_RE.search(w) is not None
    return keep


def words(text: str) -> list[str]:
    """jieba words of normalised text, without stop words, punctuation and single symbols."""
    if not text:
        return []
    known = _keep.get
    return [w for w in segment(text) if (k := known(w)) or (k is None and _decide(w))]


def analyse_words(text: str) -> list[str]:
    """Analyzer for scikit-learn vectorisers (module level so models pickle)."""
    return words(text)
