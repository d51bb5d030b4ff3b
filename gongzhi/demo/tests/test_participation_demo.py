"""The demo district has surveys with results, meetings and an owners' vote counted by art. 278."""

from __future__ import annotations

import pytest

from gongzhi.demo.seeding import seed_demo
from gongzhi.participation.meetings import statutory
from gongzhi.participation.meetings import tally as meeting_tally
from gongzhi.participation.meetings.models import Meeting, OwnersVote
from gongzhi.participation.surveys import tally
from gongzhi.participation.surveys.models import Response, Survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_demo_participation_data_is_consistent():
    summary = seed_demo("small", seed=1)
    assert summary.counts["surveys"] == 3
    closed = Survey.objects.get(status="closed")
    assert closed.response_count == Response.objects.filter(survey=closed).count() == 60
    result = tally.results(closed)
    assert sum(o["count"] for o in result["questions"][0]["options"]) == 60
    assert Meeting.objects.count() == 2
    decided = OwnersVote.objects.exclude(status__in=["open", "draft"]).get()
    count = meeting_tally.count_owners_vote(decided)
    assert statutory.decide(count, decided.matter).passed == (decided.status == "passed")
    assert decided.participating_owners == count.participating_owners
