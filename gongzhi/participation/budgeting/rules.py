"""Counting rules for participatory budgeting, in exact rational arithmetic — no Django here.

Two rules, defined exactly as pabutools 1.2.2 computes them (the test suite compares both on
many random instances; pabutools itself is GPL and never imported here):

``greedy_by_votes``
    Projects in decreasing order of votes (approval: number of approvers; cumulative: total
    points), each funded if it still fits in the remaining budget, otherwise skipped. Ties go
    to the smaller project key. A zero-cost project with votes comes first. This is
    pabutools' ``greedy_utilitarian_welfare`` with cost satisfaction (a voter's satisfaction
    from an approved project is its cost, so satisfaction per yuan = number of votes).

``equal_shares``
    The Method of Equal Shares (MES) with the **add1 completion followed by utilitarian greedy**
    (equalshares.net's "add1u"): the budget is split equally among all ballots; repeatedly the
    project that its supporters can pay for at the lowest price per unit of utility ``rho`` is
    funded, each supporter paying ``min(budget_i, rho·u_i)``. Utilities: approval ballots use
    cost utilities (``u_i = cost`` if approved: supporters pay equal shares), cumulative ballots
    use the points given. When no further project is affordable, every voter's budget is
    raised by ``increment`` (1 yuan) and MES is re-run, until the outcome is exhaustive (no
    supported project still fits) or would exceed the real budget — then the last feasible
    outcome is kept. Whatever budget remains is filled by ``greedy_by_votes``.
    This equals pabutools' ``completion_by_rule_combination(instance, profile,
    [method_of_equal_shares, greedy_utilitarian_welfare], [{"sat_class": S,
    "voter_budget_increment": 1}, {"sat_class": G}])`` with S = ``Cost_Sat`` (approval) or
    ``Additive_Cardinal_Sat`` (cumulative) and G = cost satisfaction (approval) or points x
    cost (cumulative).

Ties (equal ``rho`` or equal votes) go to the smaller project key, compared as strings; callers
choose keys that sort in the order they want ties broken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

BallotKind = Literal["approval", "cumulative"]


@dataclass(frozen=True)
class Candidate:
    """A project on the ballot: its key (tie-break order) and its cost in whole yuan."""

    key: str
    cost: int


@dataclass(frozen=True)
class Funded:
    key: str
    #: "equal_shares" (chosen by MES), "completion" (greedy fill-up) or "greedy".
    stage: str


@dataclass(frozen=True)
class Outcome:
    funded: list[Funded] = field(default_factory=list)
    #: Per-voter budget at which MES stopped (after the add1 increments); None for greedy.
    voter_budget: Fraction | None = None

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.funded]

    def total_cost(self, candidates: Iterable[Candidate]) -> int:
        costs = {c.key: c.cost for c in candidates}
        return sum(costs[k] for k in self.keys)


def _check(candidates: Sequence[Candidate], ballots: Sequence[Mapping[str, int]], budget: int) -> None:
    keys = [c.key for c in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("project keys must be unique")
    if budget < 0 or any(c.cost < 0 for c in candidates):
        raise ValueError("budget and costs must not be negative")
    known = set(keys)
    for ballot in ballots:
        for key, points in ballot.items():
            if key not in known:
                raise ValueError(f"ballot names an unknown project {key!r}")
            if points < 0:
                raise ValueError("points must not be negative")


def vote_totals(ballots: Iterable[Mapping[str, int]], kind: BallotKind) -> Counter[str]:
    """Approvals (approval) or points (cumulative) per project key."""
    totals: Counter[str] = Counter()
    for ballot in ballots:
        for key, points in ballot.items():
            if points > 0:
                totals[key] += 1 if kind == "approval" else points
    return totals


def greedy_by_votes(
    candidates: Sequence[Candidate],
    ballots: Sequence[Mapping[str, int]],
    budget: int,
    *,
    kind: BallotKind = "approval",
    already_funded: Sequence[str] = (),
    stage: str = "greedy",
) -> Outcome:
    """Fund projects by decreasing votes, skipping those that no longer fit."""
    _check(candidates, ballots, budget)
    totals = vote_totals(ballots, kind)
    funded_keys = set(already_funded)
    remaining = budget - sum(c.cost for c in candidates if c.key in funded_keys)
    open_projects = sorted((c for c in candidates if c.key not in funded_keys), key=lambda c: c.key)

    def density(c: Candidate) -> Fraction | float:
        votes = totals.get(c.key, 0)
        if votes > 0:
            return float("inf") if c.cost == 0 else Fraction(votes)
        return Fraction(0)

    order = sorted(open_projects, key=lambda c: -density(c))  # stable: key order on ties
    funded = [Funded(k, "equal_shares") for k in already_funded]
    for c in order:
        if c.cost <= remaining:
            funded.append(Funded(c.key, stage))
            remaining -= c.cost
    return Outcome(funded=funded)


@dataclass
class _Group:
    """Voters with identical ballots: they spend identically, so MES treats them as one
    group of ``size`` voters (exactly equivalent to treating them one by one)."""

    utilities: dict[str, Fraction]
    size: int
    budget: Fraction = Fraction(0)


def _affordability(
    project: Candidate, groups: list[_Group], supporters: list[int], total_utility: Fraction
) -> Fraction | None:
    """Smallest rho such that the sum of min(budget_i, rho*u_i) reaches the cost, or None when
    the supporters' money does not reach it."""
    key = project.key
    if sum(groups[g].size * groups[g].budget for g in supporters) < project.cost:
        return None  # cheap test first: most refusals late in a run are for lack of money
    if len({groups[g].utilities[key] for g in supporters}) == 1:
        # Equal utilities (approval ballots: the cost): budget order is budget/utility order.
        order = sorted(supporters, key=lambda g: groups[g].budget)
    else:
        order = sorted(supporters, key=lambda g: groups[g].budget / groups[g].utilities[key])
    remaining = Fraction(project.cost)
    denominator = total_utility
    for g in order:
        group = groups[g]
        utility = group.utilities[key]
        rho = remaining / denominator
        if rho * utility <= group.budget:
            return rho
        remaining -= group.size * group.budget
        denominator -= group.size * utility
    return None  # everyone pays all they have and the cost is still not covered


def _mes_round(
    projects: list[Candidate], groups: list[_Group], supporters: dict[str, list[int]], per_voter: Fraction
) -> list[str]:
    """One run of MES at a per-voter budget. Affordabilities are evaluated lazily, as pabutools
    does: budgets only shrink, so a project's last computed affordability (initially
    cost / total utility) is a lower bound, and projects whose bound exceeds the best
    affordability found in a round need no recomputation. The outcome is the same."""
    for group in groups:
        group.budget = per_voter
    bound: dict[str, Fraction] = {}
    totals: dict[str, Fraction] = {}
    for p in projects:
        totals[p.key] = sum((groups[g].size * groups[g].utilities[p.key] for g in supporters[p.key]), Fraction(0))
        bound[p.key] = Fraction(p.cost) / totals[p.key]
    remaining = list(projects)
    chosen: list[str] = []
    while True:
        remaining.sort(key=lambda p: (bound[p.key], p.key))
        best: tuple[Fraction, str] | None = None
        still: list[Candidate] = []
        for index, project in enumerate(remaining):
            if best is not None and bound[project.key] > best[0]:
                still.extend(remaining[index:])
                break
            rho = _affordability(project, groups, supporters[project.key], totals[project.key])
            if rho is None:
                continue  # budgets only shrink: never affordable again at this level
            bound[project.key] = rho
            still.append(project)
            if best is None or (rho, project.key) < best:
                best = (rho, project.key)
        if best is None:
            return chosen
        rho, key = best
        chosen.append(key)
        for g in supporters[key]:
            group = groups[g]
            group.budget -= min(group.budget, rho * group.utilities[key])
        remaining = [p for p in still if p.key != key]


def equal_shares(
    candidates: Sequence[Candidate],
    ballots: Sequence[Mapping[str, int]],
    budget: int,
    *,
    kind: BallotKind = "approval",
    increment: int | None = 1,
    complete: bool = True,
) -> Outcome:
    """Method of Equal Shares with add1 completion, then greedy fill-up (see module doc)."""
    _check(candidates, ballots, budget)
    n_ballots = len(ballots)
    if n_ballots == 0:
        outcome = Outcome(funded=[], voter_budget=None)
        return _complete(outcome, candidates, ballots, budget, kind) if complete else outcome

    by_key = {c.key: c for c in candidates}
    counted: Counter[tuple[tuple[str, int], ...]] = Counter(
        tuple(sorted((k, p) for k, p in ballot.items() if p > 0)) for ballot in ballots
    )
    groups: list[_Group] = []
    for items, size in counted.items():
        utilities = {k: Fraction(by_key[k].cost) if kind == "approval" else Fraction(points) for k, points in items}
        groups.append(_Group(utilities=utilities, size=size))
    supporters: dict[str, list[int]] = {c.key: [] for c in candidates}
    for index, group in enumerate(groups):
        for key in group.utilities:
            if group.utilities[key] > 0:
                supporters[key].append(index)

    initial: list[str] = []
    projects: list[Candidate] = []
    for c in candidates:
        total = sum(groups[g].size * groups[g].utilities[c.key] for g in supporters[c.key])
        if total > 0:
            if c.cost > 0:
                projects.append(c)
            else:
                initial.append(c.key)  # free and wanted: funded outright
    initial.sort()

    per_voter = Fraction(budget, n_ballots)
    previous = list(initial)
    level: Fraction | None = None
    while True:
        chosen = initial + _mes_round(projects, groups, supporters, per_voter)
        cost = sum(by_key[k].cost for k in chosen)
        if increment is not None and cost > budget:
            break  # over budget: keep the previous (feasible) outcome
        previous, level = chosen, per_voter
        chosen_set = set(chosen)
        if increment is None or all(p.key in chosen_set or p.cost + cost > budget for p in projects):
            break
        per_voter += increment

    outcome = Outcome(funded=[Funded(k, "equal_shares") for k in previous], voter_budget=level)
    if not complete:
        return outcome
    return _complete(outcome, candidates, ballots, budget, kind)


def _complete(
    outcome: Outcome,
    candidates: Sequence[Candidate],
    ballots: Sequence[Mapping[str, int]],
    budget: int,
    kind: BallotKind,
) -> Outcome:
    keys = set(outcome.keys)
    spent = sum(c.cost for c in candidates if c.key in keys)
    if all(c.key in keys or c.cost + spent > budget for c in candidates):
        return outcome
    filled = greedy_by_votes(candidates, ballots, budget, kind=kind, already_funded=outcome.keys, stage="completion")
    return Outcome(funded=outcome.funded + filled.funded[len(outcome.funded) :], voter_budget=outcome.voter_budget)
