"""``@action``: marks a function as a domain action (every write is one).

It makes the function atomic and counts the change records it writes. In tests and
with ``GONGZHI_ENFORCE_ONE_CHANGE_RECORD`` on, an action that finishes without
exactly one change record raises, so the "one record per action" contract cannot
silently break. An action that calls another action gets that action's record from
it and writes its own: each call counts only the records written directly by it.

    @action
    def close_work_order(order: WorkOrder, *, actor: User, resolution: str) -> WorkOrder: ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_counter: ContextVar[list[int] | None] = ContextVar("gongzhi_action_records", default=None)


class ActionContractError(AssertionError):
    """An action wrote no change record, or more than one."""


def note_change_recorded() -> None:
    counter = _counter.get()
    if counter is not None:
        counter[0] += 1


#: True inside :func:`all_or_nothing`, until an action starts (its nested actions see False).
_all_or_nothing: ContextVar[bool] = ContextVar("gongzhi_action_all_or_nothing", default=False)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Inside an atomic block that rolls back as a whole when the action called in it
    raises (the Idempotency-Key transaction of a create: its reservation must not outlive a
    failed action), the outermost action needs no savepoint of its own: two round trips
    (SAVEPOINT, RELEASE) less per create. Actions nested in that action keep their
    savepoints (a caller may catch their errors and go on)."""
    token = _all_or_nothing.set(True)
    try:
        yield
    finally:
        _all_or_nothing.reset(token)


def action(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        counter = [0]
        token = _counter.set(counter)
        savepoint = not _all_or_nothing.get()
        nested = _all_or_nothing.set(False)
        try:
            with transaction.atomic(savepoint=savepoint):
                result = func(*args, **kwargs)
                if getattr(settings, "GONGZHI_ENFORCE_ONE_CHANGE_RECORD", False) and counter[0] != 1:
                    raise ActionContractError(
                        f"{func.__qualname__} wrote {counter[0]} change records, expected exactly 1"
                    )
        finally:
            _all_or_nothing.reset(nested)
            _counter.reset(token)
        return result

    wrapper.is_gongzhi_action = True  # type: ignore[attr-defined]
    return wrapper


def runs_actions(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a public function of an ``actions`` module that is not an action itself but drives
    actions: a job that commits batch after batch (each batch an action with its own change
    record), or the after-commit half of an action (which must not write a second record).
    The contract test accepts it; nothing else changes."""
    func.runs_gongzhi_actions = True  # type: ignore[attr-defined]
    return func
