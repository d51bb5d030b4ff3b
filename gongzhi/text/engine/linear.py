"""Calibrated probabilities of the linear model without scikit-learn's per-call overhead.

``CalibratedClassifierCV.predict_proba`` validates its input a dozen times per call (array
checks, dataframe-library detection, a ``LabelEncoder`` fit): about 3 ms per call, more than
the whole rest of classifying one message. For the model this platform trains (one sigmoid-
calibrated linear SVM, ``ensemble=False``) the same numbers are a matrix product and a
sigmoid per class; :func:`calibrated_proba` computes them directly and returns ``None`` for
any other model, which then goes through scikit-learn. Equality is tested in
``text/tests/test_linear.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV


def calibrated_proba(model: Any, X: sp.csr_matrix) -> np.ndarray | None:
    """``model.predict_proba(X)`` for a sigmoid-calibrated linear model with one calibrated fit."""
    if not isinstance(model, CalibratedClassifierCV) or len(getattr(model, "calibrated_classifiers_", ())) != 1:
        return None
    fitted = model.calibrated_classifiers_[0]
    estimator = fitted.estimator
    if fitted.method != "sigmoid" or not hasattr(estimator, "coef_") or X.shape[1] != estimator.coef_.shape[1]:
        return None
    if not all(hasattr(c, "a_") and hasattr(c, "b_") for c in fitted.calibrators):
        return None
    classes = np.asarray(fitted.classes)
    n_classes = len(classes)
    scores = np.asarray(X @ estimator.coef_.T) + estimator.intercept_
    proba = np.zeros((X.shape[0], n_classes))
    # The column each calibrator fills, as scikit-learn's LabelEncoder would place it.
    columns = np.searchsorted(classes, estimator.classes_)
    if n_classes == 2:
        calibrator = fitted.calibrators[0]
        proba[:, 1] = expit(-(calibrator.a_ * scores[:, 0] + calibrator.b_))
        proba[:, 0] = 1.0 - proba[:, 1]
    else:
        for column, score, calibrator in zip(columns, scores.T, fitted.calibrators, strict=False):
            proba[:, column] = expit(-(calibrator.a_ * score + calibrator.b_))
        denominator = np.sum(proba, axis=1)[:, np.newaxis]
        uniform = np.full_like(proba, 1 / n_classes)
        proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
    proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba
