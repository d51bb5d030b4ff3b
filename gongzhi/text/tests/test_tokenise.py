"""The compiled segmenter (rjieba, jieba-rs) gives exactly jieba's words (HMM off).

The classifier's models were trained and validated on jieba's words; swapping the segmenter is
only free if the words are the same. ``bench/bench_text_segmenter.py`` checks all 12,445 real
messages; this test checks a deterministic sample of each file plus hostile input.
"""

from __future__ import annotations

import jieba
import pytest

from gongzhi.text.engine import tokenise
from gongzhi.text.tests import shared_data

HOSTILE = [
    "",
    " ",
    "🚨🔥😡👩‍👩‍👧‍👦🏳️‍🌈" * 40,
    "长" * 100_000,
    "Mixed 中文 English العربية русский 12345 ＡＢＣ１２３",
    "楼道\x01灯\x07坏了\x1b[31m\u202e\u200b\ufeff电话\r\n13812345678",
    "漏水\x00漏水",
]


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    tok.tmp_dir = None
    tok.cache_file = None  # no prefix cache written to /tmp
    tok.initialize()
    return tok


def _segmented_strings(rows: list[dict[str, str]]) -> list[str]:
    """The strings the classifier segments (title; first 400 body characters) and the whole body."""
    out = []
    for r in rows:
        body = tokenise.normalise(r["text"])
        out += [tokenise.normalise(r["title"], max_chars=200), body[:400], body]
    return out


def test_same_words_as_jieba_on_real_messages(reference):
    rows = shared_data.labelled()[::25] + shared_data.hotspot_rows()[::40] + shared_data.replied()[::40]
    strings = _segmented_strings(rows)
    assert len(strings) > 900
    different = [s for s in strings if tokenise.segment(s) != reference.lcut(s, HMM=False)]
    assert different == []


@pytest.mark.parametrize("text", HOSTILE)
def test_same_words_as_jieba_on_hostile_text(reference, text):
    assert tokenise.segment(text) == reference.lcut(text, HMM=False)


def test_lone_surrogates_become_spaces_where_jieba_made_them_tokens(reference):
    # A JSON "\\ud800" escape decodes to a lone surrogate, which cannot cross into Rust.
    text = "小区\ud800垃圾\udfff无人清运"
    expected = [" " if "\ud800" <= w <= "\udfff" else w for w in reference.lcut(text, HMM=False)]
    assert tokenise.segment(text) == expected
    assert tokenise.words(text) == tokenise.words("小区垃圾无人清运") != []


def test_words_are_the_stripped_word_tokens_on_real_messages_and_hostile_text():
    rows = shared_data.labelled()[::50] + shared_data.hotspot_rows()[::80]
    strings = _segmented_strings(rows) + [r["text"] for r in rows] + HOSTILE + ["a \u3000b\t\r\n中 文\xa0x"]
    for s in strings:
        expected = [w.strip() for w in tokenise.segment(s) if w.strip()]
        expected = [w for w in expected if w not in tokenise._STOP and any(c.isalnum() or c == "_" for c in w)]
        assert tokenise.words(s) == expected


def test_the_keep_cache_stays_bounded_and_changes_nothing(monkeypatch):
    text = "小区 垃圾 无人 清运 ， 的 了 道路 积水 严重 ！ 请 尽快 处理"
    expected = tokenise.words(text)
    monkeypatch.setattr(tokenise, "_keep", {})
    monkeypatch.setattr(tokenise, "_KEEP_CACHE_SIZE", 3)
    assert tokenise.words(text) == expected == ["小区", "垃圾", "无人", "清运", "道路", "积水", "严重", "尽快", "处理"]
    assert len(tokenise._keep) <= 3


def test_the_server_loads_the_segmenter_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.apps import apps

    # given a process whose segmenter is not loaded yet
    monkeypatch.setattr(tokenise, "_tokenizer", None)
    # when the server warms up the text domain (gongzhi.core.runtime.warm_up)
    apps.get_app_config("text").warm_up()
    # then the first request finds it loaded
    assert tokenise._tokenizer is not None
    assert tokenise.get_tokenizer() is tokenise._tokenizer
