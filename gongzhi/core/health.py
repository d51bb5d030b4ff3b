"""Liveness (/healthz) and readiness (/readyz: database, cache, broker)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("gongzhi:readyz", "1", timeout=10)
    return "ok" if cache.get("gongzhi:readyz") == "1" else "cache read-back failed"


def _check_broker() -> str:
    if settings.EMBEDDED_MODE:
        return "in-process"
    from gongzhi.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # report, never raise: this endpoint is for load balancers
            checks[name] = f"error: {type(exc).__name__}"
    ok = all(v in ("ok", "in-process") for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)
