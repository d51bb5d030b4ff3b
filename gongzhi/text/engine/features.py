"""Feature extraction: TF-IDF over jieba words (1–2 grams), character 1–3 grams and the title.

Each document is tokenised once; the vectorisers then receive the ready-made token lists
through identity analyzers, which pickle with the model. The word and title blocks are fitted
by scikit-learn and then compiled into integer-coded blocks (``wordvec.py``) for prediction;
the character 1–3 gram block is numpy from the start (``charvec.py``). Both give the same
features as the scikit-learn vectorisers they replace.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.text.engine.charvec import CharNgramTfidf
from gongzhi.text.engine.tokenise import normalise, words
from gongzhi.text.engine.wordvec import GramSpec, WordNgramTfidf

WORD_CHARS = 400


@dataclass(frozen=True)
class Doc:
    """A message ready for the vectorisers."""

    title_words: list[str]
    text_words: list[str]
    chars: str


def make_doc(title: str | None, text: str | None, *, segment: bool = True) -> Doc:
    t = normalise(title, max_chars=200)
    b = normalise(text)
    if not segment:
        # Character-only variant: no jieba at all; the title block sees the title's characters.
        return Doc(title_words=list(t.replace(" ", "")), text_words=[], chars=(t + " " + b).strip())
    tw = words(t)
    # Segmentation is the slow step: words come from the head of the body, characters from all
    # of it (up to tokenise.MAX_CHARS).
    bw = words(b[:WORD_CHARS])
    return Doc(title_words=tw, text_words=bw, chars=(t + " " + b).strip())


def make_docs(pairs: Iterable[tuple[str | None, str | None]], *, segment: bool = True) -> list[Doc]:
    return [make_doc(title, text, segment=segment) for title, text in pairs]


def word_ngrams(doc: Doc) -> list[str]:
    """Unigrams and bigrams of the title and body words (the title counted twice)."""
    out: list[str] = []
    for seq in (doc.title_words, doc.title_words, doc.text_words):
        out.extend(seq)
        out.extend(a + " " + b for a, b in itertools.pairwise(seq))
    return out


def char_ngrams(doc: Doc) -> list[str]:
    """Character 1–3 grams of title + text, spaces excluded from the grams."""
    s = doc.chars.replace(" ", "")
    out: list[str] = []
    n = len(s)
    for i in range(n):
        out.append(s[i])
        if i + 1 < n:
            out.append(s[i : i + 2])
        if i + 2 < n:
            out.append(s[i : i + 3])
    return out


def char_ngrams_1_4(doc: Doc) -> list[str]:
    """Character 1–4 grams of title + text, spaces excluded from the grams."""
    s = doc.chars.replace(" ", "")
    out: list[str] = list(s)
    for k in (2, 3, 4):
        out.extend(s[i : i + k] for i in range(len(s) - k + 1))
    return out


def title_words(doc: Doc) -> list[str]:
    return doc.title_words


# The grams each identity analyzer makes, for compiling a fitted vectoriser (wordvec.py).
_GRAM_SPECS = {word_ngrams: GramSpec(title_times=2, body=True, bigrams=True), title_words: GramSpec(1, False, False)}

Block: TypeAlias = TfidfVectorizer | CharNgramTfidf | WordNgramTfidf


def compiled(vec: Block) -> Block:
    """The integer-coded equivalent of a fitted word/title vectoriser; other blocks unchanged."""
    if isinstance(vec, TfidfVectorizer) and hasattr(vec, "vocabulary_"):
        spec = _GRAM_SPECS.get(vec.analyzer)
        if spec is not None:
            return WordNgramTfidf(vec, spec)
    return vec


class TextFeatures:
    """Three TF-IDF blocks stacked side by side, each L2-normalised then weighted."""

    def __init__(
        self,
        *,
        word_weight: float = 1.0,
        char_weight: float = 1.0,
        title_weight: float = 0.5,
        min_df: int = 2,
        max_word_features: int | None = 200_000,
        max_char_features: int | None = 200_000,
        char_max_n: int = 3,
    ) -> None:
        self.weights = (word_weight, char_weight, title_weight)
        # Fitted word and title vectorisers are replaced by their compiled form (wordvec.py).
        self.word: Block = TfidfVectorizer(
            analyzer=word_ngrams,
            min_df=min_df,
            sublinear_tf=True,
            max_features=max_word_features,
            dtype=np.float32,
        )
        self.char: TfidfVectorizer | CharNgramTfidf
        if char_max_n <= 3:
            # Same features as TfidfVectorizer(analyzer=char_ngrams), computed with numpy.
            self.char = CharNgramTfidf(n=char_max_n, min_df=min_df, max_features=max_char_features)
        else:
            self.char = TfidfVectorizer(
                analyzer=char_ngrams_1_4,
                min_df=min_df,
                sublinear_tf=True,
                max_features=max_char_features,
                dtype=np.float32,
            )
        self.title: Block = TfidfVectorizer(analyzer=title_words, min_df=1, sublinear_tf=True, dtype=np.float32)

    def __setstate__(self, state: dict[str, object]) -> None:
        # Models saved before wordvec.py hold fitted TfidfVectorizers for the word and title
        # blocks: compile them on load, so old model files predict as fast (same features).
        self.__dict__.update(state)
        self.word = compiled(self.word)
        self.title = compiled(self.title)

    def _active(self) -> list[tuple[Block, float]]:
        return [(v, w) for v, w in zip((self.word, self.char, self.title), self.weights, strict=True) if w]

    def fit_transform(self, docs: Sequence[Doc]) -> sp.csr_matrix:
        blocks = []
        for vec, w in self._active():
            if isinstance(vec, CharNgramTfidf):
                blocks.append(vec.fit_transform([d.chars for d in docs]) * w)
            elif isinstance(vec, TfidfVectorizer):
                blocks.append(vec.fit_transform(docs) * w)
                # The pruned-term set is only for introspection and would bloat the model file.
                vec.stop_words_ = None
            else:
                raise TypeError("the word and title blocks are compiled once fitted; build new features to refit")
        self.word = compiled(self.word)
        self.title = compiled(self.title)
        return sp.hstack(blocks, format="csr")

    def transform(self, docs: Sequence[Doc]) -> sp.csr_matrix:
        # Models saved before the numpy character block have a TfidfVectorizer there; both work.
        return sp.hstack(
            [
                (vec.transform([d.chars for d in docs]) if isinstance(vec, CharNgramTfidf) else vec.transform(docs)) * w
                for vec, w in self._active()
            ],
            format="csr",
        )

    @property
    def n_features(self) -> int:
        return sum(
            len(vec.vocabulary_) if isinstance(vec, TfidfVectorizer) else vec.vocabulary_size
            for vec, _ in self._active()
        )
