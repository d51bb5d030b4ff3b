"""Pages of participatory budgeting. Process pages and results are public; writes call actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.access.queries import grants_with_permission
from gongzhi.accounts.choices import AccountKind
from gongzhi.core.errors import DomainError
from gongzhi.participation.budgeting import actions, forms, queries
from gongzhi.participation.budgeting.choices import BallotKind, Phase, ProjectStatus
from gongzhi.participation.budgeting.models import BudgetProcess, BudgetProject
from gongzhi.participation.budgeting.permissions import BudgetProcessPolicy, BudgetProjectPolicy
from gongzhi.territory.models import Area


def _error(request: HttpRequest, err: DomainError) -> None:
    messages.error(request, f"{err.detail} ({err.code})")


def process_list(request: HttpRequest) -> HttpResponse:
    processes = list(queries.list_public_processes()[:100])
    can_add = BudgetProcessPolicy.can_add(request.user)
    return render(request, "participation_budgeting/list.html", {"processes": processes, "can_add": can_add})


def _manageable_areas(user: Any) -> Any:
    paths = [g.area_path for g in grants_with_permission(user, "participation_budgeting.add_budgetprocess")]
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path__startswith=p or "")
    return Area.objects.filter(q).order_by("path")


@login_required
def process_new(request: HttpRequest) -> HttpResponse:
    if not BudgetProcessPolicy.can_add(request.user):
        raise PermissionDenied
    form = forms.ProcessForm(request.POST or None, areas=_manageable_areas(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            process = actions.create_process(
                data["area"],
                title=data["title"],
                description=data["description"],
                budget=data["budget"],
                ballot_kind=data["ballot_kind"],
                max_choices=data["max_choices"],
                points_per_voter=data["points_per_voter"],
                counting_rule=data["counting_rule"],
                requires_verified=data["requires_verified"],
                actor=request.user,
            )
        except DomainError as err:
            _error(request, err)
        else:
            return redirect("participation_budgeting:detail", pk=process.pk)
    return render(request, "participation_budgeting/new.html", {"form": form})


def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_object_or_404(queries.list_public_processes(), pk=pk)
    user = request.user
    projects = list(queries.list_public_projects(process).select_related("process"))
    ballot_projects = [p for p in projects if p.status == ProjectStatus.FEASIBLE]
    ballot_projects.sort(key=lambda p: p.pk)
    can_manage = BudgetProcessPolicy.can_manage(user, process)
    funded = [p for p in projects if p.status == ProjectStatus.FUNDED]
    context = {
        "process": process,
        "projects": projects,
        "ballot_projects": ballot_projects,
        "funded": funded,
        "funded_total": sum(p.estimated_cost or 0 for p in funded),
        "my_ballot": queries.get_ballot(process, user),
        "can_vote": BudgetProcessPolicy.can_vote(user, process),
        "can_vote_on_behalf": BudgetProcessPolicy.can_vote_on_behalf(user, process),
        "can_propose": BudgetProcessPolicy.can_propose(user, process),
        "can_manage": can_manage,
        "can_review": can_manage
        and process.phase in {Phase.PROPOSALS, Phase.REVIEW}
        and BudgetProjectPolicy.has_permission(user, "review"),
        "cumulative": process.ballot_kind == BallotKind.CUMULATIVE,
        "proposal_form": forms.ProposalForm(),
        "is_results": process.phase in {Phase.RESULTS, Phase.IMPLEMENTATION},
        "counting": process.phase == Phase.VOTING and process.counting_since is not None,
        "phases": Phase.choices,
    }
    return render(request, "participation_budgeting/detail.html", context)


def _process_for(request: HttpRequest, pk: int) -> BudgetProcess:
    return get_object_or_404(BudgetProcess.objects.all(), pk=pk)


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process_for(request, pk)
    if not BudgetProcessPolicy.can_propose(request.user, process):
        raise PermissionDenied
    form = forms.ProposalForm(request.POST)
    if form.is_valid():
        try:
            actions.propose_project(
                process,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
            messages.success(request, gettext("Thank you: your project was submitted for review."))
        except DomainError as err:
            _error(request, err)
    else:
        messages.error(request, gettext("Please give the project a title (at most 200 characters)."))
    return redirect("participation_budgeting:detail", pk=pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(BudgetProject.objects.select_related("process"), pk=pk)
    if not BudgetProjectPolicy.can_review(request.user, project):
        raise PermissionDenied
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.review_project(
                project,
                feasible=form.cleaned_data["feasible"],
                estimated_cost=form.cleaned_data["estimated_cost"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
            messages.success(request, gettext("Review saved."))
        except DomainError as err:
            _error(request, err)
    else:
        messages.error(request, gettext("Check the review: the cost must be a whole number of yuan."))
    return redirect("participation_budgeting:detail", pk=project.process_id)


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process_for(request, pk)
    voter: Any = request.user
    phone = request.POST.get("resident_phone", "").strip()
    if phone:  # staff enter the ballot of a resident without a phone (recorded with them as proxy)
        if not BudgetProcessPolicy.can_vote_on_behalf(request.user, process):
            raise PermissionDenied
        voter = get_user_model().objects.filter(phone=phone, kind=AccountKind.RESIDENT, is_active=True).first()
        if voter is None:
            messages.error(request, gettext("No resident account has this phone number."))
            return redirect("participation_budgeting:detail", pk=pk)
    elif not BudgetProcessPolicy.can_vote(request.user, process):
        raise PermissionDenied
    ids = list(queries.list_ballot_projects(process).values_list("pk", flat=True))
    choices = forms.parse_ballot(request.POST, ids, cumulative=process.ballot_kind == BallotKind.CUMULATIVE)
    if choices is None:
        messages.error(request, gettext("Points must be whole numbers."))
        return redirect("participation_budgeting:detail", pk=pk)
    try:
        actions.cast_ballot(process, voter=voter, choices=choices, actor=request.user)
        if phone:
            messages.success(request, gettext("The resident's vote was recorded, entered by you as proxy."))
        else:
            messages.success(request, gettext("Your vote was recorded."))
    except DomainError as err:
        _error(request, err)
    return redirect("participation_budgeting:detail", pk=pk)


@login_required
@require_POST
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process_for(request, pk)
    if not BudgetProcessPolicy.can_manage(request.user, process):
        raise PermissionDenied
    try:
        actions.advance_phase(process, actor=request.user)
    except DomainError as err:
        _error(request, err)
    return redirect("participation_budgeting:detail", pk=pk)


@login_required
@require_POST
def tally(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process_for(request, pk)
    if not BudgetProcessPolicy.can_manage(request.user, process):
        raise PermissionDenied
    try:
        actions.close_voting(process, actor=request.user)
        messages.success(request, gettext("Voting is closed. The votes are being counted; the results appear here."))
    except DomainError as err:
        _error(request, err)
    return redirect("participation_budgeting:detail", pk=pk)
