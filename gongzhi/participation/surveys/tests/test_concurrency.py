"""50 members of one household try to answer a one-per-household poll at the same moment:
exactly one response is stored (the unique keyed-hash token; on PostgreSQL with real threads)."""

import pytest

from gongzhi.participation.surveys import actions
from gongzhi.participation.surveys.choices import ResponseUnit
from gongzhi.participation.surveys.errors import SurveyError, SurveyErrorCode
from gongzhi.participation.surveys.models import Answer, Response, Survey
from gongzhi.participation.surveys.tests import factories as f
from gongzhi.testing.concurrency import run_at_once

ATTEMPTS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_votes_by_one_household_store_exactly_one():
    from gongzhi.testing.world import build_world

    world = build_world()
    first = f.resident(world, "hh-0")
    members = [first] + [f.resident(world, f"hh-{i}", household=first.household) for i in range(1, ATTEMPTS)]
    poll = f.survey(world, unit=ResponseUnit.HOUSEHOLD, title="一户一票")
    answers = f.answers(poll)

    def vote(user) -> str:
        try:
            actions.submit_response(poll, actor=user, answers=answers)
        except SurveyError as err:
            return str(err.code)
        return "ok"

    results = run_at_once([lambda user=user: vote(user) for user in members])
    assert results.count("ok") == 1
    assert results.count(SurveyErrorCode.ALREADY_RESPONDED) == ATTEMPTS - 1
    assert Response.objects.filter(survey=poll).count() == 1
    assert Survey.objects.get(pk=poll.pk).response_count == 1
    assert Answer.objects.filter(survey=poll).values("response_id").distinct().count() == 1
