"""The in-process scheduler of embedded mode (gongzhi.core.scheduler)."""

from __future__ import annotations

import logging
import sys

import pytest
from celery import shared_task
from django.core.cache import cache

from gongzhi.core import scheduler, tasks

CALLS: list[str] = []


def plain_job() -> None:
    CALLS.append("plain")


def failing_job() -> None:
    raise RuntimeError("boom")


@shared_task(name="gongzhi.core.tests.test_scheduler.celery_job")
def celery_job() -> str:
    CALLS.append("celery")
    return "done"


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


def _schedule(settings, **entries: tuple[str, float]) -> None:
    settings.GONGZHI_SCHEDULE = entries


def test_run_due_runs_every_job_the_first_time_and_records_when(settings) -> None:
    # given
    _schedule(
        settings,
        plain=(f"{__name__}.plain_job", 60.0),
        celery=(f"{__name__}.celery_job", 30.0),
    )
    last_run: dict[str, float] = {}

    # when
    ran = scheduler.run_due(last_run, now=1000.0)

    # then
    assert ran == ["plain", "celery"]
    assert CALLS == ["plain", "celery"]
    assert last_run == {"plain": 1000.0, "celery": 1000.0}


def test_run_due_waits_for_each_jobs_own_interval(settings) -> None:
    # given both ran at t=1000
    _schedule(settings, plain=(f"{__name__}.plain_job", 60.0), celery=(f"{__name__}.celery_job", 30.0))
    last_run = {"plain": 1000.0, "celery": 1000.0}

    # when / then: at t=1029 nothing is due, at t=1030 only the 30-second job, at t=1060 both
    assert scheduler.run_due(last_run, now=1029.0) == []
    assert scheduler.run_due(last_run, now=1030.0) == ["celery"]
    assert scheduler.run_due(last_run, now=1060.0) == ["plain", "celery"]
    assert CALLS == ["celery", "plain", "celery"]


def test_a_failing_job_is_logged_and_does_not_stop_the_others(settings, caplog) -> None:
    # given
    _schedule(settings, bad=(f"{__name__}.failing_job", 10.0), plain=(f"{__name__}.plain_job", 10.0))
    last_run: dict[str, float] = {}

    # when
    with caplog.at_level(logging.ERROR, logger="gongzhi.core.scheduler"):
        ran = scheduler.run_due(last_run, now=50.0)

    # then: the failure is not retried before its interval either
    assert ran == ["plain"]
    assert last_run["bad"] == 50.0
    assert "scheduled job bad failed" in caplog.text


def test_every_configured_job_imports(settings) -> None:
    from django.utils.module_loading import import_string

    for name, (path, seconds) in settings.GONGZHI_SCHEDULE.items():
        assert callable(import_string(path)), name
        assert seconds > 0


def test_heartbeat_records_its_time_in_the_cache() -> None:
    # when
    stamp = tasks.heartbeat()

    # then
    assert cache.get("gongzhi:scheduler:heartbeat") == stamp


def test_scheduler_starts_only_in_a_serving_process_when_configured(settings, monkeypatch) -> None:
    # given the thread start is observed, not run
    started: list[str] = []
    monkeypatch.setattr(
        scheduler.threading, "Thread", lambda **kw: type("T", (), {"start": lambda s: started.append(kw["name"])})()
    )
    monkeypatch.setattr(scheduler, "_started", False)

    # when switched off, or not serving (tests, migrate), then nothing starts
    settings.GONGZHI_RUN_SCHEDULER = False
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver", "--noreload"])
    assert scheduler.start_if_configured() is None
    settings.GONGZHI_RUN_SCHEDULER = True
    monkeypatch.setattr(sys, "argv", ["manage.py", "migrate"])
    monkeypatch.delenv("GONGZHI_SERVE_SCHEDULER", raising=False)
    assert scheduler.start_if_configured() is None
    assert started == []

    # when serving with runserver --noreload, it starts once
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver", "--noreload", "127.0.0.1:8123"])
    assert scheduler.start_if_configured() is not None
    assert scheduler.start_if_configured() is None
    assert started == ["gongzhi-scheduler"]


def test_the_core_app_runs_its_own_config_so_the_scheduler_can_start() -> None:
    from django.apps import apps

    from gongzhi.core.apps import CoreConfig

    # apps.py also defines DomainConfig; without CoreConfig.default Django used a plain
    # AppConfig and CoreConfig.ready (which starts the embedded scheduler) never ran.
    assert type(apps.get_app_config("core")) is CoreConfig
