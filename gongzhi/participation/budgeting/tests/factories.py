"""Budgeting test data other domains can import. Text may be hostile on purpose."""

from __future__ import annotations

from typing import Any

from gongzhi.participation.budgeting import actions
from gongzhi.participation.budgeting.models import BudgetProcess, BudgetProject

HOSTILE_TITLE = "<script>alert('pb')</script> 加装电梯🚀" + "长" * 150


def process_in_voting(world: Any, *, costs: tuple[int, ...] = (100, 100, 100, 100), **settings: Any) -> BudgetProcess:
    """A process for community C1 with feasible projects of the given costs, in the voting phase."""
    staff = world.community_worker_c1
    process = actions.create_process(
        world.c1, title="2026年科苑社区微实事", budget=settings.pop("budget", 300), actor=staff, **settings
    )
    for i, cost in enumerate(costs):
        project = actions.propose_project(process, title=f"项目{i + 1}", actor=world.resident_c1)
        actions.review_project(project, feasible=True, estimated_cost=cost, actor=staff)
    actions.advance_phase(process, actor=staff)
    return actions.advance_phase(process, actor=staff)


def projects(process: BudgetProcess) -> list[BudgetProject]:
    return list(process.projects.order_by("pk"))
