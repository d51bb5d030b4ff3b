"""``Idempotency-Key`` support for create endpoints.

The first request with a key reserves it (a unique row), runs and stores its response — all in
**one transaction** with the create itself, so a create costs one commit, and a failure or a
non-2xx answer leaves no reservation behind. A retry with the same key and body replays the
stored response; the same key with a different body gets 422. A concurrent duplicate waits on
the unique index until the first commits and then replays its response (PostgreSQL); if the
first rolled back meanwhile it runs for real. 409 ``idempotency_in_progress`` remains for the
narrow case of a reservation found without a response (a database that does not wait).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

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
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a duplicate key must not spoil the outer transaction
                record = IdempotencyRecord.objects.create(user_key=user_key, key=key, scope=scope, request_hash=digest)
        except IntegrityError:
            return _replay(user_key, key, scope, digest)
        response = handler()  # an exception rolls the reservation back with everything else
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.response_body = _json_safe(response.data)
            record.save(update_fields=["status_code", "response_body"])
        else:
            record.delete()
        return response


def _replay(user_key: str, key: str, scope: str, digest: str) -> Response:
    existing = IdempotencyRecord.objects.filter(user_key=user_key, key=key, scope=scope).first()
    if existing is None:
        raise _in_progress() from None
    if existing.request_hash != digest:
        raise CoreError(
            CoreErrorCode.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was used with a different request."
        ) from None
    if existing.status_code is None:
        raise _in_progress() from None
    response = Response(existing.response_body, status=existing.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _json_safe(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))
