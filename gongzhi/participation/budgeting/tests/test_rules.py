"""The counting rules, compared with pabutools 1.2.2 (GPL, a test-only oracle) on random instances."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from gongzhi.participation.budgeting.rules import Candidate, equal_shares, greedy_by_votes, vote_totals

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    Additive_Cardinal_Sat,
    AdditiveSatisfaction,
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    Project,
)
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)


def _points_cost(instance, profile, ballot, project, precomputed):  # type: ignore[no-untyped-def]
    return ballot.get(project, 0) * project.cost


class PointsCostSat(AdditiveSatisfaction):
    """Greedy by points: satisfaction per yuan equals the points a project received."""

    def __init__(self, instance, profile, ballot):  # type: ignore[no-untyped-def]
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _points_cost)


def _random_instance(rng: random.Random, kind: str):  # type: ignore[no-untyped-def]
    n_projects = rng.randint(1, 8)
    candidates = [
        Candidate(key=f"p{i:02d}", cost=rng.choice([0, *range(1, 120)]) if rng.random() < 0.1 else rng.randint(1, 120))
        for i in range(n_projects)
    ]
    budget = rng.randint(0, 300)
    ballots: list[dict[str, int]] = []
    for _ in range(rng.randint(0, 25)):
        chosen = rng.sample([c.key for c in candidates], rng.randint(0, n_projects))
        if kind == "approval":
            ballots.append(dict.fromkeys(chosen, 1))
        else:
            ballots.append({k: rng.randint(1, 5) for k in chosen})
    return candidates, ballots, budget


def _pabutools(candidates, ballots, budget, kind):  # type: ignore[no-untyped-def]
    projects = {c.key: Project(c.key, c.cost) for c in candidates}
    instance = Instance(projects.values(), budget_limit=budget)
    if kind == "approval":
        profile = ApprovalProfile([ApprovalBallot({projects[k] for k in b}) for b in ballots], instance=instance)
        mes_sat, greedy_sat = Cost_Sat, Cost_Sat
    else:
        profile = CumulativeProfile(
            [CumulativeBallot({projects[k]: p for k, p in b.items()}) for b in ballots], instance=instance
        )
        mes_sat, greedy_sat = Additive_Cardinal_Sat, PointsCostSat
    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=greedy_sat)
    mes = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": mes_sat, "voter_budget_increment": 1}, {"sat_class": greedy_sat}],
    )
    mes_only = method_of_equal_shares(instance, profile, sat_class=mes_sat, voter_budget_increment=1)
    return {p.name for p in greedy}, {p.name for p in mes}, {p.name for p in mes_only}


@pytest.mark.parametrize("kind", ["approval", "cumulative"])
def test_both_rules_equal_pabutools_on_random_instances(kind: str) -> None:
    rng = random.Random(f"pb-{kind}")
    checked = 0
    for _ in range(250):
        candidates, ballots, budget = _random_instance(rng, kind)
        want_greedy, want_mes, want_mes_only = _pabutools(candidates, ballots, budget, kind)
        assert set(greedy_by_votes(candidates, ballots, budget, kind=kind).keys) == want_greedy
        ours = equal_shares(candidates, ballots, budget, kind=kind)
        assert set(ours.keys) == want_mes, (candidates, ballots, budget)
        only = equal_shares(candidates, ballots, budget, kind=kind, complete=False)
        assert set(only.keys) == want_mes_only
        assert ours.total_cost(candidates) <= budget
        checked += 1
    assert checked == 250


def test_equal_shares_differs_from_greedy_on_a_majority_minority_instance() -> None:
    # 60 residents want three playground projects; 40 want the elderly canteen.
    candidates = [
        Candidate("a-playground-1", 100),
        Candidate("b-playground-2", 100),
        Candidate("c-playground-3", 100),
        Candidate("d-canteen", 100),
    ]
    ballots = [dict.fromkeys(["a-playground-1", "b-playground-2", "c-playground-3"], 1)] * 60 + [{"d-canteen": 1}] * 40
    assert greedy_by_votes(candidates, ballots, 300).keys == ["a-playground-1", "b-playground-2", "c-playground-3"]
    outcome = equal_shares(candidates, ballots, 300)
    assert "d-canteen" in outcome.keys
    assert [f.stage for f in outcome.funded].count("equal_shares") >= 3


def test_ties_go_to_the_smaller_key_and_skipped_projects_do_not_block() -> None:
    candidates = [Candidate("b", 60), Candidate("a", 60), Candidate("c", 30)]
    ballots = [{"a": 1, "b": 1, "c": 1}]
    assert greedy_by_votes(candidates, ballots, 100).keys == ["a", "c"]


def test_vote_totals_and_cumulative_points() -> None:
    ballots = [{"x": 3, "y": 2}, {"x": 1}]
    assert vote_totals(ballots, "cumulative") == {"x": 4, "y": 2}
    assert vote_totals(ballots, "approval") == {"x": 2, "y": 1}
    outcome = equal_shares([Candidate("x", 50), Candidate("y", 50)], ballots, 60, kind="cumulative")
    assert outcome.keys == ["x"]
    assert outcome.voter_budget is not None
    assert outcome.voter_budget >= Fraction(30)


@pytest.mark.parametrize(
    ("candidates", "ballots", "budget", "message"),
    [
        ([Candidate("a", 1), Candidate("a", 2)], [], 10, "unique"),
        ([Candidate("a", -1)], [], 10, "negative"),
        ([Candidate("a", 1)], [{"zz": 1}], 10, "unknown project"),
        ([Candidate("a", 1)], [{"a": -2}], 10, "points"),
    ],
)
def test_bad_input_is_refused(candidates, ballots, budget, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        equal_shares(candidates, ballots, budget)
