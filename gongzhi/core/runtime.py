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
from functools import lru_cache

from django.urls import get_resolver

#: Statements with at most this many parameters have their conversion cached (psycopg: 50).
STATEMENT_CACHE_PARAMS = 128
#: Distinct statements whose conversion is kept (psycopg: 128).
STATEMENT_CACHE_SIZE = 1024


def warm_up() -> int:
    """Load the URLconf (and with it every view module and its imports) and what each domain
    loads lazily (``DomainConfig.warm_up``: e.g. the word segmenter's dictionary, 0.16 s on
    the first text request otherwise), collect once, then freeze the survivors. Returns the
    number of objects now in the permanent generation."""
    from gongzhi.core.apps import domain_configs

    get_resolver().url_patterns  # noqa: B018 (imports the views; lazy otherwise)
    for config in domain_configs():
        config.warm_up()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def cache_statement_conversion() -> None:
    """Let psycopg remember how it turned our longer statements into wire format.

    Django runs psycopg's client-side-binding cursor, which splits every statement at its
    ``%s`` placeholders before it sends it. psycopg caches that split (``lru_cache``, 128
    entries) only for statements with at most 50 parameters, so the work-order ``INSERT``
    (69 columns) was split again by a regular expression on every create: 8 % of a create
    request's Python time under gunicorn (bench/bench_work_orders_intake.py). The cached
    function is the same function, so results cannot differ; bulk statements with hundreds of
    parameters (imports, ``bulk_create``) stay uncached as before. The limits are module
    attributes read at call time; on a psycopg without them this does nothing."""
    try:
        from psycopg import _queries
    except ImportError:  # SQLite-only installs
        return
    if not hasattr(_queries, "MAX_CACHED_STATEMENT_PARAMS") or not hasattr(_queries, "_query2pg_client_nocache"):
        return
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, STATEMENT_CACHE_PARAMS)
    cached = getattr(_queries._query2pg_client, "cache_info", None)
    if cached is not None and cached().maxsize < STATEMENT_CACHE_SIZE:
        _queries._query2pg_client = lru_cache(maxsize=STATEMENT_CACHE_SIZE)(_queries._query2pg_client_nocache)
