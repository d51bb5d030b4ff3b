"""Jobs of the residents domain: the daily retention run (registered in settings.GONGZHI_SCHEDULE)
and background imports of uploaded files."""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connection

from gongzhi.core import context
from gongzhi.residents import actions

logger = logging.getLogger(__name__)


@shared_task(name="gongzhi.residents.tasks.apply_retention", acks_late=True)
def apply_retention() -> dict[str, int]:
    """Delete or anonymise what is past its retention period. Idempotent: a repeated or
    concurrent run finds nothing left; legal holds are respected."""
    with context.acting_as(None, source="task:apply_retention"):
        run = actions.apply_retention()
    return dict(run.counts)


@shared_task(name="gongzhi.residents.tasks.run_import", acks_late=True)
def run_import_task(batch_id: int) -> str:
    """Run a queued import set (see :func:`gongzhi.residents.importer.run_queued_import`).
    ``acks_late``: a task lost with its worker is delivered again; the set's row lock and
    status make a second delivery (or a duplicate) do nothing unless the first run is dead."""
    from gongzhi.residents.importer import run_queued_import  # the importer imports actions, which import us lazily

    with context.acting_as(None, source=f"task:run_import:{batch_id}"):
        return run_queued_import(batch_id)


def _run_in_thread(batch_id: int) -> None:
    try:
        run_import_task.apply(args=(batch_id,))
    except Exception:  # the run records its own failures; this is the last resort
        logger.exception("background import %s crashed", batch_id)
    finally:
        connection.close()  # this thread's own connection


def enqueue_import(batch_id: int) -> None:
    """Schedule the run of an import set (called after commit). Server mode: a Celery task.
    Embedded mode (no worker, ``GONGZHI_IMPORT_THREAD``): a daemon thread of the web process,
    so the request that uploaded the file answers at once."""
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.GONGZHI_IMPORT_THREAD:
        threading.Thread(
            target=_run_in_thread, args=(batch_id,), name=f"gongzhi-import-{batch_id}", daemon=True
        ).start()
    else:
        run_import_task.delay(batch_id)
