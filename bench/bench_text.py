"""Text-engine figures on the real messages in ../shared/data/messages (no database).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 uv run python bench/bench_text.py [--skip-cv] [--variant chars]

Prints JSON: stratified 5-fold cross-validation of the classifier (mean and spread of
macro-F1), training time on 10,000 messages, classification speed on one core (wall clock and
this process's CPU time), model size,
and hot-spot detection time. The 10,000 training messages are the 5,303 labelled ones plus
4,697 real unlabelled messages (hot-spot and replied sets) labelled by a first model — the
time to train does not depend on where the labels come from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gongzhi.testing.shared import shared_dir  # noqa: E402 (after sys.path)

DATA = shared_dir() / "data" / "messages"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--variant", default="words", help="feature variant: words or chars (docs/text.md)")
    args = parser.parse_args()

    from gongzhi.text.engine.classifier import TextClassifier, cross_validate
    from gongzhi.text.engine.csvdata import attention, parse_time, read_rows
    from gongzhi.text.engine.hotspots import HotMessage, find_hotspots
    from gongzhi.text.engine.tokenise import get_tokenizer

    out: dict[str, object] = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"}
    out["variant"] = args.variant
    out["load_average_at_start"] = os.getloadavg()
    started = time.perf_counter()
    get_tokenizer()
    out["segmenter_init_seconds"] = round(time.perf_counter() - started, 2)

    labelled = list(read_rows(DATA / "labelled_messages.csv"))
    titles = [r["title"] for r in labelled]
    texts = [r["text"] for r in labelled]
    labels = [r["label"] for r in labelled]

    if not args.skip_cv:
        started = time.perf_counter()
        out["cross_validation"] = cross_validate(titles, texts, labels, folds=args.folds, seed=0, variant=args.variant)
        out["cross_validation_seconds"] = round(time.perf_counter() - started, 1)

    first = TextClassifier.train(titles, texts, labels, variant=args.variant)
    extra = list(read_rows(DATA / "hotspot_messages.csv")) + list(read_rows(DATA / "replied_messages.csv"))
    extra = extra[: 10_000 - len(labelled)]
    extra_labels = first.predict([r["title"] for r in extra], [r["text"] for r in extra])
    big_titles = titles + [r["title"] for r in extra]
    big_texts = texts + [r["text"] for r in extra]
    big_labels = labels + extra_labels
    started, cpu_started = time.perf_counter(), time.process_time()
    model = TextClassifier.train(big_titles, big_texts, big_labels, variant=args.variant)
    out["train_10000_seconds"] = round(time.perf_counter() - started, 1)
    out["train_10000_cpu_seconds"] = round(time.process_time() - cpu_started, 1)
    out["train_messages"] = len(big_labels)
    with tempfile.TemporaryDirectory() as tmp:
        out["model_bytes"] = model.save(Path(tmp) / "model.pkl")
    out["model_features"] = model.features.n_features

    # Classification speed: fresh messages, one process, one BLAS thread; batches of 100 as an
    # intake queue would send them, and one at a time as a single intake does.
    # Wall time is what a caller waits; this process's CPU time is what "one core" costs, and it
    # is the steadier figure on a shared machine (load above the number of cores).
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(0, len(labelled), 100):
        model.predict_proba(titles[i : i + 100], texts[i : i + 100])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    out["classify_batch_messages_per_second"] = round(len(labelled) / seconds, 1)
    out["classify_batch_messages_per_cpu_second"] = round(len(labelled) / cpu_seconds, 1)
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(500):
        model.suggest(titles[i], texts[i])
    out["classify_single_ms"] = round((time.perf_counter() - started) / 500 * 1000, 2)
    out["classify_single_cpu_ms"] = round((time.process_time() - cpu_started) / 500 * 1000, 2)

    hot = [
        HotMessage(r["id"], r["title"], r["text"], parse_time(r["time"]), r["user"], attention(r))
        for r in read_rows(DATA / "hotspot_messages.csv")
    ]
    started = time.perf_counter()
    spots = find_hotspots(hot, top=10)
    out["hotspots_seconds"] = round(time.perf_counter() - started, 1)
    out["hotspots_top10"] = [{"label": s.label, "size": len(s.members), "reporters": s.reporters} for s in spots]
    out["load_average_at_end"] = os.getloadavg()
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
