"""jieba (HMM off) against the compiled segmenter the classifier uses (rjieba, jieba-rs).

    uv run python bench/bench_text_segmenter.py

Segments, for every one of the 12,445 real messages in ../shared/data/messages (labelled,
hot-spot and replied files), the strings the classifier segments (normalised title; first 400
characters of the normalised body) and the whole normalised body, with both segmenters; prints
JSON with the number of strings whose words differ (with up to five examples) and the time each
segmenter takes over all the strings (median of 3 alternated runs).
"""

from __future__ import annotations

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
    import jieba

    from gongzhi.text.engine.csvdata import read_rows
    from gongzhi.text.engine.tokenise import normalise, segment

    reference = jieba.Tokenizer()
    reference.tmp_dir = None
    reference.cache_file = None
    reference.initialize()
    rows = []
    for name in ("labelled_messages.csv", "hotspot_messages.csv", "replied_messages.csv"):
        rows += list(read_rows(DATA / name))
    strings = []
    for r in rows:
        body = normalise(r["text"])
        strings += [normalise(r["title"], max_chars=200), body[:400], body]
    out: dict[str, object] = {"load_average_at_start": os.getloadavg(), "messages": len(rows), "strings": len(strings)}
    different = [s for s in strings if segment(s) != reference.lcut(s, HMM=False)]
    out["strings_with_different_words"] = len(different)
    out["examples"] = [s[:100] for s in different[:5]]
    times: dict[str, list[float]] = {"jieba": [], "rjieba": []}
    for _ in range(3):
        for name, cut in (("jieba", lambda s: reference.lcut(s, HMM=False)), ("rjieba", segment)):
            started = time.perf_counter()
            for s in strings:
                cut(s)
            times[name].append(time.perf_counter() - started)
    out["seconds_median"] = {k: round(statistics.median(v), 2) for k, v in times.items()}
    out["speed_up"] = round(statistics.median(times["jieba"]) / statistics.median(times["rjieba"]), 1)
    out["load_average_at_end"] = os.getloadavg()
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
