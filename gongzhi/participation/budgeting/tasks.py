"""Background counting of participatory-budgeting votes (registered in settings.GONGZHI_SCHEDULE).

A Method of Equal Shares count of a large round takes seconds (exact rational arithmetic, see
``rules``), so closing the voting only marks the process and this task counts it. Two runs at
once are safe: ``actions.tally_process`` locks the process row, and the second finds it already
in the results phase."""

from __future__ import annotations

import logging

from celery import shared_task

from gongzhi.core import context
from gongzhi.participation.budgeting import actions
from gongzhi.participation.budgeting.choices import Phase
from gongzhi.participation.budgeting.errors import BudgetingError
from gongzhi.participation.budgeting.models import BudgetProcess

logger = logging.getLogger(__name__)


@shared_task(name="gongzhi.participation.budgeting.tasks.count_ballots", acks_late=True)
def count_ballots(process_id: int) -> bool:
    """Count one closed process; False when there was nothing (left) to count."""
    process = (
        BudgetProcess.objects.filter(pk=process_id, phase=Phase.VOTING, counting_since__isnull=False)
        .select_related("counting_by")
        .first()
    )
    if process is None:
        return False
    with context.acting_as(process.counting_by, source="task:count_ballots"):
        try:
            actions.tally_process(process, actor=process.counting_by)
        except BudgetingError as err:  # counted meanwhile by another run
            logger.info("budget process %s not counted: %s", process_id, err.code)
            return False
    return True


@shared_task(name="gongzhi.participation.budgeting.tasks.count_closed_votes", acks_late=True)
def count_closed_votes() -> int:
    """Scheduled: count every process whose voting was closed but is not counted yet (a lost
    worker, a failed nudge)."""
    pending = BudgetProcess.objects.filter(phase=Phase.VOTING, counting_since__isnull=False).values_list(
        "pk", flat=True
    )
    return sum(count_ballots(pk) for pk in list(pending))
