"""Who may do what in participatory budgeting.

Processes, projects and results are public (readable without login, no personal data);
these policies answer the write side and the scoped API reads.
"""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.participation.budgeting.choices import Phase, ProjectStatus
from gongzhi.participation.budgeting.models import BudgetProcess, BudgetProject


def _grant_reaches(user: Any, perm: str, area_path: str, *, residents: bool = False) -> bool:
    """A grant carrying ``perm`` covers ``area_path``. For residents, a grant on a smaller
    area inside the process's area also counts (a resident of grid G1 votes in community C1)."""
    if not getattr(user, "is_authenticated", False):
        return False
    for g in grants_with_permission(user, perm):
        grant_path = g.area_path or ""
        if area_path.startswith(grant_path) or (residents and grant_path.startswith(area_path)):
            return True
    return False


def is_eligible_voter(user: Any, process: BudgetProcess) -> bool:
    """A resident of the process's area (by their resident role grant)."""
    return _grant_reaches(user, permission_name(BudgetProcess, "vote"), process.area_path, residents=True)


class BudgetProcessPolicy(Policy):
    model = BudgetProcess

    @classmethod
    def can_add(cls, user: Any, obj: Any = None) -> bool:
        return cls.has_permission(user, "add")

    @classmethod
    def can_manage(cls, user: Any, process: BudgetProcess | None) -> bool:
        """Advance the phase and tally: staff whose grant covers the process's area."""
        if process is None:
            return cls.has_permission(user, "manage")
        return _grant_reaches(user, permission_name(BudgetProcess, "manage"), process.area_path)

    @classmethod
    def can_propose(cls, user: Any, process: BudgetProcess | None) -> bool:
        if process is None:
            return cls.has_permission(user, "propose")
        return process.phase == Phase.PROPOSALS and _grant_reaches(
            user, permission_name(BudgetProcess, "propose"), process.area_path, residents=True
        )

    @classmethod
    def can_vote(cls, user: Any, process: BudgetProcess | None) -> bool:
        if process is None:
            return cls.has_permission(user, "vote")
        return process.phase == Phase.VOTING and process.counting_since is None and is_eligible_voter(user, process)

    @classmethod
    def can_vote_on_behalf(cls, user: Any, process: BudgetProcess | None) -> bool:
        if process is None:
            return cls.has_permission(user, "vote_on_behalf")
        return (
            process.phase == Phase.VOTING
            and process.counting_since is None
            and _grant_reaches(
                user, permission_name(BudgetProcess, "vote_on_behalf"), process.area_path, residents=True
            )
        )

    @classmethod
    def can_ballot(cls, user: Any, process: BudgetProcess | None) -> bool:
        """Cast one's own ballot, or enter one for a resident (staff-assisted)."""
        return cls.can_vote(user, process) or cls.can_vote_on_behalf(user, process)


class BudgetProjectPolicy(Policy):
    model = BudgetProject

    @classmethod
    def can_review(cls, user: Any, project: BudgetProject | None) -> bool:
        if project is None:
            return cls.has_permission(user, "review")
        return project.status in {ProjectStatus.SUBMITTED, ProjectStatus.FEASIBLE, ProjectStatus.INFEASIBLE} and (
            _grant_reaches(user, permission_name(BudgetProject, "review"), project.area_path)
        )
