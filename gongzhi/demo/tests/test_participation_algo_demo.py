"""The budgeting and opinion demo: a tallied round, an open round and a computed opinion map."""

import dataclasses
import random

import pytest

from gongzhi.demo.participation_algo_demo import seed_participation
from gongzhi.demo.seeding import SIZES, seed_demo
from gongzhi.participation.budgeting.choices import Phase, ProjectStatus
from gongzhi.participation.budgeting.models import BudgetProcess
from gongzhi.participation.opinion.models import OpinionMapSnapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_demo_has_a_round_counted_by_equal_shares_an_open_round_and_a_map():
    seed_demo(dataclasses.replace(SIZES["small"], requests=0), seed=1)

    counts = seed_participation(rng=random.Random(1))

    assert counts["pb_processes"] == 2
    done = BudgetProcess.objects.get(phase=Phase.RESULTS)
    assert done.counting_rule == "equal_shares"
    funded = done.projects.filter(status=ProjectStatus.FUNDED)
    assert funded.exists()
    assert sum(p.estimated_cost for p in funded) <= done.budget
    assert BudgetProcess.objects.filter(phase=Phase.VOTING).count() == 1
    snapshot = OpinionMapSnapshot.objects.get()
    assert snapshot.groups >= 2
    assert snapshot.data["consensus_agree"]
