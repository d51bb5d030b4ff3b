"""Opinion-map test data other domains can import. Text may be hostile on purpose."""

from __future__ import annotations

from typing import Any

from gongzhi.participation.opinion import actions
from gongzhi.participation.opinion.models import Conversation, Statement

HOSTILE_STATEMENT = "<script>alert('op')</script> 停车位应该按户分配🚗" + "长" * 300


def conversation_with_statements(
    world: Any, texts: tuple[str, ...] = ("应当增加停车位", "应当保留绿地", "应当收取停车费")
) -> Conversation:
    conversation = actions.start_conversation(
        world.c1, question="小区空地改停车场还是保留绿地", actor=world.community_worker_c1
    )
    for text in texts:
        actions.submit_statement(conversation, text=text, actor=world.community_worker_c1)
    return conversation


def statements(conversation: Conversation) -> list[Statement]:
    return list(conversation.statements.order_by("pk"))
