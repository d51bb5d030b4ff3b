"""Browser test: a resident votes on statements and the public map renders (ECharts, local)."""

from __future__ import annotations

import pytest

from gongzhi.access.choices import Role
from gongzhi.participation.opinion import actions
from gongzhi.participation.opinion.models import OpinionVote
from gongzhi.participation.opinion.tests import factories
from gongzhi.testing.world import grant, make_user
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def test_resident_votes_and_the_public_map_shows_groups(world_live, open_session):
    w = world_live
    conversation = factories.conversation_with_statements(w, texts=tuple(f"观点{i}" for i in range(8)))
    statements = factories.statements(conversation)
    for i in range(16):
        user = make_user(f"op_browser_{i}", kind="resident", home_area=w.g1, phone=f"134{i:08d}")
        grant(user, Role.RESIDENT, area=w.c1)
        for j, s in enumerate(statements):
            value = 1 if j == 0 else (1 if (i < 8) == (j % 2 == 0) else -1)
            actions.cast_opinion_vote(s, value=value, actor=user)
    actions.compute_map(conversation)

    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    page = resident.page
    page.goto(f"/participation/opinion/{conversation.pk}/")
    first = page.get_by_test_id("to-vote").locator(f"[data-statement='{statements[0].pk}']")
    with page.expect_navigation():
        first.get_by_role("button").first.click()
    assert OpinionVote.objects.filter(participant=w.resident_c1, statement=statements[0], value=1).exists()
    resident.shot("op-vote-phone-zh")
    resident.check()

    visitor = open_session(viewport=DESKTOP)
    visitor.page.goto(f"/participation/opinion/{conversation.pk}/")
    visitor.page.wait_for_selector("[data-opinion-map][data-ready='16']")
    assert visitor.page.get_by_test_id("groups").locator("[data-group]").count() == 2
    assert visitor.page.get_by_test_id("consensus").locator(f"[data-statement='{statements[0].pk}']").count() == 1
    assert "op_browser" not in visitor.page.content()
    visitor.shot("op-map-desktop-zh")
    visitor.check()
