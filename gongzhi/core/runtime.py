"""Process start-up for long-running servers (gunicorn/runserver workers, Celery workers).

A Django process holds a few hundred thousand long-lived objects after start-up (modules,
URL patterns, templates, numpy/scikit-learn for the text models). CPython's cyclic garbage
collector walks *all* of them in every full (generation 2) collection, which happened every
few dozen requests and paused the request that triggered it for 100-250 ms (measured with
``gc.callbacks`` on the inbox bench at 1,000,000 orders: the p95 spikes of otherwise 20-40 ms
pages). :func:`warm_up` imports what the first request would import, then moves every object
alive at that point into the collector's permanent generation (``gc.freeze``): they are never
scanned again, so a full collection only walks what requests created since. Objects created
later are collected exactly as before; nothing is leaked (frozen objects were alive anyway).
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def warm_up() -> int:
    """Load the URLconf (and with it every view module and its imports), collect once, then
    freeze the survivors. Returns the number of objects now in the permanent generation."""
    get_resolver().url_patterns  # noqa: B018 (imports the views; lazy otherwise)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
