"""The integer-coded word and title blocks give the same features as the scikit-learn vectorisers."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.text.engine.features import TextFeatures, make_docs, title_words, word_ngrams
from gongzhi.text.engine.wordvec import GramSpec, WordNgramTfidf
from gongzhi.text.tests import shared_data

HOSTILE = [
    ("", ""),
    ("   ", "   "),
    ("🚨🔥😡", "🚨🔥😡" * 50),
    ("\x00\u200b\ufeff", "\x00\u200b\ufeff"),
    ("长" * 300, "长" * 100_000),
    ("Mixed 中文", "Mixed 中文 English العربية русский ＡＢＣ１２３"),
    ("垃圾", ""),  # a one-word title, no body: no bigram at all
]
WORDS = GramSpec(title_times=2, body=True, bigrams=True)
TITLE = GramSpec(title_times=1, body=False, bigrams=False)


def _docs(rows):
    return make_docs((r["title"], r["text"]) for r in rows)


@pytest.fixture(scope="module")
def train_and_test():
    train = _docs(shared_data.stratified(shared_data.labelled(), 60, offset=0))
    test = _docs(shared_data.stratified(shared_data.labelled(), 20, offset=1)) + make_docs(HOSTILE)
    return train, test


@pytest.mark.parametrize(
    ("analyzer", "spec", "min_df", "max_features"),
    [
        (word_ngrams, WORDS, 2, None),
        # A cap at which some kept bigrams contain a word whose unigram was cut (ties in the
        # term frequencies at the cap): 13 such bigrams with this data.
        (word_ngrams, WORDS, 2, 4000),
        (word_ngrams, WORDS, 1, None),
        (title_words, TITLE, 1, None),
    ],
)
def test_compiled_block_equals_tfidf_vectorizer_on_real_messages(train_and_test, analyzer, spec, min_df, max_features):
    train, test = train_and_test
    reference = TfidfVectorizer(
        analyzer=analyzer, min_df=min_df, max_features=max_features, sublinear_tf=True, dtype=np.float32
    )
    x_train = reference.fit_transform(train)
    if max_features is not None:
        vocabulary = reference.vocabulary_
        assert any(" " in t and not set(t.split(" ")) <= vocabulary.keys() for t in vocabulary)
    fast = WordNgramTfidf(reference, spec)
    assert fast.vocabulary_size == len(reference.vocabulary_)
    for docs, expected in ((train, x_train), (test, reference.transform(test))):
        got = fast.transform(docs)
        assert got.shape == expected.shape
        assert got.dtype == np.float32
        assert abs(got - expected).max() < 1e-6
        assert got.nnz == expected.nnz


def test_unigram_vocabulary_refuses_bigrams():
    reference = TfidfVectorizer(analyzer=word_ngrams, min_df=1, sublinear_tf=True)
    reference.fit(make_docs([("小区垃圾", "无人清运")]))
    with pytest.raises(ValueError, match="not a word 1–2 gram vocabulary"):
        WordNgramTfidf(reference, TITLE)


def test_fitted_features_are_compiled_and_equal_the_scikit_learn_blocks(train_and_test):
    train, test = train_and_test
    features = TextFeatures()
    x_train = features.fit_transform(train)
    assert isinstance(features.word, WordNgramTfidf)
    assert isinstance(features.title, WordNgramTfidf)
    # The same features with the word and title blocks left as scikit-learn vectorisers.
    reference = TextFeatures()
    for vec in (reference.word, reference.title):
        assert isinstance(vec, TfidfVectorizer)
        vec.fit(train)
    reference.char = features.char
    assert abs(reference.transform(train) - x_train).max() < 1e-6
    assert abs(features.transform(test) - reference.transform(test)).max() < 1e-6
    assert features.n_features == reference.n_features


def test_old_model_files_are_compiled_on_load(train_and_test):
    train, test = train_and_test
    old = TextFeatures()  # as saved before wordvec.py: fitted TfidfVectorizers
    old.word.fit(train)  # type: ignore[union-attr]
    old.title.fit(train)  # type: ignore[union-attr]
    old.char.fit_transform([d.chars for d in train])  # type: ignore[union-attr]
    loaded = pickle.loads(pickle.dumps(old))  # noqa: S301 -- our own object
    assert isinstance(loaded.word, WordNgramTfidf)
    assert isinstance(loaded.title, WordNgramTfidf)
    assert abs(loaded.transform(test) - old.transform(test)).max() < 1e-6
