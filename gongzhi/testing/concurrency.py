"""Run the same step from several threads at the same moment, for the tests that prove a
race is handled (double submits, two workers, one code checked twice).

Each call runs in its own thread with its own database connection, all released together by a
barrier so they really overlap (PostgreSQL in CI). SQLite's shared-cache test database refuses a
second writer outright ("database table is locked") where PostgreSQL would queue it: such a call
is retried after a short pause, which is the same race in turn. A private in-memory SQLite
database cannot be shared between threads at all, so there the calls run one after the other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")

LOCKED_RETRIES = 500
LOCKED_PAUSE_S = 0.01
BARRIER_TIMEOUT_S = 30


def _retrying(call: Callable[[], T]) -> T:
    for _try in range(LOCKED_RETRIES):
        try:
            return call()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(LOCKED_PAUSE_S)
    raise OperationalError(f"still locked after {LOCKED_RETRIES} tries")


def run_at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Results of ``calls`` (in the order given) after running them concurrently. A call's
    domain refusals should be caught by the call itself and returned as its result (e.g. the
    error code); any other exception fails the test."""
    results: list[T | None] = [None] * len(calls)
    failures: list[BaseException] = []
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and "memory" in name and "cache=shared" not in name:
        return [call() for call in calls]
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        try:
            start.wait(timeout=BARRIER_TIMEOUT_S)
            results[index] = _retrying(calls[index])
        except BaseException as exc:  # reported to the test below
            failures.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    return results  # type: ignore[return-value]
