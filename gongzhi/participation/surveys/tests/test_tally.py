import datetime as dt

import pytest

from gongzhi.participation.surveys import actions, tally
from gongzhi.participation.surveys.errors import SurveyError
from gongzhi.participation.surveys.models import Survey
from gongzhi.participation.surveys.tests import factories as f


def _answer_many(world, s, plan):
    """plan: list of (grid, born, choice, scale)."""
    for i, (grid, born, choice, scale) in enumerate(plan):
        user = f.resident(world, f"r{i}", grid=grid, born=born)
        actions.submit_response(
            s, actor=user, answers=f.answers(s, choice=choice, scale=scale, reasons=[0] if choice == 1 else None)
        )


def test_totals_percentages_and_scale_mean(world):
    s = f.survey(world, anonymous=False)
    _answer_many(
        world,
        s,
        [
            (world.g1, dt.date(1950, 1, 1), 0, 5),
            (world.g1, dt.date(1990, 1, 1), 0, 3),
            (world.g2, dt.date(1990, 1, 1), 1, 1),
        ],
    )
    result = tally.results(Survey.objects.get(pk=s.pk))
    q1, q2, q3, _ = result["questions"]
    assert result["responses"] == 3
    assert [(o["count"], o["pct"]) for o in q1["options"]] == [(2, 66.7), (1, 33.3), (0, 0.0)]
    assert q2["answered"] == 1
    assert q2["options"][0]["count"] == 1
    assert q3["mean"] == 3.0
    assert [d["count"] for d in q3["distribution"]] == [1, 0, 1, 0, 1]


def test_breakdown_suppresses_small_groups_and_one_more(world):
    s = f.survey(world, min_group_size=3)
    g1_old, g1_young, g2 = (
        (world.g1, dt.date(1950, 1, 1)),
        (world.g1, dt.date(1995, 1, 1)),
        (world.g2, dt.date(1970, 1, 1)),
    )
    # grid G1: 5 responses, grid G2: 2 (< k)
    _answer_many(world, s, [(*g1_old, 0, 5)] * 3 + [(*g1_young, 1, 2)] * 2 + [(*g2, 2, 4)] * 2)
    actions.close_survey(s, actor=world.community_worker_c1)
    by_area = tally.breakdown(Survey.objects.get(pk=s.pk), "area")
    # G2 is below k; as the only small group it would be recoverable as total - G1, so G1 goes too
    assert by_area["groups"] == []
    assert by_area["suppressed_groups"] == 2
    by_age = tally.breakdown(Survey.objects.get(pk=s.pk), "age_group")
    keys = {g["key"]: g["responses"] for g in by_age["groups"]}
    assert keys == {"60-79": 3}  # "18-34" (2) and "35-59" (2) suppressed
    q1 = str(s.questions.get(position=1).pk)
    assert by_age["questions"][q1]["60-79"] == {"answered": 3, "0": 3}
    # the conditional question was answered by 2 in "18-34" only: nothing of it is shown
    q2 = str(s.questions.get(position=2).pk)
    assert by_age["questions"].get(q2, {}) == {}


def test_breakdown_shows_groups_at_the_threshold(world):
    s = f.survey(world, min_group_size=2, anonymous=False)
    _answer_many(world, s, [(world.g1, dt.date(1950, 1, 1), 0, 5)] * 2 + [(world.g2, dt.date(1950, 1, 1), 2, 1)] * 2)
    data = tally.breakdown(Survey.objects.get(pk=s.pk), "area")
    assert {g["label"]: g["responses"] for g in data["groups"]} == {world.g1.name: 2, world.g2.name: 2}
    q3 = str(s.questions.get(position=3).pk)
    assert data["questions"][q3][str(world.g1.pk)]["mean"] == 5.0


def test_live_results_of_anonymous_surveys_move_in_steps_of_k(world):
    s = f.survey(world, min_group_size=2)
    _answer_many(world, s, [(world.g1, dt.date(1950, 1, 1), 0, 5)])
    fresh = Survey.objects.get(pk=s.pk)
    assert tally.results(fresh)["responses"] == 0  # no snapshot yet
    with pytest.raises(SurveyError):  # one new response is fewer than k: no new snapshot
        actions.refresh_live_results(fresh, actor=world.community_worker_c1)
    user = f.resident(world, "second")
    actions.submit_response(s, actor=user, answers=f.answers(s, choice=2))
    snap = actions.refresh_live_results(Survey.objects.get(pk=s.pk), actor=world.community_worker_c1)
    assert tally.results(snap)["responses"] == 2


def test_texts_carry_no_respondent(world):
    s = f.survey(world)
    actions.submit_response(s, actor=world.resident_c1, answers=f.answers(s, text=f.HOSTILE))
    assert tally.texts(s, s.questions.get(position=4)) == [f.HOSTILE.strip()]


def test_due_surveys_are_closed_and_counted_by_the_task(world):
    from django.utils import timezone

    from gongzhi.participation.surveys.tasks import close_due_surveys

    due = f.survey(world, title="到期")
    later = f.survey(world, title="未到期", closes_at=timezone.now() + dt.timedelta(days=1))
    Survey.objects.filter(pk=due.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    assert close_due_surveys() == 1
    assert Survey.objects.get(pk=due.pk).status == "closed"
    assert Survey.objects.get(pk=later.pk).status == "open"
    assert close_due_surveys() == 0
