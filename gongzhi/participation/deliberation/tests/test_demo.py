"""The demo district has a lively deliberation hall and tracked results."""

import pytest
from django.test import Client

from gongzhi.demo.seeding import seed_demo
from gongzhi.demo.tests.fixtures import empty_database
from gongzhi.participation.accountability.models import Result
from gongzhi.participation.deliberation.models import Comment, Process, Proposal, Support

__all__ = ["empty_database"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_small_demo_has_processes_proposals_and_results():
    summary = seed_demo("small", seed=1)
    assert summary.counts["participation_processes"] == 4
    assert Process.objects.filter(template="four_two").count() == 2
    assert Proposal.objects.filter(status="accepted").count() == 2
    assert Proposal.objects.filter(result__isnull=False).count() == 2
    for proposal in Proposal.objects.all():
        assert proposal.support_count == Support.objects.filter(proposal=proposal).count()
        assert proposal.comment_count == Comment.objects.filter(proposal=proposal).count()
    assert Result.objects.count() == 2
    assert Result.objects.filter(deadline__lt=Result.objects.order_by("deadline").last().deadline).count() == 1
    client = Client()
    for process in Process.objects.all():
        assert client.get(process.get_absolute_url()).status_code == 200
    for proposal in Proposal.objects.all():
        assert client.get(proposal.get_absolute_url()).status_code == 200
    assert client.get("/participation/results/").status_code == 200
