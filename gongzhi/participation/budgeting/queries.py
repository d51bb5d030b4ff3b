"""Reads for participatory budgeting. Public reads expose no personal data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.participation.budgeting.choices import ProjectStatus
from gongzhi.participation.budgeting.models import Ballot, BudgetProcess, BudgetProject


def list_public_processes() -> QuerySet[BudgetProcess]:
    """Every process, for the public pages (titles, areas, budgets, phases: nothing personal)."""
    return BudgetProcess.objects.select_related("area").order_by("-created_at", "-id")


def list_ballot_projects(process: BudgetProcess) -> QuerySet[BudgetProject]:
    """The projects residents can vote on."""
    return process.projects.filter(status=ProjectStatus.FEASIBLE).order_by("pk")


def list_public_projects(process: BudgetProcess) -> QuerySet[BudgetProject]:
    """Projects as the public sees them: proposer, review note of refused projects included
    (the note is the committee's, not personal), never who voted for what."""
    return process.projects.order_by("-votes", "pk")


def get_ballot(process: BudgetProcess, user: Any) -> Ballot | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Ballot.objects.filter(process=process, voter=user).first()
