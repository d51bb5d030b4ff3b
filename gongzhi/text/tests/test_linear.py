"""The direct calibrated probabilities equal scikit-learn's CalibratedClassifierCV.predict_proba."""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC

from gongzhi.text.engine.classifier import TextClassifier
from gongzhi.text.engine.features import make_docs
from gongzhi.text.engine.linear import calibrated_proba
from gongzhi.text.tests import shared_data

HOSTILE = [("", ""), ("🚨🔥😡", "🚨🔥😡" * 50), ("长" * 300, "长" * 100_000), ("Mixed 中文", "English العربية ＡＢＣ")]


def _held_out_matrix(clf: TextClassifier):
    rows = shared_data.stratified(shared_data.labelled(), 20, offset=1)
    return clf.features.transform(make_docs([(r["title"], r["text"]) for r in rows] + HOSTILE))


def test_multiclass_probabilities_equal_scikit_learn(small_classifier):
    X = _held_out_matrix(small_classifier)
    expected = small_classifier.model.predict_proba(X)
    got = calibrated_proba(small_classifier.model, X)
    assert got is not None
    assert got.shape == expected.shape == (X.shape[0], len(small_classifier.labels))
    assert np.abs(got - expected).max() < 1e-12


def test_binary_probabilities_equal_scikit_learn():
    rows = [r for r in shared_data.stratified(shared_data.labelled(), 60) if r["label"] in ("环境保护", "教育文体")]
    clf = TextClassifier.train([r["title"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows])
    X = _held_out_matrix(clf)
    got = calibrated_proba(clf.model, X)
    assert got is not None
    assert np.abs(got - clf.model.predict_proba(X)).max() < 1e-12


def test_other_models_are_left_to_scikit_learn(small_classifier):
    X = _held_out_matrix(small_classifier)
    rows = shared_data.stratified(shared_data.labelled(), 30)
    X_train = small_classifier.features.transform(make_docs([(r["title"], r["text"]) for r in rows]))
    y = [r["label"] for r in rows]
    plain = LinearSVC().fit(X_train, y)
    ensemble = CalibratedClassifierCV(LinearSVC(), cv=3, ensemble=True).fit(X_train, y)
    isotonic = CalibratedClassifierCV(LinearSVC(), method="isotonic", cv=3, ensemble=False).fit(X_train, y)
    assert calibrated_proba(plain, X) is None
    assert calibrated_proba(ensemble, X) is None
    assert calibrated_proba(isotonic, X) is None
