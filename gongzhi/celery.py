"""Celery application.

With ``REDIS_URL`` set, tasks go to the broker and a worker runs them. Without it
(embedded mode) ``CELERY_TASK_ALWAYS_EAGER`` is on, so tasks run in-process, and
the schedule is driven by :mod:`gongzhi.core.scheduler` instead of celery beat.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.base")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
