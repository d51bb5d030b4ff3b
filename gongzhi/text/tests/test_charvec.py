"""The numpy character n-gram block gives the same features as the scikit-learn vectoriser."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.text.engine.charvec import CharNgramTfidf, decode, ngram_codes
from gongzhi.text.engine.features import Doc, char_ngrams
from gongzhi.text.engine.tokenise import normalise
from gongzhi.text.tests import shared_data

HOSTILE = ["", "   ", "🚨🔥😡" * 50, "\x00\u200b\ufeff", "长" * 5000, "Mixed 中文 English العربية ＡＢＣ"]


def _strings(rows: list[dict[str, str]]) -> list[str]:
    return [(normalise(r["title"], max_chars=200) + " " + normalise(r["text"])).strip() for r in rows]


def test_ngram_codes_stay_inside_each_document():
    rows, codes = ngram_codes(["ab c", "x", ""])
    grams = sorted((int(r), decode(int(c))) for r, c in zip(rows, codes, strict=True))
    assert grams == sorted([(0, "a"), (0, "b"), (0, "c"), (0, "ab"), (0, "bc"), (0, "abc"), (1, "x")])


def test_numpy_block_equals_tfidf_vectorizer_on_real_messages():
    rows = shared_data.stratified(shared_data.labelled(), 60, offset=0)
    held_out = shared_data.stratified(shared_data.labelled(), 20, offset=1)
    train, test = _strings(rows), _strings(held_out) + HOSTILE
    fast = CharNgramTfidf(n=3, min_df=2)
    reference = TfidfVectorizer(
        analyzer=lambda s: char_ngrams(Doc([], [], s)), min_df=2, sublinear_tf=True, dtype=np.float32
    )
    x_fast, x_ref = fast.fit_transform(train), reference.fit_transform(train)
    columns = [reference.vocabulary_[decode(int(c))] for c in fast.codes_]
    assert fast.vocabulary_size == len(reference.vocabulary_)
    assert abs(x_fast - x_ref[:, columns]).max() < 1e-6
    assert abs(fast.transform(test) - reference.transform(test)[:, columns]).max() < 1e-6


def test_max_features_keeps_the_most_frequent_grams():
    docs = ["垃圾清运", "垃圾堆积", "垃圾", "清运"]
    block = CharNgramTfidf(n=2, min_df=1, max_features=2)
    block.fit_transform(docs)
    kept = {decode(int(c)) for c in block.codes_}
    # 垃, 圾 and 垃圾 occur 3 times, 清/运/清运 twice: two of the first three are kept.
    assert len(kept) == 2
    assert kept <= {"垃", "圾", "垃圾"}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gives_a_finite_row(text):
    block = CharNgramTfidf(n=3, min_df=1)
    block.fit_transform(["小区垃圾无人清运", "道路积水严重"])
    row = block.transform([text])
    assert row.shape == (1, block.vocabulary_size)
    assert np.isfinite(row.data).all()


def test_n_is_bounded():
    with pytest.raises(ValueError, match="n must be"):
        CharNgramTfidf(n=4)
