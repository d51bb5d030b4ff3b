"""/healthz (alive) and /readyz (database, cache, broker)."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from gongzhi.celery import app
from gongzhi.core import health

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_database_cache_and_in_process_broker_in_embedded_mode(client, settings):
    settings.EMBEDDED_MODE = True

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "in-process"}}
    assert "no-cache" in response["Cache-Control"]


class _BrokenCache:
    def set(self, *args, **kwargs):
        return None

    def get(self, *args, **kwargs):
        return None


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("database is down")


def test_readyz_is_503_when_the_cache_fails(client, settings, monkeypatch):
    settings.EMBEDDED_MODE = True
    monkeypatch.setattr(health, "cache", _BrokenCache())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["cache"] == "cache read-back failed"


def test_readyz_is_503_when_the_database_fails(client, settings, monkeypatch):
    settings.EMBEDDED_MODE = True
    monkeypatch.setattr(health, "connection", _BrokenConnection())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_readyz_is_503_when_the_broker_is_unreachable(client, settings, monkeypatch):
    # given production mode whose broker refuses connections
    settings.EMBEDDED_MODE = False

    class _Refusing:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(app, "connection_for_write", lambda: _Refusing())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error: ConnectionRefusedError"
    assert response.json()["checks"]["database"] == "ok"
