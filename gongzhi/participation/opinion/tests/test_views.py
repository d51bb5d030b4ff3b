from django.test import Client

from gongzhi.access.choices import Role
from gongzhi.participation.opinion import actions
from gongzhi.participation.opinion.models import OpinionVote
from gongzhi.participation.opinion.tests import factories
from gongzhi.testing.world import grant, make_user


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_public_map_page_shows_groups_and_common_ground_without_login(world, django_assert_max_num_queries):
    conversation = factories.conversation_with_statements(world, texts=tuple(f"意见{i}<b>" for i in range(6)))
    statements = factories.statements(conversation)
    for i in range(12):
        user = make_user(f"op_view_{i}", kind="resident", home_area=world.g1, phone=f"135{i:08d}")
        grant(user, Role.RESIDENT, area=world.c1)
        for j, s in enumerate(statements):
            actions.cast_opinion_vote(s, value=1 if j == 0 else (1 if (i < 6) == (j % 2 == 0) else -1), actor=user)
    actions.compute_map(conversation)
    client = _client()
    with django_assert_max_num_queries(8):
        page = client.get(f"/participation/opinion/{conversation.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="groups"' in body
    assert 'data-testid="consensus"' in body
    assert "意见0&lt;b&gt;" in body
    assert "op_view_" not in body
    assert 'id="opinion-map-data"' in body
    assert _client().get("/participation/opinion/").status_code == 200


def test_resident_votes_and_submits_through_the_pages(world):
    conversation = factories.conversation_with_statements(world)
    first = factories.statements(conversation)[0]
    resident = _client(world.resident_c1)
    assert resident.post(f"/participation/opinion/statements/{first.pk}/vote/", {"value": "1"}).status_code == 302
    resident.post(f"/participation/opinion/statements/{first.pk}/vote/", {"value": "nonsense"})
    assert OpinionVote.objects.get(statement=first).value == 1
    resident.post(f"/participation/opinion/{conversation.pk}/statements/", {"text": factories.HOSTILE_STATEMENT[:280]})
    pending = conversation.statements.get(status="pending")
    assert (
        resident.post(f"/participation/opinion/statements/{pending.pk}/moderate/", {"decision": "publish"}).status_code
        == 403
    )
    staff = _client(world.community_worker_c1)
    staff.post(f"/participation/opinion/statements/{pending.pk}/moderate/", {"decision": "publish"})
    pending.refresh_from_db()
    assert pending.status == "published"
    assert staff.post(f"/participation/opinion/{conversation.pk}/compute/").status_code == 302
    assert conversation.maps.count() == 1
