"""Celery application.

With ``REDIS_URL`` set, tasks go to the broker and a worker runs them. Without it
(embedded mode) ``CELERY_TASK_ALWAYS_EAGER`` is on, so tasks run in-process, and
the schedule is driven by :mod:`gongzhi.core.scheduler` instead of celery beat.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.base")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(task: Any = None, **_: Any) -> None:
    """Around each task a worker runs, what Django does around each request: close the
    connection if it is broken or older than ``CONN_MAX_AGE``, else keep it. Celery's own
    fixup would close it every time (``CELERY_DB_REUSE_MAX`` in settings limits that); a new
    PostgreSQL connection per task was a tenth of the worker's time on intake. Eager tasks
    (embedded mode) run inside the caller's request or transaction: left alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@worker_ready.connect  # the worker itself (tasks run here with --pool solo or threads)
@worker_process_init.connect  # each prefork child
def _warm_up(**_kwargs: object) -> None:
    """Each worker process: keep start-up objects out of the garbage collector's full scans
    (see :mod:`gongzhi.core.runtime`)."""
    from gongzhi.core.runtime import warm_up

    warm_up()
