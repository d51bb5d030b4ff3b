"""The in-process scheduler for embedded mode (no Redis, no celery beat).

It runs each entry of ``settings.GONGZHI_SCHEDULE`` on its interval in one daemon
thread inside the web process. Production uses celery beat with the same table.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
_started = False
_lock = threading.Lock()


def run_due(last_run: dict[str, float], now: float) -> list[str]:
    """Run every entry whose interval has passed; returns the names run. Exceptions are logged."""
    ran = []
    for name, (task_path, seconds) in settings.GONGZHI_SCHEDULE.items():
        if now - last_run.get(name, 0.0) < seconds:
            continue
        last_run[name] = now
        try:
            task = import_string(task_path)
            (task.apply if hasattr(task, "apply") else task)()
            ran.append(name)
        except Exception:  # a failing job must not stop the others
            logger.exception("scheduled job %s failed", name)
    return ran


def _loop(stop: threading.Event) -> None:
    from gongzhi.core import context

    last_run: dict[str, float] = {}
    stop.wait(5)  # let the server finish starting
    while not stop.is_set():
        with context.acting_as(None, source="scheduler"):
            run_due(last_run, time.monotonic())
        stop.wait(10)


def start_if_configured() -> threading.Event | None:
    """Start the thread once, in the serving process only (not in manage.py migrate, tests …)."""
    global _started
    if not settings.GONGZHI_RUN_SCHEDULER:
        return None
    # Under runserver's autoreloader only the child (RUN_MAIN) serves; with --noreload the one process does.
    runserver = "runserver" in sys.argv and (os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv)
    serving = runserver or os.environ.get("GONGZHI_SERVE_SCHEDULER") == "1"
    if not serving:
        return None
    with _lock:
        if _started:
            return None
        _started = True
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="gongzhi-scheduler", daemon=True).start()
    logger.info("in-process scheduler started with %d jobs", len(settings.GONGZHI_SCHEDULE))
    return stop
