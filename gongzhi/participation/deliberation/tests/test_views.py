from django.test import Client

from gongzhi.audit.models import ChangeRecord
from gongzhi.participation.deliberation import actions
from gongzhi.participation.deliberation.choices import ProposalStatus
from gongzhi.participation.deliberation.models import Proposal
from gongzhi.participation.deliberation.tests import factories


def _client(world, actor=None):
    client = Client()
    if actor:
        client.force_login(world.users[actor])
    return client


def _busy_proposal(world):
    proc = factories.four_two(world)
    proposal = factories.proposal(world, proc, title=factories.HOSTILE_TITLE)
    people = factories.neighbours(world, 4)
    for person in people[:2]:
        actions.support_proposal(proposal, actor=person)
    first = actions.add_comment(proposal, actor=people[2], body="<img src=x onerror=alert(1)> 同意")
    actions.add_comment(proposal, actor=world.resident_c1, body="谢谢", parent=first)
    actions.add_comment(proposal, actor=world.community_worker_c1, body="居委会会研究")
    actions.propose_amendment(proposal, actor=people[3], body="建议加装烟感")
    factories.debate(world, proc)
    return proc, proposal


def test_public_pages_render_without_login_and_escape(world, django_assert_max_num_queries):
    proc, proposal = _busy_proposal(world)
    client = _client(world)
    for url in ["/participation/", proc.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(proposal.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body
    assert "<img src=x" not in body
    assert "resident_c1" not in body  # authors are never named in public
    assert "neighbour0" not in body


def test_process_page_query_count_is_constant(world, django_assert_max_num_queries):
    proc, _ = _busy_proposal(world)
    for i, person in enumerate(factories.neighbours(world, 6, prefix="more")):
        actions.submit_proposal(proc, actor=person, title=f"提议{i}", body="内容")
    client = _client(world, "resident_c1")
    client.get("/participation/")  # the session exists before counting
    with django_assert_max_num_queries(14):
        response = client.get(proc.get_absolute_url())
    assert response.status_code == 200


def test_resident_supports_and_comments_through_the_pages(world):
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    client = Client()
    client.force_login(neighbour)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert 'data-testid="support"' in page
    before = ChangeRecord.objects.count()
    response = client.post(f"/participation/proposals/{proposal.pk}/act/support/")
    assert response.status_code == 302
    assert ChangeRecord.objects.count() == before + 1
    client.post(f"/participation/proposals/{proposal.pk}/act/support/")  # a double submit
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1
    client.post(f"/participation/proposals/{proposal.pk}/act/comment/", {"body": "支持 🚲"})
    assert Proposal.objects.get(pk=proposal.pk).comment_count == 1


def test_staff_answer_through_the_page(world):
    proposal = factories.proposal(world)
    client = _client(world, "community_worker_c1")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert 'data-testid="answer-form"' in page
    response = client.post(
        f"/participation/proposals/{proposal.pk}/act/answer/",
        {"outcome": "rejected", "text": "不在本次议事范围"},
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.REJECTED


def test_out_of_area_staff_and_residents_are_refused(world):
    proposal = factories.proposal(world)
    assert (
        _client(world, "community_worker_c3").post(f"/participation/proposals/{proposal.pk}/act/answer/").status_code
        == 403
    )
    assert _client(world, "no_grant").post(f"/participation/proposals/{proposal.pk}/act/support/").status_code == 403
    response = _client(world, "resident_c3").post(f"/participation/proposals/{proposal.pk}/act/support/")
    assert response.status_code == 302  # refused by the action with a message: not eligible
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0
    assert _client(world).post(f"/participation/proposals/{proposal.pk}/act/support/").status_code == 302  # to login


def test_held_proposal_is_hidden_from_the_public(world):
    actions.add_sensitive_word(actor=world.system_admin, word="代开发票")
    proposal = factories.proposal(world, body="代开发票请联系")
    assert _client(world).get(proposal.get_absolute_url()).status_code == 404
    assert _client(world, "resident_c1").get(proposal.get_absolute_url()).status_code == 200
    moderation = _client(world, "community_worker_c1").get("/participation/moderation/")
    assert f'data-testid="approve-proposal-{proposal.pk}"' in moderation.content.decode()
    assert _client(world, "resident_c1").get("/participation/moderation/").status_code == 403


def test_agenda_answer_through_the_page_links_proposal_and_meeting(world):
    from gongzhi.participation.meetings.tests.factories import meeting as make_meeting

    proposal = factories.proposal(world)
    meeting = make_meeting(world, start=False)
    client = _client(world, "community_worker_c1")
    response = client.post(
        f"/participation/proposals/{proposal.pk}/act/answer/",
        {"outcome": "agenda", "text": "提交居民议事会", "meeting": meeting.pk},
    )
    assert response.status_code == 302
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert 'data-testid="agenda-link"' in page
    assert meeting.title in page
    meeting_page = client.get(f"/participation/meetings/{meeting.pk}/").content.decode()
    assert f'href="{proposal.get_absolute_url()}"' in meeting_page
