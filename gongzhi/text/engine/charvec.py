"""Character n-gram TF-IDF computed with numpy on code points, without Python n-gram lists.

Equivalent to ``TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=…,
max_features=…)`` over the same strings (spaces removed; 1..n grams), but each batch of
documents is encoded once as UTF-32 and every n-gram becomes one integer: the code points
(plus one, so none is zero) packed 21 bits apiece. A k-gram's highest 21-bit group is
non-zero, so unigram, bigram and trigram codes never collide; three code points fill 63 bits,
so ``n`` is at most 3. Looking the codes up in the sorted vocabulary is one ``searchsorted``
per batch (on the sorted codes: sorted queries walk the vocabulary in order, about twice as fast
as random ones). This removes the per-gram dictionary look-ups that cost more than a third of the
classification time (docs/text.md, "Speed").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_BITS = 21
MAX_N = 3


def _code_points(docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points + 1 of all documents (spaces removed) and the start offset of each."""
    cleaned = [d.replace(" ", "") for d in docs]
    lengths = np.fromiter((len(d) for d in cleaned), dtype=np.int64, count=len(cleaned))
    starts = np.zeros(len(cleaned) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    cps = np.frombuffer("".join(cleaned).encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)
    return cps + 1, starts


def ngram_codes(docs: Sequence[str], n: int = MAX_N) -> tuple[np.ndarray, np.ndarray]:
    """Row index and integer code of every 1..n gram of every document."""
    if not 1 <= n <= MAX_N:
        raise ValueError(f"n must be 1..{MAX_N}")
    cps, starts = _code_points(docs)
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), np.diff(starts))
    rows = [doc_of]
    codes = [cps]
    for k in range(2, n + 1):
        m = len(cps) - k + 1
        if m <= 0:
            break
        code = cps[:m].copy()
        for j in range(1, k):
            code = (code << _BITS) | cps[j : j + m]
        # A gram is kept only when its last character belongs to the same document.
        same = doc_of[:m] == doc_of[k - 1 : k - 1 + m]
        rows.append(doc_of[:m][same])
        codes.append(code[same])
    return np.concatenate(rows), np.concatenate(codes)


def lookup_sorted(vocab: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of ``codes`` in the sorted ``vocab`` and which codes are in it.

    ``codes`` is sorted first (the caller's row and weight arrays must be permuted by the
    returned order); searching sorted queries is about twice as fast as random ones.
    """
    order = np.argsort(codes)
    ordered = codes[order]
    pos = np.searchsorted(vocab, ordered)
    pos[pos == len(vocab)] = 0
    found = vocab[pos] == ordered
    return order, pos, found


def sublinear_tfidf_l2(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """``(1 + log tf) * idf``, rows L2-normalised, float32, from summed float32 counts.

    The same values as TfidfTransformer(sublinear_tf=True) + ``normalize``, computed on the
    non-zeros only: multiplying by a sparse diagonal and scikit-learn's ``normalize`` cost a
    fixed ~1 ms per call (building a 200,000 × 200,000 diagonal, argument validation), which
    dominated classifying one message at a time.
    """
    data = (1 + np.log(counts.data)) * idf[counts.indices]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=counts.shape[0]))
    data = (data / norms[rows]).astype(np.float32)
    return sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


def decode(code: int) -> str:
    """The n-gram an integer code stands for (for inspection and tests)."""
    chars = []
    while code:
        chars.append(chr((code & ((1 << _BITS) - 1)) - 1))
        code >>= _BITS
    return "".join(reversed(chars))


class CharNgramTfidf:
    """Sublinear TF-IDF over character 1..n grams, rows L2-normalised, float32."""

    def __init__(self, *, n: int = MAX_N, min_df: int = 2, max_features: int | None = None) -> None:
        if not 1 <= n <= MAX_N:
            raise ValueError(f"n must be 1..{MAX_N}")
        self.n = n
        self.min_df = min_df
        self.max_features = max_features
        self.codes_: np.ndarray = np.zeros(0, dtype=np.int64)  # sorted vocabulary
        self.idf_: np.ndarray = np.zeros(0, dtype=np.float32)

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        rows, codes = ngram_codes(docs, self.n)
        uniq, inverse = np.unique(codes, return_inverse=True)
        counts = sp.csr_matrix(
            (np.ones(len(codes), dtype=np.float32), (rows, inverse.ravel())), shape=(len(docs), len(uniq))
        )
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=len(uniq))
        keep = np.flatnonzero(df >= self.min_df)
        if self.max_features is not None and len(keep) > self.max_features:
            tf = np.asarray(counts.sum(axis=0)).ravel()[keep]
            keep = np.sort(keep[np.argsort(-tf, kind="stable")[: self.max_features]])
        self.codes_ = uniq[keep]
        n_docs = len(docs)
        self.idf_ = (np.log((1 + n_docs) / (1 + df[keep])) + 1).astype(np.float32)
        return self._weight(counts[:, keep])

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        rows, codes = ngram_codes(docs, self.n)
        vocab = self.codes_
        if len(vocab) == 0:
            return sp.csr_matrix((len(docs), 0), dtype=np.float32)
        order, pos, found = lookup_sorted(vocab, codes)
        counts = sp.csr_matrix(
            (np.ones(int(found.sum()), dtype=np.float32), (rows[order][found], pos[found])),
            shape=(len(docs), len(vocab)),
        )
        counts.sum_duplicates()
        return self._weight(counts)

    def _weight(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        return sublinear_tfidf_l2(sp.csr_matrix(counts, dtype=np.float32), self.idf_)

    @property
    def vocabulary_size(self) -> int:
        return len(self.codes_)
