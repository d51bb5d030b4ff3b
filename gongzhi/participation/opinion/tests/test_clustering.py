"""The pure opinion-map module, checked against red-dwarf (GPL, a test-only oracle)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from gongzhi.participation.opinion.clustering import compute_opinion_map
from gongzhi.participation.opinion.synthetic import planted_conversation

reddwarf_polis = pytest.importorskip("reddwarf.implementations.polis")


def _reddwarf(conv):  # type: ignore[no-untyped-def]
    votes = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": 0}
        for p, s, v in zip(conv.participants, conv.statements, conv.votes, strict=True)
    ]
    return reddwarf_polis.run_pipeline(votes=votes, random_state=0)


@pytest.fixture(scope="module")
def conversation():  # type: ignore[no-untyped-def]
    return planted_conversation(n_participants=240, n_statements=30, votes_per_participant=24, n_groups=3, seed=7)


@pytest.fixture(scope="module")
def both(conversation):  # type: ignore[no-untyped-def]
    ours = compute_opinion_map(conversation.participants, conversation.statements, conversation.votes)
    return ours, _reddwarf(conversation)


def test_projections_equal_reddwarf_pca_with_participant_scaling(both):  # type: ignore[no-untyped-def]
    ours, rd = both
    theirs = rd.participants_df.loc[ours.participant_ids, ["x", "y"]].to_numpy()
    np.testing.assert_allclose(ours.coords, theirs, atol=1e-4)
    statements = np.array([rd.statement_projections[int(s)] for s in ours.statement_ids])
    np.testing.assert_allclose(ours.statement_coords, statements, atol=1e-4)


def test_groups_recover_planted_groups_and_agree_with_reddwarf(conversation, both):  # type: ignore[no-untyped-def]
    ours, rd = both
    rd_labels = rd.participants_df.loc[ours.participant_ids, "cluster_id"].astype(int).to_numpy()
    assert ours.k == 3
    assert adjusted_rand_score(conversation.planted[ours.participant_ids], ours.labels) >= 0.85
    assert adjusted_rand_score(rd_labels, ours.labels) >= 0.8
    assert sorted(ours.group_sizes(), reverse=True) == ours.group_sizes()


def test_representative_statements_and_consensus_equal_reddwarf_for_the_same_groups(both):  # type: ignore[no-untyped-def]
    from reddwarf.utils.stats import calculate_comment_statistics_dataframes, select_representative_statements

    ours, rd = both
    matrix = rd.raw_vote_matrix.loc[ours.participant_ids, ours.statement_ids]
    grouped, gac = calculate_comment_statistics_dataframes(vote_matrix=matrix, cluster_labels=ours.labels)
    expected = select_representative_statements(grouped_stats_df=grouped, pick_max=5, confidence=0.9)
    assert ours.stats is not None
    for g in range(ours.k):
        got = ours.representative[g]
        assert [r.statement_id for r in got] == [e["tid"] for e in expected[g]]
        assert [r.direction for r in got] == [e["repful-for"] for e in expected[g]]
        for r, e in zip(got, expected[g], strict=True):
            assert r.n_success == e["n-success"]
            assert r.n_trials == e["n-trials"]
            assert r.repness == pytest.approx(e["repness"])
            assert r.repness_test == pytest.approx(e["repness-test"])
            assert r.p_success == pytest.approx(e["p-success"])
            assert r.p_test == pytest.approx(e["p-test"])
            assert r.best_agree == bool(e.get("best-agree", False))
    np.testing.assert_allclose(ours.stats.p_agree.prod(axis=0), gac["group-aware-consensus-agree"].to_numpy())
    np.testing.assert_allclose(ours.stats.p_disagree.prod(axis=0), gac["group-aware-consensus-disagree"].to_numpy())


def test_consensus_lists_statements_every_group_agrees_with():  # type: ignore[no-untyped-def]
    conv = planted_conversation(
        n_participants=300, n_statements=40, votes_per_participant=30, consensus_share=0.2, seed=3
    )
    ours = compute_opinion_map(conv.participants, conv.statements, conv.votes, pick_max=40)
    assert ours.stats is not None
    agreed = {c.statement_id for c in ours.consensus_agree}
    assert agreed, "planted consensus statements must show up"
    for c in ours.consensus_agree:
        assert all(p > 0.5 for p in c.group_probabilities)
    scores = [c.score for c in ours.consensus_agree]
    assert scores == sorted(scores, reverse=True)
    # A statement that splits the groups is never a consensus statement.
    for j, sid in enumerate(ours.statement_ids):
        if (ours.stats.p_agree[:, j] < 0.5).any():
            assert int(sid) not in agreed


def test_moderated_statements_and_unvoted_statements():  # type: ignore[no-untyped-def]
    conv = planted_conversation(n_participants=120, n_statements=20, votes_per_participant=15, seed=5)
    with_extra = compute_opinion_map(
        conv.participants, conv.statements, conv.votes, statement_ids=np.arange(25), moderated_out=[0, 1]
    )
    assert list(with_extra.statement_ids) == list(range(2, 25))
    for group in with_extra.representative:
        assert all(r.statement_id not in (0, 1) for r in group)


def test_last_vote_counts_and_few_voters_are_not_clustered():  # type: ignore[no-untyped-def]
    participants = [1, 1, 2, 2, 3]
    statements = [10, 10, 10, 11, 10]
    votes = [1, -1, 1, 1, -1]
    result = compute_opinion_map(participants, statements, votes, min_votes=2)
    assert result.stats is not None
    assert list(result.n_votes) == [1, 2, 1]
    assert list(result.labels) == [-1, 0, -1]  # only participant 2 has ≥ 2 votes → one group
    assert result.k == 1
    assert result.stats.n_disagree[0].tolist() == [0, 0]  # participant 1's first agree was replaced


def test_empty_and_invalid_input():  # type: ignore[no-untyped-def]
    empty = compute_opinion_map([], [], [])
    assert empty.k == 0
    assert empty.coords.shape == (0, 2)
    with pytest.raises(ValueError, match="votes must be"):
        compute_opinion_map([1], [1], [2])
    with pytest.raises(ValueError, match="same length"):
        compute_opinion_map([1, 2], [1], [1])


def test_identical_voters_collapse_into_one_group():  # type: ignore[no-untyped-def]
    participants = np.repeat(np.arange(10), 8)
    statements = np.tile(np.arange(8), 10)
    votes = np.ones(80, dtype=np.int8)
    result = compute_opinion_map(participants, statements, votes)
    assert result.k == 1
    assert (result.labels == 0).all()
    assert [c.statement_id for c in result.consensus_agree] == [0, 1, 2, 3, 4]
