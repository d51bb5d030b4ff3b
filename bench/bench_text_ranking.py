"""Duplicate ranking in Python: dict profiles vs the batched numpy cosines, same process.

    uv run python bench/bench_text_ranking.py [--candidates 300] [--rounds 30]

For each round a real hot-spot message (../shared/data/messages, read in place) is compared
with N other real messages cut to their first 200 characters, as ``duplicate_candidates``
reads them: (a) one dict profile per candidate and ``cosine`` (the method before the batched
one, kept in ``engine.similarity`` and used as the reference in the tests), (b) ``cosines``
with its per-process cache emptied first (cold), (c) ``cosines`` again (warm: the candidates of
one area are the same open orders from one intake to the next). The three are alternated
within each round; prints medians, their ratios and the load average as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gongzhi.testing.shared import shared_dir  # noqa: E402 (after sys.path)

DATA = shared_dir() / "data" / "messages"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from gongzhi.text.engine import similarity
    from gongzhi.text.engine.csvdata import read_rows

    rows = list(read_rows(DATA / "hotspot_messages.csv"))
    load_start = os.getloadavg()
    times: dict[str, list[float]] = {"dict_profiles": [], "batched_cold": [], "batched_warm": []}
    for r in range(args.rounds):
        query = rows[(r * 97) % len(rows)]
        start = (r * 331) % (len(rows) - args.candidates)
        pairs = [(c["title"], c["text"][:200]) for c in rows[start : start + args.candidates]]

        t = time.perf_counter()
        q = similarity.profile(query["title"], query["text"])
        reference = [similarity.cosine(q, similarity.profile(a, b)) for a, b in pairs]
        times["dict_profiles"].append(time.perf_counter() - t)

        similarity._message_codes.cache_clear()
        t = time.perf_counter()
        cold = similarity.cosines(query["title"], query["text"], pairs)
        times["batched_cold"].append(time.perf_counter() - t)

        t = time.perf_counter()
        warm = similarity.cosines(query["title"], query["text"], pairs)
        times["batched_warm"].append(time.perf_counter() - t)
        assert max(abs(x - y) for x, y in zip(reference, cold.tolist(), strict=True)) < 1e-12
        assert (cold == warm).all()

    medians = {name: round(statistics.median(values) * 1000, 2) for name, values in times.items()}
    print(
        json.dumps(
            {
                "candidates": args.candidates,
                "rounds": args.rounds,
                "median_ms": medians,
                "speed_up_cold": round(medians["dict_profiles"] / medians["batched_cold"], 2),
                "speed_up_warm": round(medians["dict_profiles"] / medians["batched_warm"], 2),
                "load_average_at_start": [round(x, 2) for x in load_start],
                "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
