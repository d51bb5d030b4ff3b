"""The request/task context that audit records read (gongzhi.core.context)."""

from __future__ import annotations

import logging
import threading

from gongzhi.core import context


def test_acting_as_sets_and_restores_the_context():
    actor = object()

    with context.acting_as(actor, source="task:escalate", request_id="task-000000001") as ctx:
        inside = context.current()

    assert inside is ctx
    assert (inside.actor, inside.source, inside.request_id) == (actor, "task:escalate", "task-000000001")
    assert context.current().source == "system"


def test_acting_as_nests_and_unwinds():
    with context.acting_as(None, source="import:areas"):
        with context.acting_as(None, source="task:inner"):
            assert context.current().source == "task:inner"
        assert context.current().source == "import:areas"


def test_acting_as_makes_a_request_id_when_none_is_given():
    with context.acting_as(None, source="task:a") as first, context.acting_as(None, source="task:b") as second:
        assert len(first.request_id) == 32
        assert first.request_id != second.request_id


def test_outside_any_context_each_call_is_a_fresh_system_context():
    first, second = context.current(), context.current()

    assert first.source == second.source == "system"
    assert first.request_id != second.request_id
    assert first.actor is None


def test_set_actor_outside_a_request_changes_nothing():
    context.set_actor(object())

    assert context.current().actor is None


def test_set_actor_inside_a_context_records_the_user():
    user = object()
    token = context.set_current(context.RequestContext(request_id="req-000000001"))
    try:
        context.set_actor(user)
        assert context.current().actor is user
        assert context.current().request_id == "req-000000001"
    finally:
        context.reset(token)
    assert context.current().actor is None


def test_contexts_do_not_leak_between_threads():
    seen = {}

    def worker():
        seen["source"] = context.current().source

    with context.acting_as(None, source="task:main"):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()

    assert seen["source"] == "system"


def test_the_log_filter_adds_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "msg", None, None)
    with context.acting_as(None, source="task:log", request_id="log-000000001"):
        context.RequestIdLogFilter().filter(record)

    assert record.request_id == "log-000000001"
