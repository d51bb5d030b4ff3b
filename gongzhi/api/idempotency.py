"""``Idempotency-Key`` support for create endpoints.

The first request with a key reserves it (a unique row), runs, and stores its
response -- all in ONE transaction with the action, so a create costs one commit, not
three. A retry with the same key and body replays that response; the same key with a
different body gets 422. A concurrent duplicate from another connection waits on the
unique index until the first commits (then replays it) or rolls back (then runs for
real); one that sees the key reserved but not yet answered (same connection, or a
record left by an older release) gets 409 and may retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.audit.decorators import all_or_nothing
from gongzhi.core.errors import CoreError, CoreErrorCode
from gongzhi.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _request_hash(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    except TypeError:
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _in_progress() -> CoreError:
    err = CoreError(CoreErrorCode.IDEMPOTENCY_IN_PROGRESS, "The first request with this key is still running.")
    err.http_status = 409  # type: ignore[misc]
    return err


def idempotent(request: Request, scope: str, handler: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH:
        err = CoreError(CoreErrorCode.INVALID_INPUT, "Idempotency-Key is too long.", field=HEADER)
        err.http_status = 400  # type: ignore[misc]  # bad input, like any other malformed field
        raise err
    user_key = str(request.user.pk) if request.user.is_authenticated else "anonymous"
    digest = _request_hash(request)
    reserved = False
    try:
        with transaction.atomic():
            # The reservation is the transaction's first statement: a duplicate blocks here
            # (PostgreSQL waits on the unique index) instead of running the action twice.
            record = IdempotencyRecord.objects.create(user_key=user_key, key=key, scope=scope, request_hash=digest)
            reserved = True
            with all_or_nothing():  # the action needs no savepoint: this block fails as a whole
                response = handler()  # an exception rolls back the reservation with the action
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.response_body = _json_safe(response.data)
                record.save(update_fields=["status_code", "response_body"])
            else:
                record.delete()  # not a success: a retry runs for real
            return response
    except IntegrityError:
        if reserved:
            raise  # raised by the action, not by the reservation
    return _replay(user_key, key, scope, digest)


def _replay(user_key: str, key: str, scope: str, digest: str) -> Response:
    existing = IdempotencyRecord.objects.filter(user_key=user_key, key=key, scope=scope).first()
    if existing is None:
        # The first attempt failed and released the key between our insert and this read.
        raise _in_progress()
    if existing.request_hash != digest:
        raise CoreError(CoreErrorCode.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was used with a different request.")
    if existing.status_code is None:
        raise _in_progress()
    response = Response(existing.response_body, status=existing.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _json_safe(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))
