"""Celery application.

With ``REDIS_URL`` set, tasks go to the broker and a worker runs them. Without it
(embedded mode) ``CELERY_TASK_ALWAYS_EAGER`` is on, so tasks run in-process, and
the schedule is driven by :mod:`gongzhi.core.scheduler` instead of celery beat.
"""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.base")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect  # the worker itself (tasks run here with --pool solo or threads)
@worker_process_init.connect  # each prefork child
def _warm_up(**_kwargs: object) -> None:
    """Each worker process: keep start-up objects out of the garbage collector's full scans
    (see :mod:`gongzhi.core.runtime`)."""
    from gongzhi.core.runtime import warm_up

    warm_up()
