"""Normalisation and Chinese word segmentation.

jieba loads its dictionary from the installed package (``jieba/dict.txt``) once per process;
nothing is downloaded. Its on-disk prefix cache is disabled so no file is written to ``/tmp``.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

# Classification and similarity look at most this many characters: the head of a message says
# what it is about, and it bounds the work on hostile input (a 100,000-character paste).
MAX_CHARS = 1000

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None

_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[\w]", re.UNICODE)
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


def get_tokenizer() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer, initialised on first use from the package dictionary."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.tmp_dir = None
                tok.cache_file = None
                tok.initialize()
                _tokenizer = tok
    return _tokenizer


def normalise(text: str | None, *, max_chars: int = MAX_CHARS) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, collapsed spaces, cut."""
    if not text:
        return ""
    text = text[: max_chars * 2]
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SPACE_RE.sub(" ", text).strip()
    return text[:max_chars]


def words(text: str) -> list[str]:
    """jieba words of normalised text, without stop words, punctuation and single symbols."""
    if not text:
        return []
    tok = get_tokenizer()
    out = []
    for w in tok.lcut(text, HMM=False):
        w = w.strip()
        if not w or w in _STOP or not _WORD_RE.search(w):
            continue
        out.append(w)
    return out


def analyse_words(text: str) -> list[str]:
    """Analyzer for scikit-learn vectorisers (module level so models pickle)."""
    return words(text)
