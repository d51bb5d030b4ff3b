"""Opinion map (Polis method) benchmark against red-dwarf on the same synthetic conversation.

    uv run python bench/bench_opinion.py                       # 10,000 x 500, 150 votes each
    uv run python bench/bench_opinion.py --participants 2000 --statements 200 --per 60

Prints the wall time of gongzhi's pure module (vote arrays → map, groups, representative and
consensus statements) and of red-dwarf's ``run_pipeline`` on the same votes in the same run,
and the adjusted Rand index of each against the planted groups. red-dwarf is GPL and is used
here only as an independent reference.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from gongzhi.participation.opinion.clustering import compute_opinion_map  # noqa: E402
from gongzhi.participation.opinion.synthetic import planted_conversation  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=500)
    parser.add_argument("--per", type=int, default=150, help="votes per participant")
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-red-dwarf", action="store_true")
    args = parser.parse_args()

    conv = planted_conversation(
        n_participants=args.participants,
        n_statements=args.statements,
        votes_per_participant=args.per,
        n_groups=args.groups,
        seed=42,
    )
    n_votes = conv.votes.size
    print(
        f"conversation: {args.participants} participants x {args.statements} statements, {n_votes:,} votes, "
        f"{args.groups} planted groups; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )

    best = float("inf")
    result = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = compute_opinion_map(conv.participants, conv.statements, conv.votes, random_state=0)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    ours_ari = adjusted_rand_score(conv.planted[result.participant_ids], result.labels)
    print(f"gongzhi:   {best:7.2f} s (best of {args.repeat})  k={result.k}  ARI vs planted = {ours_ari:.3f}")

    if args.skip_red_dwarf:
        return
    from reddwarf.implementations.polis import run_pipeline

    start = time.perf_counter()
    votes = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": 0}
        for p, s, v in zip(conv.participants, conv.statements, conv.votes, strict=True)
    ]
    convert = time.perf_counter() - start
    start = time.perf_counter()
    rd = run_pipeline(votes=votes, random_state=0)
    rd_time = time.perf_counter() - start
    labels = rd.participants_df["cluster_id"].astype(int).to_numpy()
    rd_ari = adjusted_rand_score(conv.planted[rd.participants_df.index.to_numpy()], labels)
    print(
        f"red-dwarf: {rd_time:7.2f} s (one run; +{convert:.2f} s building its vote dicts)  "
        f"k={rd.clusterer.n_clusters if rd.clusterer else 0}  ARI vs planted = {rd_ari:.3f}"
    )
    print(
        f"ARI gongzhi vs red-dwarf = {adjusted_rand_score(result.labels, labels):.3f}; speed-up x{rd_time / best:.1f}"
    )


if __name__ == "__main__":
    main()
