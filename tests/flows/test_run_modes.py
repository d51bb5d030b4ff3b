"""Run modes (DESIGN §4): the same code in embedded mode (no Redis, in-process tasks and
scheduler) and in production mode (Redis cache and broker, celery beat)."""

from __future__ import annotations

import pytest
from django.conf import settings

from gongzhi.celery import app

pytestmark = pytest.mark.django_db


def test_readyz_reports_the_configured_broker(client) -> None:
    # given whichever mode this run is configured for (.ci/run sets REDIS_URL, make test does not)
    expected_broker = "in-process" if settings.EMBEDDED_MODE else "ok"

    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": expected_broker}


def test_mode_follows_redis_url() -> None:
    # Embedded mode exactly when there is no Redis; the broker then is in memory.
    assert settings.EMBEDDED_MODE is (not settings.REDIS_URL)
    if settings.EMBEDDED_MODE:
        assert settings.CELERY_BROKER_URL == "memory://"
    else:
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL


def test_tests_run_tasks_eagerly_in_every_mode() -> None:
    assert app.conf.task_always_eager is True
    assert settings.GONGZHI_RUN_SCHEDULER is False


def test_celery_beat_schedule_mirrors_the_embedded_schedule() -> None:
    # celery beat (production) and gongzhi.core.scheduler (embedded) run the same table
    beat = {
        name: (entry["task"], entry["schedule"].total_seconds())
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    assert beat == settings.GONGZHI_SCHEDULE
    app.loader.import_default_modules()  # what a worker does at start: autodiscover <app>.tasks
    for task_path, _ in settings.GONGZHI_SCHEDULE.values():
        assert task_path in app.tasks, f"{task_path} is not a registered celery task"
