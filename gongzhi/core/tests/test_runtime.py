"""Server start-up: the URLconf is imported and start-up objects leave the collector's scans."""

from __future__ import annotations

import gc
import importlib
import sys
import weakref

import pytest
from celery.signals import worker_process_init, worker_ready
from django.urls import get_resolver

from gongzhi.core.runtime import warm_up


def test_warm_up_freezes_what_is_alive_after_loading_the_urlconf() -> None:
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        frozen = warm_up()
        assert frozen == gc.get_freeze_count()
        assert frozen > 10_000  # a Django process with its views holds far more than that
        assert get_resolver().url_patterns  # loaded, not lazy any more
        assert "gongzhi.work_orders.views" in sys.modules
    finally:
        gc.unfreeze()


def test_warm_up_asks_every_domain_to_load_what_it_loads_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    from gongzhi.core.apps import domain_configs

    seen: list[str] = []
    for config in domain_configs():
        monkeypatch.setattr(config, "warm_up", lambda label=config.label: seen.append(label))
    gc.unfreeze()
    try:
        warm_up()
    finally:
        gc.unfreeze()
    assert seen == [config.label for config in domain_configs()]


def test_a_frozen_object_that_becomes_garbage_is_still_freed_by_reference_counting() -> None:
    gc.unfreeze()
    try:

        class Box:
            pass

        box = Box()
        warm_up()
        ref = weakref.ref(box)
        del box
        assert ref() is None  # no cycle: freed at once, frozen or not
    finally:
        gc.unfreeze()


def test_the_wsgi_module_warms_up_on_import(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr("gongzhi.core.runtime.warm_up", lambda: calls.append(1) or 0)
    sys.modules.pop("gongzhi.wsgi", None)
    importlib.import_module("gongzhi.wsgi")
    assert calls == [1]


def test_celery_workers_warm_up_when_ready_and_in_each_child(monkeypatch: pytest.MonkeyPatch) -> None:
    import gongzhi.celery  # noqa: F401 (connects the receivers)

    calls: list[str] = []
    monkeypatch.setattr("gongzhi.core.runtime.warm_up", lambda: calls.append("warm") or 0)
    worker_ready.send(sender=None)
    worker_process_init.send(sender=None)
    assert calls == ["warm", "warm"]


def _insert(columns: int) -> str:
    names = ", ".join(f'"c{i}"' for i in range(columns))
    return f'INSERT INTO "t" ({names}) VALUES ({", ".join(["%s"] * columns)})'  # noqa: S608 (no input)


def test_psycopg_caches_the_conversion_of_a_work_order_sized_statement() -> None:
    from psycopg import _queries
    from psycopg.adapt import Transformer

    # given the app registry is ready (CoreConfig.ready has run) and a statement with as many
    # parameters as a work-order INSERT
    columns = 69  # the work-order INSERT's parameters: more than psycopg caches by default (50)
    statement, values = _insert(columns), list(range(columns))
    # when psycopg converts it twice
    _queries._query2pg_client.cache_clear()
    first = _queries.PostgresClientQuery(Transformer())
    first.convert(statement, values)
    second = _queries.PostgresClientQuery(Transformer())
    second.convert(statement, values)
    # then the second conversion is a cache hit and gives the same bytes as the uncached one
    assert _queries._query2pg_client.cache_info().hits == 1
    assert first.query == second.query
    assert first.template == _queries._query2pg_client_nocache(statement.encode(), "utf-8")[0]
    # and a bulk statement still bypasses the cache
    bulk = _queries.PostgresClientQuery(Transformer())
    bulk.convert(_insert(400), list(range(400)))
    assert _queries._query2pg_client.cache_info().currsize == 1
