"""The opinion map (Polis method), in numpy and scikit-learn only — no Django here.

Steps, following the Polis math as re-implemented by red-dwarf (``reddwarf.implementations``):

1. Vote matrix, participants x statements, agree = +1, disagree = -1, pass = 0, not seen =
   missing. Moderated-out statements are dropped (Polis zeroes them, which adds no variance).
2. Missing votes are imputed with the statement's mean vote. After centring, an imputed cell
   is exactly zero, so the centred matrix only has values where someone voted.
3. PCA to two components (covariance eigen-decomposition, the same components and signs as
   ``sklearn.decomposition.PCA``: the largest loading of each component is positive).
4. Participant scaling: each projection is multiplied by ``sqrt(n_statements / n_voted)`` so
   that people who voted on few statements are not bunched in the centre.
5. k-means on the participants who voted on at least ``min_votes`` statements, for k = 2..5,
   keeping the k with the best silhouette score (computed on a fixed random sample of at
   most ``silhouette_sample`` participants for large conversations; exact below that).
6. Per group and statement: agree/disagree counts, smoothed probabilities, the one- and
   two-proportion z-tests and the representativeness ratio (Polis ``repness``); the
   representative statements of each group are selected exactly as red-dwarf selects them.
7. Group-informed consensus: for each statement the product over groups of the smoothed
   probability of agreeing (and of disagreeing). A statement is a consensus statement when
   a majority of every group leans the same way; the list is ordered by that product.

Groups are numbered by size (largest first) so that a recomputation with the same votes
shows the same group letters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

AGREE = 1
DISAGREE = -1
PASS = 0

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Direction = Literal["agree", "disagree"]


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that sets one group apart (Polis ``repness``)."""

    statement_id: int
    direction: Direction
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement on which every group leans the same way."""

    statement_id: int
    direction: Direction
    #: Product over groups of the smoothed probability of voting in ``direction``.
    score: float
    #: Smoothed probability per group, in group order.
    group_probabilities: tuple[float, ...]


@dataclass(frozen=True)
class GroupStats:
    """Per group x statement counts and statistics (arrays of shape ``(k, n_statements)``)."""

    n_agree: IntArray
    n_disagree: IntArray
    n_seen: IntArray
    p_agree: FloatArray
    p_disagree: FloatArray
    p_agree_test: FloatArray
    p_disagree_test: FloatArray
    r_agree: FloatArray
    r_disagree: FloatArray
    r_agree_test: FloatArray
    r_disagree_test: FloatArray


@dataclass(frozen=True)
class OpinionMap:
    """The computed map. Rows of the participant arrays follow ``participant_ids``."""

    participant_ids: IntArray
    statement_ids: IntArray
    #: Scaled 2-D coordinates of every participant, shape (n_participants, 2).
    coords: FloatArray
    #: 2-D coordinates of a virtual participant agreeing with one statement only.
    statement_coords: FloatArray
    #: Group index (0..k-1) per participant, -1 when not clustered (too few votes).
    labels: IntArray
    n_votes: IntArray
    k: int
    silhouette: float | None
    explained_variance_ratio: FloatArray
    stats: GroupStats | None
    representative: list[list[RepresentativeStatement]] = field(default_factory=list)
    consensus_agree: list[ConsensusStatement] = field(default_factory=list)
    consensus_disagree: list[ConsensusStatement] = field(default_factory=list)

    def group_sizes(self) -> list[int]:
        return [int(np.count_nonzero(self.labels == g)) for g in range(self.k)]


def _vote_arrays(
    participants: ArrayLike, statements: ArrayLike, votes: ArrayLike
) -> tuple[IntArray, IntArray, NDArray[np.int8]]:
    p = np.asarray(participants, dtype=np.int64).ravel()
    s = np.asarray(statements, dtype=np.int64).ravel()
    v = np.asarray(votes, dtype=np.int8).ravel()
    if not (p.shape == s.shape == v.shape):
        raise ValueError("participants, statements and votes must have the same length")
    if v.size and (v.min() < DISAGREE or v.max() > AGREE):
        raise ValueError("votes must be -1 (disagree), 0 (pass) or 1 (agree)")
    return p, s, v


def _pca_2d(xc: NDArray[np.float32]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Top-two principal axes of a centred matrix, with scikit-learn's sign convention."""
    n, m = xc.shape
    cov = (xc.T @ xc).astype(np.float64) / max(n - 1, 1)
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    order = np.argsort(eigenvalues)[::-1]
    n_comp = min(2, m)
    components = eigenvectors[:, order[:n_comp]].T.copy()  # (n_comp, m)
    # svd_flip(v-based): the loading with the largest magnitude is positive.
    max_abs = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(n_comp), max_abs])
    signs[signs == 0] = 1.0
    components *= signs[:, None]
    total = float(np.clip(eigenvalues, 0, None).sum())
    explained = np.clip(eigenvalues[order[:n_comp]], 0, None) / total if total > 0 else np.zeros(n_comp)
    if n_comp < 2:
        components = np.vstack([components, np.zeros((2 - n_comp, m))])
        explained = np.concatenate([explained, np.zeros(2 - n_comp)])
    return components, explained, eigenvalues


def _one_prop_test(succ: NDArray[np.int64], n: NDArray[np.int64]) -> FloatArray:
    s = succ + 1.0
    t = n + 1.0
    return np.asarray(2.0 * np.sqrt(t) * (s / t - 0.5), dtype=np.float64)


def _two_prop_test(
    succ_in: NDArray[np.int64], succ_out: NDArray[np.int64], n_in: NDArray[np.int64], n_out: NDArray[np.int64]
) -> FloatArray:
    s1 = succ_in + 1.0
    s2 = succ_out + 1.0
    n1 = n_in + 1.0
    n2 = n_out + 1.0
    pi1 = s1 / n1
    pi2 = s2 / n2
    pi_hat = (s1 + s2) / (n1 + n2)
    denominator = np.sqrt(pi_hat * (1 - pi_hat) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (pi1 - pi2) / denominator
    return np.asarray(np.where(pi_hat == 1, 0.0, result), dtype=np.float64)


def group_statistics(
    agree: sparse.csr_matrix, disagree: sparse.csr_matrix, seen: sparse.csr_matrix, labels: IntArray, k: int
) -> GroupStats:
    """Counts and Polis statistics per group; rows with label -1 are ignored entirely."""
    rows = np.flatnonzero(labels >= 0)
    indicator = sparse.csr_matrix((np.ones(rows.size, dtype=np.float64), (labels[rows], rows)), shape=(k, labels.size))
    na = np.rint((indicator @ agree).toarray()).astype(np.int64)
    nd = np.rint((indicator @ disagree).toarray()).astype(np.int64)
    ns = np.rint((indicator @ seen).toarray()).astype(np.int64)
    na_all, nd_all, ns_all = na.sum(axis=0), nd.sum(axis=0), ns.sum(axis=0)
    na_out, nd_out, ns_out = na_all - na, nd_all - nd, ns_all - ns
    pa = (1.0 + na) / (2.0 + ns)
    pd = (1.0 + nd) / (2.0 + ns)
    pa_out = (1.0 + na_out) / (2.0 + ns_out)
    pd_out = (1.0 + nd_out) / (2.0 + ns_out)
    return GroupStats(
        n_agree=na,
        n_disagree=nd,
        n_seen=ns,
        p_agree=pa,
        p_disagree=pd,
        p_agree_test=_one_prop_test(na, ns),
        p_disagree_test=_one_prop_test(nd, ns),
        r_agree=pa / pa_out,
        r_disagree=pd / pd_out,
        r_agree_test=_two_prop_test(na, na_out, ns, ns_out),
        r_disagree_test=_two_prop_test(nd, nd_out, ns, ns_out),
    )


def _format(stats: GroupStats, g: int, j: int, statement_id: int) -> RepresentativeStatement:
    use_agree = stats.r_agree_test[g, j] > stats.r_disagree_test[g, j]
    if use_agree:
        return RepresentativeStatement(
            statement_id=statement_id,
            direction="agree",
            n_success=int(stats.n_agree[g, j]),
            n_trials=int(stats.n_seen[g, j]),
            p_success=float(stats.p_agree[g, j]),
            p_test=float(stats.p_agree_test[g, j]),
            repness=float(stats.r_agree[g, j]),
            repness_test=float(stats.r_agree_test[g, j]),
        )
    return RepresentativeStatement(
        statement_id=statement_id,
        direction="disagree",
        n_success=int(stats.n_disagree[g, j]),
        n_trials=int(stats.n_seen[g, j]),
        p_success=float(stats.p_disagree[g, j]),
        p_test=float(stats.p_disagree_test[g, j]),
        repness=float(stats.r_disagree[g, j]),
        repness_test=float(stats.r_disagree_test[g, j]),
    )


def select_representative(
    stats: GroupStats, statement_ids: IntArray, *, pick_max: int = 5, confidence: float = 0.9
) -> list[list[RepresentativeStatement]]:
    """Polis' representative-statement selection (``repness.clj``, as in red-dwarf).

    Per group: the "best agree" statement first (or, when nothing is significant, the one
    with the strongest repness test), then the statements whose agree (or disagree)
    probability and representativeness are both significant, by ``ra·rat·pa·pat``; at most
    ``pick_max``, agrees before disagrees.
    """
    z = NormalDist().inv_cdf(confidence)
    k, m = stats.n_seen.shape
    result: list[list[RepresentativeStatement]] = []
    for g in range(k):
        pa, pat, ra, rat = stats.p_agree[g], stats.p_agree_test[g], stats.r_agree[g], stats.r_agree_test[g]
        pdt, rdt = stats.p_disagree_test[g], stats.r_disagree_test[g]
        na, nd = stats.n_agree[g], stats.n_disagree[g]

        best_agree: int | None = None
        for j in range(m):
            if na[j] == 0 and nd[j] == 0:
                continue
            if best_agree is None:
                if pat[j] > z or (ra[j] > 1.0 and pa[j] > 0.5):
                    best_agree = j
            elif ra[best_agree] > 1.0:
                if ra[j] * rat[j] * pa[j] * pat[j] > (
                    ra[best_agree] * rat[best_agree] * pa[best_agree] * pat[best_agree]
                ):
                    best_agree = j
            elif pa[j] * pat[j] > pa[best_agree] * pat[best_agree]:
                best_agree = j

        significant = [j for j in range(m) if (pat[j] > z and rat[j] > z) or (pdt[j] > z and rdt[j] > z)]
        formatted = [_format(stats, g, j, int(statement_ids[j])) for j in significant]
        # Stable sort by the repness metric, as pandas' sort_values (quicksort is not
        # stable, but ties between distinct real-valued metrics do not occur in practice).
        formatted.sort(key=lambda r: -(r.repness * r.repness_test * r.p_success * r.p_test))

        head: list[RepresentativeStatement] = []
        if best_agree is not None:
            best = _format(stats, g, best_agree, int(statement_ids[best_agree]))
            head = [
                RepresentativeStatement(
                    statement_id=best.statement_id,
                    direction=best.direction,
                    n_success=best.n_success,
                    n_trials=best.n_trials,
                    p_success=best.p_success,
                    p_test=best.p_test,
                    repness=best.repness,
                    repness_test=best.repness_test,
                    best_agree=True,
                )
            ]
        elif not significant:
            best_overall = int(np.argmax(np.maximum(rat, rdt))) if m else None
            if best_overall is not None:
                head = [_format(stats, g, best_overall, int(statement_ids[best_overall]))]
        selected = head + [r for r in formatted if head and r.statement_id != head[0].statement_id]
        selected = selected[:pick_max]
        selected.sort(key=lambda r: r.direction)  # stable: agrees before disagrees
        result.append(selected)
    return result


def select_consensus(
    stats: GroupStats, statement_ids: IntArray, *, pick_max: int = 5
) -> tuple[list[ConsensusStatement], list[ConsensusStatement]]:
    """Group-informed consensus: statements every group leans the same way on."""
    gac_agree = stats.p_agree.prod(axis=0)
    gac_disagree = stats.p_disagree.prod(axis=0)
    seen = stats.n_seen.sum(axis=0) > 0

    def pick(gac: FloatArray, probs: FloatArray, direction: Direction) -> list[ConsensusStatement]:
        eligible = np.flatnonzero(seen & (probs > 0.5).all(axis=0))
        ordered = eligible[np.lexsort((statement_ids[eligible], -gac[eligible]))][:pick_max]
        return [
            ConsensusStatement(
                statement_id=int(statement_ids[j]),
                direction=direction,
                score=float(gac[j]),
                group_probabilities=tuple(float(x) for x in probs[:, j]),
            )
            for j in ordered
        ]

    return pick(gac_agree, stats.p_agree, "agree"), pick(gac_disagree, stats.p_disagree, "disagree")


def _choose_k(
    x: NDArray[np.float32], k_min: int, k_max: int, *, random_state: int, n_init: int, silhouette_sample: int
) -> tuple[int, IntArray, float | None]:
    n = x.shape[0]
    n_distinct = np.unique(x, axis=0).shape[0] if n <= 50_000 else n
    upper = min(k_max, n_distinct, n - 1)
    if upper < k_min:
        return 1, np.zeros(n, dtype=np.int64), None
    rng = np.random.default_rng(random_state)
    sample = rng.choice(n, size=silhouette_sample, replace=False) if n > silhouette_sample else None
    best: tuple[float, int, IntArray] | None = None
    for k in range(k_min, upper + 1):
        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(x)
        labels = model.labels_.astype(np.int64)
        if np.unique(labels).size < 2:
            continue
        if sample is not None and np.unique(labels[sample]).size >= 2:
            score = float(silhouette_score(x[sample], labels[sample]))
        else:
            score = float(silhouette_score(x, labels))
        if best is None or score > best[0]:
            best = (score, k, labels)
    if best is None:
        return 1, np.zeros(n, dtype=np.int64), None
    return best[1], best[2], best[0]


def _relabel_by_size(labels: IntArray, k: int) -> IntArray:
    sizes = np.bincount(labels, minlength=k)
    first = np.full(k, labels.size, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(labels.size))
    order = np.lexsort((first, -sizes))  # largest first, then earliest member
    mapping = np.empty(k, dtype=np.int64)
    mapping[order] = np.arange(k)
    return mapping[labels]


def compute_opinion_map(
    participants: ArrayLike,
    statements: ArrayLike,
    votes: ArrayLike,
    *,
    statement_ids: ArrayLike | None = None,
    moderated_out: ArrayLike = (),
    min_votes: int = 7,
    k_range: tuple[int, int] = (2, 5),
    pick_max: int = 5,
    confidence: float = 0.9,
    random_state: int = 0,
    n_init: int = 4,
    silhouette_sample: int = 2000,
    threads: int | None = 1,
) -> OpinionMap:
    """Compute the opinion map from parallel arrays (participant id, statement id, vote).

    ``statement_ids`` lists every published statement (including those nobody voted on
    yet: they count in the participant scaling, as in Polis); by default the statements
    that appear in ``statements``. A participant's last vote on a statement counts (pass
    the votes in time order).

    ``threads`` caps BLAS/OpenMP threads (default one): the matrices are small, and on a
    busy machine oversubscribed thread pools make k-means and the eigen-decomposition ten
    times slower, not faster. ``None`` leaves the libraries' defaults.
    """
    with threadpool_limits(limits=threads):
        return _compute(
            participants,
            statements,
            votes,
            statement_ids=statement_ids,
            moderated_out=moderated_out,
            min_votes=min_votes,
            k_range=k_range,
            pick_max=pick_max,
            confidence=confidence,
            random_state=random_state,
            n_init=n_init,
            silhouette_sample=silhouette_sample,
        )


def _compute(
    participants: ArrayLike,
    statements: ArrayLike,
    votes: ArrayLike,
    *,
    statement_ids: ArrayLike | None,
    moderated_out: ArrayLike,
    min_votes: int,
    k_range: tuple[int, int],
    pick_max: int,
    confidence: float,
    random_state: int,
    n_init: int,
    silhouette_sample: int,
) -> OpinionMap:
    p_raw, s_raw, v = _vote_arrays(participants, statements, votes)
    moderated = np.asarray(moderated_out, dtype=np.int64).ravel()
    all_statements = np.unique(
        np.asarray(statement_ids, dtype=np.int64).ravel() if statement_ids is not None else s_raw
    )
    all_statements = all_statements[~np.isin(all_statements, moderated)]
    keep = np.isin(s_raw, all_statements)
    p_raw, s_raw, v = p_raw[keep], s_raw[keep], v[keep]

    pids, p_idx = np.unique(p_raw, return_inverse=True)
    s_idx = np.searchsorted(all_statements, s_raw)
    n, m = pids.size, all_statements.size

    # Last vote wins: keep the last occurrence of each (participant, statement) cell.
    cell = p_idx.astype(np.int64) * m + s_idx
    _, last_from_end = np.unique(cell[::-1], return_index=True)
    last = cell.size - 1 - last_from_end
    p_idx, s_idx, v = p_idx[last], s_idx[last], v[last]
    present = np.zeros((n, m), dtype=bool)
    dense = np.zeros((n, m), dtype=np.float32)
    present[p_idx, s_idx] = True
    dense[p_idx, s_idx] = v.astype(np.float32)

    n_votes = present.sum(axis=1).astype(np.int64)
    col_counts = present.sum(axis=0)
    col_sums = dense.sum(axis=0, dtype=np.float64)
    means = np.divide(col_sums, col_counts, out=np.zeros(m), where=col_counts > 0).astype(np.float32)
    # Imputed-then-centred matrix: zero where missing, vote - mean where voted.
    centred = np.where(present, dense - means, np.float32(0.0))

    if n == 0 or m == 0:
        empty = np.zeros((0, 2))
        return OpinionMap(
            participant_ids=pids,
            statement_ids=all_statements,
            coords=empty if n == 0 else np.zeros((n, 2)),
            statement_coords=np.zeros((m, 2)),
            labels=np.full(n, -1, dtype=np.int64),
            n_votes=n_votes,
            k=0,
            silhouette=None,
            explained_variance_ratio=np.zeros(2),
            stats=None,
        )

    components, explained, _ = _pca_2d(centred)
    comps32 = components.astype(np.float32)
    scaling = np.sqrt(m / np.maximum(1, n_votes)).astype(np.float32)
    coords = ((centred @ comps32.T) * scaling[:, None]).astype(np.float64)
    # A virtual participant who agrees with statement j only (red-dwarf's statement
    # projection): centred row = e_j·(1 - mean_j) - (all other columns imputed → 0).
    statement_coords = ((1.0 - means.astype(np.float64))[:, None] * components.T) * np.sqrt(m)

    # As in Polis: at least min(min_votes, number of statements) votes to be placed in a group.
    clusterable = np.flatnonzero(n_votes >= min(min_votes, m))
    labels = np.full(n, -1, dtype=np.int64)
    k = 0
    silhouette: float | None = None
    if clusterable.size >= 1:
        k, sub_labels, silhouette = _choose_k(
            coords[clusterable].astype(np.float32),
            k_range[0],
            k_range[1],
            random_state=random_state,
            n_init=n_init,
            silhouette_sample=silhouette_sample,
        )
        labels[clusterable] = _relabel_by_size(sub_labels, k)

    stats: GroupStats | None = None
    representative: list[list[RepresentativeStatement]] = []
    consensus_agree: list[ConsensusStatement] = []
    consensus_disagree: list[ConsensusStatement] = []
    if k >= 1:
        voted_rows, voted_cols = np.nonzero(present)
        vals = dense[voted_rows, voted_cols]
        shape = (n, m)

        def indicator(mask: NDArray[np.bool_]) -> sparse.csr_matrix:
            return sparse.csr_matrix(
                (np.ones(int(mask.sum()), dtype=np.float64), (voted_rows[mask], voted_cols[mask])), shape=shape
            )

        stats = group_statistics(
            indicator(vals == AGREE), indicator(vals == DISAGREE), indicator(np.ones_like(vals, dtype=bool)), labels, k
        )
        representative = select_representative(stats, all_statements, pick_max=pick_max, confidence=confidence)
        consensus_agree, consensus_disagree = select_consensus(stats, all_statements, pick_max=pick_max)

    return OpinionMap(
        participant_ids=pids,
        statement_ids=all_statements,
        coords=coords,
        statement_coords=statement_coords,
        labels=labels,
        n_votes=n_votes,
        k=k,
        silhouette=silhouette,
        explained_variance_ratio=np.asarray(explained, dtype=np.float64),
        stats=stats,
        representative=representative,
        consensus_agree=consensus_agree,
        consensus_disagree=consensus_disagree,
    )
