import pytest

from gongzhi.access.choices import Role
from gongzhi.audit.models import ChangeRecord
from gongzhi.participation.opinion import actions, queries
from gongzhi.participation.opinion.choices import StatementStatus
from gongzhi.participation.opinion.errors import OpinionError, OpinionErrorCode
from gongzhi.participation.opinion.models import OpinionVote
from gongzhi.participation.opinion.tests import factories
from gongzhi.testing.world import grant, make_user

E = OpinionErrorCode


def test_resident_statement_is_held_for_review_then_published_or_rejected_with_reason(world):
    conversation = factories.conversation_with_statements(world)
    before = ChangeRecord.objects.count()
    held = actions.submit_statement(conversation, text=factories.HOSTILE_STATEMENT, actor=world.resident_c1)
    assert held.status == StatementStatus.PENDING
    assert len(held.text) == 280
    assert held not in queries.list_published_statements(conversation)
    with pytest.raises(OpinionError) as err:
        actions.moderate_statement(held, publish=False, reason=" ", actor=world.community_worker_c1)
    assert err.value.code == E.REASON_REQUIRED
    rejected = actions.moderate_statement(held, publish=False, reason="含有不当内容", actor=world.community_worker_c1)
    assert rejected.status == StatementStatus.REJECTED
    with pytest.raises(OpinionError) as err:
        actions.moderate_statement(held, publish=True, actor=world.community_worker_c1)
    assert err.value.code == E.ALREADY_MODERATED
    assert ChangeRecord.objects.count() - before == 2


def test_only_residents_of_the_area_vote_and_a_new_vote_replaces_the_old(world):
    conversation = factories.conversation_with_statements(world)
    first = factories.statements(conversation)[0]
    with pytest.raises(OpinionError) as err:
        actions.cast_opinion_vote(first, value=1, actor=world.resident_c3)
    assert err.value.code == E.NOT_ELIGIBLE
    with pytest.raises(OpinionError) as err:
        actions.cast_opinion_vote(first, value=2, actor=world.resident_c1)
    assert err.value.code == E.INVALID_VOTE
    actions.cast_opinion_vote(first, value=1, actor=world.resident_c1)
    actions.cast_opinion_vote(first, value=-1, actor=world.resident_c1)
    assert list(OpinionVote.objects.filter(statement=first).values_list("value", flat=True)) == [-1]
    conversation.refresh_from_db()
    assert conversation.votes_since_map == 2
    held = actions.submit_statement(conversation, text="新意见", actor=world.resident_c1)
    with pytest.raises(OpinionError) as err:
        actions.cast_opinion_vote(held, value=1, actor=world.resident_c1)
    assert err.value.code == E.NOT_PUBLISHED
    actions.close_conversation(conversation, actor=world.community_worker_c1)
    with pytest.raises(OpinionError) as err:
        actions.cast_opinion_vote(first, value=1, actor=world.resident_c1)
    assert err.value.code == E.CLOSED


def test_compute_map_groups_two_camps_and_stores_no_personal_data(world):
    conversation = factories.conversation_with_statements(world, texts=tuple(f"意见{i}" for i in range(8)))
    statements = factories.statements(conversation)
    for i in range(20):
        user = make_user(f"op_resident_{i}", kind="resident", home_area=world.g1, phone=f"137{i:08d}")
        grant(user, Role.RESIDENT, area=world.c1)
        camp = 1 if i < 10 else -1
        for j, statement in enumerate(statements):
            value = 1 if j == 0 else (camp if j % 2 else -camp)
            actions.cast_opinion_vote(statement, value=value, actor=user)
    assert [c.pk for c in queries.list_conversations_needing_map()] == [conversation.pk]
    before = ChangeRecord.objects.count()
    snapshot = actions.compute_map(conversation, actor=world.community_worker_c1)
    assert ChangeRecord.objects.count() - before == 1
    assert snapshot.participants == 20
    assert snapshot.votes == 160
    assert snapshot.groups == 2
    assert sorted(g["size"] for g in snapshot.data["groups"]) == [10, 10]
    assert [c["statement"] for c in snapshot.data["consensus_agree"]] == [statements[0].pk]
    assert "op_resident" not in str(snapshot.data)
    assert all(len(point) == 3 for point in snapshot.data["points"])
    conversation.refresh_from_db()
    assert conversation.votes_since_map == 0
    assert queries.list_conversations_needing_map() == []


def test_map_of_an_empty_conversation(world):
    conversation = factories.conversation_with_statements(world)
    snapshot = actions.compute_map(conversation)
    assert snapshot.groups == 0
    assert snapshot.data["points"] == []
