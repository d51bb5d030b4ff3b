"""Training runs: from the platform's closed work orders (scheduled) or from an imported
labelled CSV (bootstrap). CPU-heavy work happens here, outside transactions; the result is
stored by :func:`gongzhi.text.actions.register_text_model`."""

from __future__ import annotations

import io
from collections import Counter
from typing import IO, Any

from gongzhi.text import actions
from gongzhi.text.choices import ModelSource
from gongzhi.text.engine.classifier import TextClassifier, cross_validate
from gongzhi.text.errors import TextError, TextErrorCode
from gongzhi.text.models import TextModel
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import WorkOrder

MIN_MESSAGES = 10
#: The newest closed orders used for training (bounds the run time: 20,000 ≈ 1–2 minutes).
MAX_TRAINING_ORDERS = 20_000


def _check(labels: list[str]) -> None:
    counts = Counter(labels)
    if len(labels) < MIN_MESSAGES or len(counts) < 2:
        raise TextError(TextErrorCode.NOT_ENOUGH_DATA)


def _report(titles: list[str], texts: list[str], labels: list[str], folds: int) -> dict[str, Any]:
    """Stratified cross-validation of the messages whose category has at least ``folds``
    examples (fewer folds, down to two, when that leaves fewer than two categories). Real
    requests always include rare categories; evaluating without them (the model is still
    trained on every message) keeps a report possible, and says what it left out."""
    counts = Counter(labels)
    for k in range(folds, 1, -1):
        kept = {label for label, n in counts.items() if n >= k}
        if len(kept) >= 2:
            break
    else:
        return {"cross_validation": None, "note": "too few messages per category to cross-validate"}
    rows = [i for i, label in enumerate(labels) if label in kept]
    report = cross_validate([titles[i] for i in rows], [texts[i] for i in rows], [labels[i] for i in rows], folds=k)
    report["left_out"] = {"categories": len(counts) - len(kept), "messages": len(labels) - len(rows)}
    return {"cross_validation": report}


def train_and_register(
    titles: list[str],
    texts: list[str],
    labels: list[str],
    *,
    actor: Any,
    source: ModelSource,
    folds: int = 5,
    guarded: bool = False,
) -> TextModel:
    """Train, evaluate and store a version. ``guarded`` (the scheduled retrain): it becomes
    active only if it is not worse than the active one (``actions.register_text_model``);
    otherwise (a person bootstrapping from a file) it becomes the active model."""
    _check(labels)
    metrics = _report(titles, texts, labels, folds)
    classifier = TextClassifier.train(titles, texts, labels)
    metrics["n_train"] = len(labels)
    metrics["categories"] = dict(sorted(Counter(labels).items()))
    return actions.register_text_model(
        classifier, actor=actor, source=source, metrics=metrics, activate="if_not_worse" if guarded else True
    )


def train_from_closed_orders(*, actor: Any = None, folds: int = 3) -> TextModel:
    """Train on the newest closed orders that have a category (label = category code); the
    new version replaces the active one only if it is not worse (``actions.register_text_model``)."""
    rows = list(
        WorkOrder.objects.filter(status=Status.CLOSED, category__isnull=False)
        .order_by("-closed_at", "-id")
        .values_list("title", "description", "category__code")[:MAX_TRAINING_ORDERS]
    )
    titles = [r[0] for r in rows]
    texts = [r[1] for r in rows]
    labels = [r[2] for r in rows]
    return train_and_register(
        titles, texts, labels, actor=actor, source=ModelSource.CLOSED_ORDERS, folds=folds, guarded=True
    )


def read_labelled_csv(handle: IO[str] | IO[bytes]) -> tuple[list[str], list[str], list[str]]:
    """Parse a labelled CSV (``title``, ``text``, ``label``); refuses anything else."""
    import csv

    raw = handle.read()
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip() for f in (reader.fieldnames or []) if f}
    if not {"text", "label"} <= fields:
        raise TextError(TextErrorCode.BAD_CSV)
    titles: list[str] = []
    texts: list[str] = []
    labels: list[str] = []
    try:
        for row in reader:
            label = (row.get("label") or "").strip()
            body = row.get("text") or ""
            if not label or not (body.strip() or (row.get("title") or "").strip()):
                continue
            titles.append(row.get("title") or "")
            texts.append(body)
            labels.append(label[:100])
    except csv.Error as exc:
        raise TextError(TextErrorCode.BAD_CSV) from exc
    return titles, texts, labels


def train_from_csv(handle: IO[str] | IO[bytes], *, actor: Any, folds: int = 5) -> TextModel:
    titles, texts, labels = read_labelled_csv(handle)
    return train_and_register(titles, texts, labels, actor=actor, source=ModelSource.CSV, folds=folds)
