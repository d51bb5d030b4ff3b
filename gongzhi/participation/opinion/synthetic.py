"""Synthetic conversations with planted opinion groups, for tests, benchmarks and the demo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class SyntheticConversation:
    participants: NDArray[np.int64]
    statements: NDArray[np.int64]
    votes: NDArray[np.int8]
    planted: NDArray[np.int64]  # planted group of participant i (ids are 0..n-1)
    n_statements: int


def planted_conversation(
    *,
    n_participants: int,
    n_statements: int,
    votes_per_participant: int,
    n_groups: int = 3,
    consensus_share: float = 0.1,
    pass_rate: float = 0.1,
    agreement: float = 0.85,
    seed: int = 0,
) -> SyntheticConversation:
    """Each group has a stance (agree/disagree) per statement; a member votes with the
    group's stance with probability ``agreement``; a share of statements is agreed by all."""
    rng = np.random.default_rng(seed)
    stance = rng.choice(np.array([-1, 1], dtype=np.int8), size=(n_groups, n_statements))
    consensus = rng.random(n_statements) < consensus_share
    stance[:, consensus] = 1
    planted = rng.integers(0, n_groups, size=n_participants).astype(np.int64)
    per = min(votes_per_participant, n_statements)
    # Each participant sees a random subset of statements (argsort of random keys).
    seen = np.argsort(rng.random((n_participants, n_statements)), axis=1)[:, :per]
    participants = np.repeat(np.arange(n_participants, dtype=np.int64), per)
    statements = seen.ravel().astype(np.int64)
    group_stance = stance[planted[participants], statements]
    follow = rng.random(participants.size) < agreement
    votes = np.where(follow, group_stance, -group_stance).astype(np.int8)
    votes[rng.random(participants.size) < pass_rate] = 0
    return SyntheticConversation(participants, statements, votes, planted, n_statements)
