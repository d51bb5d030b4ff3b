"""The active classifier, loaded once per process and reloaded when a new version is activated."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from gongzhi.text.engine.classifier import TextClassifier
from gongzhi.text.models import TextModel

# How long a process trusts its cached idea of which version is active.
RECHECK_SECONDS = 60.0


@dataclass(frozen=True)
class LoadedModel:
    version: int
    classifier: TextClassifier
    label_categories: dict[str, int]


_lock = threading.Lock()
_loaded: LoadedModel | None = None
_checked_at = 0.0


def active_model() -> LoadedModel | None:
    """The active model (one small query at most per minute; the file is read once per version)."""
    global _loaded, _checked_at
    now = time.monotonic()
    if _loaded is not None and now - _checked_at < RECHECK_SECONDS:
        return _loaded
    row = TextModel.objects.filter(is_active=True).values_list("pk", "version").first()
    _checked_at = now
    if row is None:
        _loaded = None
        return None
    pk, version = row
    if _loaded is not None and _loaded.version == version:
        return _loaded
    with _lock:
        model = TextModel.objects.only("data", "version", "label_categories").get(pk=pk)
        _loaded = LoadedModel(
            version=model.version,
            classifier=TextClassifier.loads(bytes(model.data)),
            label_categories={str(k): int(v) for k, v in (model.label_categories or {}).items()},
        )
    return _loaded


def forget() -> None:
    """Drop the cached model (after activating another version, and between tests)."""
    global _loaded, _checked_at
    _loaded = None
    _checked_at = 0.0
