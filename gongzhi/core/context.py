"""Who is acting, and on behalf of which request, for the current thread of work.

The web middleware fills it per request; tasks and importers open it with
:func:`acting_as`, so every audit record has an actor and a request id.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    actor: Any = None  # accounts.User or None; typed loosely because core imports no domain
    ip: str | None = None
    user_agent: str = ""
    source: str = "web"


_current: ContextVar[RequestContext | None] = ContextVar("gongzhi_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> RequestContext:
    """The context of the running request or task.

    Outside any (no middleware, no :func:`acting_as`) each call gets a fresh "system"
    context: it is not stored, so unrelated work on a long-lived thread (a shell, the
    in-process scheduler) never shares one request id.
    """
    ctx = _current.get()
    if ctx is None:
        return RequestContext(request_id=new_request_id(), source="system")
    return ctx


def set_current(ctx: RequestContext | None) -> object:
    return _current.set(ctx)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def set_actor(actor: Any) -> None:
    """Record the authenticated user once login has established it (inside a request)."""
    ctx = _current.get()
    if ctx is not None:
        _current.set(replace(ctx, actor=actor))


@contextlib.contextmanager
def acting_as(actor: Any = None, *, source: str, request_id: str | None = None) -> Iterator[RequestContext]:
    """Run a task, import or command with an explicit actor and source (e.g. ``"task:escalate"``)."""
    ctx = RequestContext(request_id=request_id or new_request_id(), actor=actor, source=source)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = _current.get()
        record.request_id = ctx.request_id if ctx else "-"
        return True
