"""``gongzhi-text``: reproduce every figure of the text engine from CSV files, without a database.

    gongzhi-text train --data labelled.csv --out model.pkl
    gongzhi-text evaluate --model model.pkl --data heldout.csv
    gongzhi-text predict --model model.pkl --data messages.csv
    gongzhi-text cv --data labelled.csv --folds 5
    gongzhi-text hotspots --data hotspot_messages.csv --top 10
    gongzhi-text replies --data replied_messages.csv
    gongzhi-text redact --text "电话13812345678"

Every command prints JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from gongzhi.text.engine.classifier import VARIANTS, TextClassifier, cross_validate, evaluate_predictions
from gongzhi.text.engine.csvdata import attention, parse_time, read_rows
from gongzhi.text.engine.hotspots import HotMessage, find_hotspots
from gongzhi.text.engine.redact import find_personal_data, redact
from gongzhi.text.engine.reply import check_reply
from gongzhi.text.engine.urgency import find_urgency_cues


def _labelled(path: str) -> tuple[list[str], list[str], list[str], list[str]]:
    ids, titles, texts, labels = [], [], [], []
    for n, row in enumerate(read_rows(path)):
        if not (row.get("text") or row.get("title")):
            continue
        ids.append(row.get("id") or str(n + 1))
        titles.append(row.get("title", ""))
        texts.append(row.get("text", ""))
        labels.append(row.get("label", ""))
    return ids, titles, texts, labels


def cmd_train(args: argparse.Namespace) -> dict[str, Any]:
    _, titles, texts, labels = _labelled(args.data)
    if not all(labels):
        raise SystemExit("every row needs a label")
    started = time.perf_counter()
    clf = TextClassifier.train(titles, texts, labels, variant=args.variant)
    seconds = time.perf_counter() - started
    size = clf.save(args.out)
    return {
        "model": args.out,
        "n_train": len(labels),
        "labels": clf.labels,
        "train_seconds": round(seconds, 2),
        "size_bytes": size,
        "n_features": clf.features.n_features,
    }


def cmd_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    clf = TextClassifier.load(args.model)
    _, titles, texts, labels = _labelled(args.data)
    started = time.perf_counter()
    pred = clf.predict(titles, texts)
    seconds = time.perf_counter() - started
    report = evaluate_predictions(labels, pred, sorted(set(labels) | set(clf.labels)))
    report["seconds"] = round(seconds, 3)
    report["messages_per_second"] = round(len(labels) / seconds, 1) if seconds else None
    return report


def cmd_predict(args: argparse.Namespace) -> dict[str, Any]:
    clf = TextClassifier.load(args.model)
    ids, titles, texts, _ = _labelled(args.data)
    proba = clf.predict_proba(titles, texts)
    out = []
    for i, row in enumerate(proba):
        order = row.argsort()[::-1][: args.top]
        out.append(
            {
                "id": ids[i],
                "label": clf.labels[order[0]],
                "confidence": round(float(row[order[0]]), 4),
                "top": [{"label": clf.labels[j], "confidence": round(float(row[j]), 4)} for j in order],
                "urgent_cues": [c.cue.value for c in find_urgency_cues(titles[i], texts[i])],
            }
        )
    return {"predictions": out}


def cmd_cv(args: argparse.Namespace) -> dict[str, Any]:
    _, titles, texts, labels = _labelled(args.data)
    started = time.perf_counter()
    report = cross_validate(titles, texts, labels, folds=args.folds, seed=args.seed, variant=args.variant)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def cmd_hotspots(args: argparse.Namespace) -> dict[str, Any]:
    messages = [
        HotMessage(
            key=row.get("id") or str(n + 1),
            title=row.get("title", ""),
            text=row.get("text", ""),
            time=parse_time(row.get("time")),
            user=row.get("user", ""),
            attention=attention(row),
        )
        for n, row in enumerate(read_rows(args.data))
    ]
    started = time.perf_counter()
    spots = find_hotspots(messages, top=args.top, window_days=args.window_days)
    return {
        "messages": len(messages),
        "seconds": round(time.perf_counter() - started, 2),
        "groups": [dict(rank=i + 1, **spot.as_dict()) for i, spot in enumerate(spots)],
    }


def cmd_replies(args: argparse.Namespace) -> dict[str, Any]:
    out = []
    for n, row in enumerate(read_rows(args.data)):
        check = check_reply(
            row.get("title"),
            row.get("text"),
            row.get("reply"),
            asked_at=parse_time(row.get("time")),
            replied_at=parse_time(row.get("reply_time")),
        )
        out.append({"id": row.get("id") or str(n + 1), **check.as_dict()})
    weak = sum(1 for r in out if r["weak"])
    return {"replies": len(out), "weak": weak, "checks": out if args.all else out[: args.top]}


def cmd_redact(args: argparse.Namespace) -> dict[str, Any]:
    text = args.text if args.text is not None else sys.stdin.read()
    return {"redacted": redact(text), "found": [p.kind.value for p in find_personal_data(text)]}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongzhi-text", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train a classifier on a labelled CSV")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--variant", choices=VARIANTS, default="words")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("evaluate", help="macro-F1, accuracy, per-class figures and confusion matrix")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("predict", help="category and confidence for each message")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--top", type=int, default=3)
    p.set_defaults(func=cmd_predict)
    p = sub.add_parser("cv", help="stratified k-fold cross-validation (mean and spread)")
    p.add_argument("--data", required=True)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variant", choices=VARIANTS, default="words")
    p.set_defaults(func=cmd_cv)
    p = sub.add_parser("hotspots", help="ranked hot spots with member ids, label and score")
    p.add_argument("--data", required=True)
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--window-days", type=int, default=60)
    p.set_defaults(func=cmd_hotspots)
    p = sub.add_parser("replies", help="reply-quality checks of a CSV with message and reply")
    p.add_argument("--data", required=True)
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--all", action="store_true")
    p.set_defaults(func=cmd_replies)
    p = sub.add_parser("redact", help="mask personal data in --text (or stdin)")
    p.add_argument("--text")
    p.set_defaults(func=cmd_redact)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = args.func(args)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
