"""Ledger background jobs: the sequencer and the integrity check (see GONGZHI_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.core import context

MAX_BATCHES_PER_RUN = 200


@shared_task(name="gongzhi.ledger.tasks.seal_ledger", acks_late=True)
def seal_ledger() -> int:
    """Seal every queued event, batch by batch; returns the tree size reached. Idempotent."""
    from gongzhi.ledger.actions import drain
    from gongzhi.ledger.queries import get_tree_size
    from gongzhi.ledger.sequencer import run_sealing

    def one_pass() -> tuple[int, bool]:
        with context.acting_as(None, source="ledger-sequencer"):
            batches = drain(max_batches=MAX_BATCHES_PER_RUN)
        return batches, batches == MAX_BATCHES_PER_RUN

    run_sealing(one_pass)
    return get_tree_size()


@shared_task(name="gongzhi.ledger.tasks.check_ledger_integrity", acks_late=True)
def check_ledger_integrity() -> int:
    """Recompute the whole tree and compare it with stored nodes and signed checkpoints."""
    from gongzhi.ledger.integrity import check_integrity

    with context.acting_as(None, source="ledger-integrity"):
        return len(check_integrity(raise_alarms=True))
