"""A Celery worker keeps its database connection between tasks (gongzhi.celery)."""

from __future__ import annotations

import time

import pytest
from celery import shared_task
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, connections

from gongzhi.celery import app, recycle_database_connections


@shared_task(name="gongzhi.core.tests.test_celery_connections.probe")
def probe() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return int(cursor.fetchone()[0])


def _run_as_worker(task) -> None:
    """What a worker does around a task: Celery's Django fixup and our handler, before and after."""
    fixup = DjangoWorkerFixup(app)
    fixup.on_task_prerun(sender=task)
    recycle_database_connections(task=task)
    task.run()
    fixup.on_task_postrun(sender=task)
    recycle_database_connections(task=task)


@pytest.mark.django_db(transaction=True)
def test_a_worker_reuses_its_connection_for_the_next_task(monkeypatch):
    # given a worker's open connection within its CONN_MAX_AGE (closing is recorded: SQLite's
    # in-memory test database ignores close())
    wrapper = connections["default"]
    wrapper.ensure_connection()
    wrapper.close_at = time.monotonic() + 60
    closed: list[bool] = []
    real_close = wrapper.close
    monkeypatch.setattr(wrapper, "close", lambda: closed.append(True) or real_close())
    raw = wrapper.connection
    # when it runs two tasks
    _run_as_worker(probe)
    _run_as_worker(probe)
    # then both ran on the same connection (the fixup alone closes it before and after each task)
    assert closed == []
    assert wrapper.connection is raw


@pytest.mark.django_db(transaction=True)
def test_a_worker_drops_a_connection_older_than_conn_max_age(monkeypatch):
    # given a connection past its CONN_MAX_AGE (closing is recorded: SQLite's in-memory test
    # database ignores close())
    wrapper = connections["default"]
    wrapper.ensure_connection()
    wrapper.close_at = time.monotonic() - 1
    closed: list[bool] = []
    monkeypatch.setattr(wrapper, "close", lambda: closed.append(True))
    # when the worker starts a task
    recycle_database_connections(task=probe)
    # then the connection is closed (the task will get a fresh one)
    assert closed == [True]
