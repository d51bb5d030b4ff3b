"""Message classifier: TF-IDF features + linear models, with calibrated probabilities.

The estimator is one linear SVM (balanced class weights) trained on all messages, with a
sigmoid calibration fitted on its out-of-fold decisions (scikit-learn ``CalibratedClassifierCV``
with ``ensemble=False``: one weight matrix, so the file stays small and prediction fast).
``predict_proba`` is then a confidence a dispatcher can read as "how often is a suggestion
with this score right".
The model file is a pickle: load only files this platform wrote itself.
"""

from __future__ import annotations

import io
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from gongzhi.text.engine.features import Doc, TextFeatures, make_docs
from gongzhi.text.engine.linear import calibrated_proba

FORMAT_VERSION = 1

# Feature variants (docs/text.md has the comparison): "words" = jieba words 1–2 grams + character
# 1–3 grams + title words (the original model); "chars" = character 1–4 grams + title characters,
# no segmentation at all.
VARIANTS = ("words", "chars")


def _features(variant: str) -> TextFeatures:
    if variant == "words":
        return TextFeatures()
    if variant == "chars":
        return TextFeatures(word_weight=0.0, char_max_n=4, max_char_features=300_000)
    raise ValueError(f"unknown feature variant {variant!r}")


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float


@dataclass
class TextClassifier:
    """A trained classifier; build with :meth:`train`."""

    features: TextFeatures
    model: Any
    labels: list[str]
    trained_at: float = 0.0
    n_train: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    # -- training ---------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        titles: Sequence[str | None],
        texts: Sequence[str | None],
        labels: Sequence[str],
        *,
        C: float = 1.0,
        calibration_folds: int = 3,
        variant: str = "words",
        docs: Sequence[Doc] | None = None,
    ) -> TextClassifier:
        features = _features(variant)
        if docs is None:
            docs = make_docs(zip(titles, texts, strict=True), segment=variant == "words")
        y = np.asarray(labels)
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError("need at least two categories to train")
        X = features.fit_transform(docs)
        folds = max(2, min(calibration_folds, int(counts.min())))
        model: Any
        if counts.min() >= 2:
            model = CalibratedClassifierCV(
                LinearSVC(C=C, class_weight="balanced"), method="sigmoid", cv=folds, ensemble=False
            )
        else:
            # Too few examples of some category to calibrate: plain SVM, softmax of margins.
            model = LinearSVC(C=C, class_weight="balanced")
        model.fit(X, y)
        return cls(
            features=features,
            model=model,
            labels=[str(c) for c in classes],
            trained_at=time.time(),
            n_train=len(y),
            params={"C": C, "calibration_folds": folds, "variant": variant},
        )

    # -- prediction -------------------------------------------------------------------------

    def predict_proba(self, titles: Sequence[str | None], texts: Sequence[str | None]) -> np.ndarray:
        return self.proba_docs(make_docs(zip(titles, texts, strict=True), segment=self.segments))

    @property
    def segments(self) -> bool:
        """Whether this model's features need jieba words."""
        return bool(self.params.get("variant", "words") == "words")

    def proba_docs(self, docs: Sequence[Doc]) -> np.ndarray:
        X = self.features.transform(docs)
        fast = calibrated_proba(self.model, X)
        if fast is not None:
            return fast
        if hasattr(self.model, "predict_proba"):
            return np.asarray(self.model.predict_proba(X))
        margins = np.asarray(self.model.decision_function(X))
        e = np.exp(margins - margins.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, titles: Sequence[str | None], texts: Sequence[str | None]) -> list[str]:
        proba = self.predict_proba(titles, texts)
        return [self.labels[i] for i in proba.argmax(axis=1)]

    def suggest(self, title: str | None, text: str | None, *, top: int = 3) -> list[Suggestion]:
        """The ``top`` categories for one message, best first, with calibrated confidence."""
        return self.suggest_many([title], [text], top=top)[0]

    def suggest_many(
        self, titles: Sequence[str | None], texts: Sequence[str | None], *, top: int = 3
    ) -> list[list[Suggestion]]:
        """:meth:`suggest` for a batch of messages, classified in one call."""
        if not titles:
            return []
        proba = self.predict_proba(titles, texts)
        return [[Suggestion(self.labels[i], round(float(row[i]), 4)) for i in np.argsort(-row)[:top]] for row in proba]

    # -- persistence ------------------------------------------------------------------------

    def dumps(self) -> bytes:
        buf = io.BytesIO()
        pickle.dump({"format": FORMAT_VERSION, "classifier": self}, buf, protocol=pickle.HIGHEST_PROTOCOL)
        return buf.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> TextClassifier:
        obj = pickle.loads(data)  # noqa: S301 -- only model files written by this platform
        if not isinstance(obj, dict) or obj.get("format") != FORMAT_VERSION:
            raise ValueError("not a gongzhi text model (or an incompatible version)")
        clf = obj["classifier"]
        if not isinstance(clf, cls):
            raise ValueError("not a gongzhi text model")
        return clf

    def save(self, path: str | Path) -> int:
        data = self.dumps()
        Path(path).write_bytes(data)
        return len(data)

    @classmethod
    def load(cls, path: str | Path) -> TextClassifier:
        return cls.loads(Path(path).read_bytes())


def evaluate_predictions(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class precision/recall/F1/support and the confusion matrix."""
    labels = list(labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": len(y_true),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        },
        "confusion_matrix": {
            "labels": labels,
            "rows_true_cols_predicted": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
    }


def cross_validate(
    titles: Sequence[str | None],
    texts: Sequence[str | None],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
    **train_kwargs: Any,
) -> dict[str, Any]:
    """Stratified k-fold cross-validation: mean and spread of macro-F1 and accuracy."""
    docs = make_docs(zip(titles, texts, strict=True), segment=train_kwargs.get("variant", "words") == "words")
    y = np.asarray(labels)
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    f1s: list[float] = []
    accs: list[float] = []
    all_true: list[str] = []
    all_pred: list[str] = []
    for train_idx, test_idx in skf.split(np.zeros(len(y)), y):
        clf = TextClassifier.train([], [], y[train_idx].tolist(), docs=[docs[i] for i in train_idx], **train_kwargs)
        proba = clf.proba_docs([docs[i] for i in test_idx])
        pred = [clf.labels[i] for i in proba.argmax(axis=1)]
        true = y[test_idx].tolist()
        f1s.append(float(f1_score(true, pred, average="macro")))
        accs.append(float(accuracy_score(true, pred)))
        all_true.extend(true)
        all_pred.extend(pred)
    labels_sorted = sorted(set(y.tolist()))
    return {
        "folds": folds,
        "seed": seed,
        "macro_f1_mean": round(float(np.mean(f1s)), 4),
        "macro_f1_std": round(float(np.std(f1s)), 4),
        "macro_f1_per_fold": [round(v, 4) for v in f1s],
        "accuracy_mean": round(float(np.mean(accs)), 4),
        "accuracy_std": round(float(np.std(accs)), 4),
        "pooled": evaluate_predictions(all_true, all_pred, labels_sorted),
    }
