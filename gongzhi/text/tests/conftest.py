"""Fixtures of the text tests: a small classifier trained once per session on real messages."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.text import runtime
from gongzhi.text.engine.classifier import TextClassifier
from gongzhi.text.tests import shared_data


@pytest.fixture(scope="session")
def small_classifier() -> TextClassifier:
    """Trained on 120 messages per category (the even rows): a few seconds."""
    rows = shared_data.stratified(shared_data.labelled(), 120, offset=0)
    return TextClassifier.train([r["title"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows])


@pytest.fixture(autouse=True)
def _fresh_runtime() -> Any:
    runtime.forget()
    yield
    runtime.forget()
