"""Word n-gram TF-IDF at prediction time with integer word ids and numpy, like ``charvec.py``.

A fitted ``TfidfVectorizer`` over word n-grams (``features.word_ngrams``: title and body words,
unigrams and bigrams, the title counted twice; or ``features.title_words``: title unigrams) is
compiled into a :class:`WordNgramTfidf` that gives the same matrix, columns in the same order
(the linear model's weights stay valid), without building a Python string for every bigram and
looking every gram up in a dictionary:

* every word of the vocabulary gets an integer id (one dictionary look-up per word of a
  message, instead of one per gram and per repetition of the title);
* a unigram's code is its id, a bigram's ``n_words + id1 * n_words + id2``, so the two never
  collide and a bigram that contains an unknown word is dropped (it cannot be in the
  vocabulary);
* a batch's codes are looked up in the sorted vocabulary codes with one ``searchsorted``
  (after sorting them: sorted queries walk the vocabulary in order, about twice as fast);
* the title's repetition is a count of 2, not a second copy of its grams.

Fitting stays with scikit-learn (``TfidfVectorizer.fit_transform``), so the vocabulary, its
``min_df``/``max_features`` pruning and the idf are exactly scikit-learn's; only the transform
is replaced. Equality to 1e-6 is tested in ``text/tests/test_wordvec.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import scipy.sparse as sp

from gongzhi.text.engine.charvec import lookup_sorted, sublinear_tfidf_l2

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer


class _Doc(Protocol):
    @property
    def title_words(self) -> list[str]: ...

    @property
    def text_words(self) -> list[str]: ...


@dataclass(frozen=True)
class GramSpec:
    """Which grams an analyzer makes: the title ``title_times`` times, the body or not, bigrams or not."""

    title_times: int
    body: bool
    bigrams: bool


class WordNgramTfidf:
    """Sublinear TF-IDF over word 1..2 grams with integer codes; rows L2-normalised, float32."""

    def __init__(self, vectorizer: TfidfVectorizer, spec: GramSpec) -> None:
        self.spec = spec
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        self.n_columns = len(terms)
        word_id: dict[str, int] = {}
        unigram: list[str] = []
        bigram: list[tuple[str, str]] = []
        for term in terms:
            parts = term.split(" ")
            if len(parts) == 1:
                unigram.append(term)
            elif len(parts) == 2 and spec.bigrams:
                bigram.append((parts[0], parts[1]))
            else:
                raise ValueError(f"not a word 1–2 gram vocabulary: {term!r}")
            for w in parts:
                word_id.setdefault(w, len(word_id))
        self.word_id = word_id
        n = len(word_id)
        codes = np.empty(self.n_columns, dtype=np.int64)
        for col, term in enumerate(terms):
            a, _, b = term.partition(" ")
            codes[col] = word_id[a] if not b else n + word_id[a] * n + word_id[b]
        order = np.argsort(codes)
        self.codes_ = codes[order]  # sorted vocabulary codes
        self.columns_ = order.astype(np.int32)  # column of each sorted code
        self.idf_ = np.asarray(vectorizer.idf_, dtype=np.float32)

    @property
    def vocabulary_size(self) -> int:
        return self.n_columns

    def _grams(self, docs: Sequence[_Doc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row, code and count of every gram occurrence of the batch."""
        get = self.word_id.get
        spec = self.spec
        ids: list[int] = []
        seq_rows: list[int] = []
        seq_weights: list[int] = []
        seq_lengths: list[int] = []
        for row, doc in enumerate(docs):
            if spec.title_times and doc.title_words:
                ids.extend(map(get, doc.title_words, itertools.repeat(-1)))
                seq_rows.append(row)
                seq_weights.append(spec.title_times)
                seq_lengths.append(len(doc.title_words))
            if spec.body and doc.text_words:
                ids.extend(map(get, doc.text_words, itertools.repeat(-1)))
                seq_rows.append(row)
                seq_weights.append(1)
                seq_lengths.append(len(doc.text_words))
        word = np.asarray(ids, dtype=np.int64)
        lengths = np.asarray(seq_lengths, dtype=np.int64)
        rows = np.repeat(np.asarray(seq_rows, dtype=np.int64), lengths)
        weights = np.repeat(np.asarray(seq_weights, dtype=np.float32), lengths)
        known = word >= 0
        out_rows, out_codes, out_weights = [rows[known]], [word[known]], [weights[known]]
        if spec.bigrams and len(word) > 1:
            n = len(self.word_id)
            seq = np.repeat(np.arange(len(lengths)), lengths)
            pair = (seq[:-1] == seq[1:]) & known[:-1] & known[1:]
            out_rows.append(rows[:-1][pair])
            out_codes.append(n + word[:-1][pair] * n + word[1:][pair])
            out_weights.append(weights[:-1][pair])
        return np.concatenate(out_rows), np.concatenate(out_codes), np.concatenate(out_weights)

    def transform(self, docs: Sequence[_Doc]) -> sp.csr_matrix:
        shape = (len(docs), self.n_columns)
        if self.n_columns == 0:
            return sp.csr_matrix(shape, dtype=np.float32)
        rows, codes, weights = self._grams(docs)
        order, pos, found = lookup_sorted(self.codes_, codes)
        counts = sp.csr_matrix(
            (weights[order][found], (rows[order][found], self.columns_[pos[found]])), shape=shape, dtype=np.float32
        )
        counts.sum_duplicates()
        return sublinear_tfidf_l2(counts, self.idf_)
