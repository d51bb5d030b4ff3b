import threading

from django.db import connection

from gongzhi.participation.deliberation import actions
from gongzhi.participation.deliberation.errors import DeliberationError
from gongzhi.participation.deliberation.errors import DeliberationErrorCode as E
from gongzhi.participation.deliberation.models import Proposal, Support
from gongzhi.participation.deliberation.tests import factories

API = "/api/participation/"


def test_proposal_list_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    proc = factories.process(world)
    for i, person in enumerate(factories.neighbours(world, 12)):
        actions.submit_proposal(proc, actor=person, title=f"提议{i}", body="内容")
    client = client_for("anonymous")
    with django_assert_max_num_queries(3):
        response = client.get(f"{API}proposals/?process={proc.pk}")
    assert response.json()["count"] == 12


def test_proposal_detail_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    proposal = factories.proposal(world)
    people = factories.neighbours(world, 6)
    for person in people:
        actions.add_comment(proposal, actor=person, body="评论")
        actions.propose_amendment(proposal, actor=person, body="修改")
    client = client_for("anonymous")
    with django_assert_max_num_queries(4):
        response = client.get(f"{API}proposals/{proposal.pk}/")
    data = response.json()
    assert len(data["comments"]) == 6
    assert len(data["amendments"]) == 6


def test_process_and_debate_lists_query_counts(world, client_for, django_assert_max_num_queries):
    for i in range(5):
        proc = factories.process(world, title=f"议事{i}")
        factories.debate(world, proc)
    client = client_for("anonymous")
    with django_assert_max_num_queries(3):
        assert client.get(f"{API}processes/").json()["count"] == 5
    with django_assert_max_num_queries(3):
        assert client.get(f"{API}debates/").json()["count"] == 5


def test_held_proposals_only_for_author_and_moderators(world, client_for):
    actions.add_sensitive_word(actor=world.system_admin, word="传销")
    held = factories.proposal(world, title="传销广告")
    public = factories.proposal(world, title="公开")

    def ids(actor):
        return {row["id"] for row in client_for(actor).get(f"{API}proposals/").json()["results"]}

    assert ids("anonymous") == {public.pk}
    assert ids("resident_c3") == {public.pk}
    assert ids("resident_c1") == {public.pk, held.pk}
    assert ids("community_worker_c1") == {public.pk, held.pk}
    assert ids("community_worker_c3") == {public.pk}
    assert client_for("anonymous").get(f"{API}proposals/{held.pk}/").status_code == 404


def test_hidden_proposal_shows_the_reason_not_the_text(world, client_for):
    proposal = factories.proposal(world, title="广告标题", body="广告正文")
    actions.hide_content(proposal, actor=world.community_worker_c1, reason="商业广告")
    data = client_for("anonymous").get(f"{API}proposals/{proposal.pk}/").json()
    assert data["title"] == "[hidden]"
    assert data["body"] == "[hidden]"
    assert data["hidden_reason"] == "商业广告"


def test_submit_is_idempotent_and_validates(world, client_for):
    proc = factories.process(world)
    client = client_for("resident_c1")
    body = {"process": proc.pk, "title": factories.HOSTILE_TITLE[:150], "body": "内容 🎉"}
    first = client.post(f"{API}proposals/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    again = client.post(f"{API}proposals/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Proposal.objects.filter(process=proc).count() == 1
    bad = client.post(f"{API}proposals/", {"process": "x", "title": "", "body": "长" * 7000}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"process", "title", "body"}
    wrong = client.post(
        f"{API}proposals/{first.json()['id']}/answer/", {"outcome": "accepted", "text": "x"}, format="json"
    )
    assert wrong.status_code == 403


def test_rate_limit_is_429(world, client_for, settings):
    settings.GONGZHI_PARTICIPATION_RATE_LIMITS = {"comment": (1, 600)}
    proposal = factories.proposal(world)
    client = client_for("resident_c1")
    assert client.post(f"{API}proposals/{proposal.pk}/comments/", {"body": "1"}, format="json").status_code == 201
    response = client.post(f"{API}proposals/{proposal.pk}/comments/", {"body": "2"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_support_through_the_api_reaches_consideration(world, client_for):
    proc = factories.process(world, support_threshold=2)
    proposal = factories.proposal(world, proc)
    people = factories.neighbours(world, 2)
    from rest_framework.test import APIClient

    for person in people:
        client = APIClient()
        client.force_login(person)
        assert client.post(f"{API}proposals/{proposal.pk}/support/", {}, format="json").status_code == 200
    response = client.post(f"{API}proposals/{proposal.pk}/support/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_supported"
    assert Proposal.objects.get(pk=proposal.pk).status == "consideration"


def test_concurrent_double_support_stores_one(transactional_db):
    # An in-memory SQLite database cannot be shared between threads; then the race runs sequentially.
    threads_possible = not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    from gongzhi.testing.world import build_world

    world = build_world()
    proposal = factories.proposal(world)
    (neighbour,) = factories.neighbours(world, 1)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            actions.support_proposal(proposal, actor=neighbour)
            outcomes.append("ok")
        except DeliberationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    if threads_possible:
        threads = [threading.Thread(target=attempt) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for _ in range(10):
            attempt()
    assert sorted(outcomes) == [E.ALREADY_SUPPORTED] * 9 + ["ok"]
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1


def test_answer_as_agenda_item_through_the_api(world, client_for):
    from gongzhi.participation.meetings.tests.factories import meeting as make_meeting

    proposal = factories.proposal(world)
    meeting = make_meeting(world, start=False)
    client = client_for("community_worker_c1")
    url = f"{API}proposals/{proposal.pk}/answer/"
    missing = client.post(url, {"outcome": "agenda", "text": "上会讨论"}, format="json")
    assert missing.status_code == 409
    assert missing.json()["code"] == "meeting_invalid"
    bad = client.post(url, {"outcome": "agenda", "text": "上会讨论", "meeting": "x"}, format="json")
    assert bad.status_code == 400
    ok = client.post(url, {"outcome": "agenda", "text": "上会讨论", "meeting": meeting.pk}, format="json")
    assert ok.status_code == 200, ok.content
    detail = client.get(f"{API}proposals/{proposal.pk}/").json()
    assert detail["status"] == "agenda"
    assert detail["agenda_item"] == meeting.agenda.get().pk
