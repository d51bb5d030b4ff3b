"""The participation pages speak one language at a time: no English left on the Chinese
pages, no Chinese (other than data) on the English ones."""

import pytest
from django.conf import settings
from django.test import Client

from gongzhi.participation.accountability.tests import factories as result_factories
from gongzhi.participation.deliberation import actions
from gongzhi.participation.deliberation.tests import factories
from gongzhi.web.tests.test_i18n import CHINESE, ENGLISH_WORD, data_strings, leaks, visible_text

ACTORS = ["anonymous", "resident_c1", "community_worker_c1"]


def _pages(world):
    proc = factories.four_two(world, description="")
    proposal = factories.proposal(world, proc, title="Title", body="Body")
    actions.add_comment(proposal, actor=world.community_worker_c1, body="Ok")
    debate = actions.open_debate(proc, actor=world.community_worker_c1, title="Debate")
    result = result_factories.result(world, title="Result")
    paths = [
        "/participation/",
        proc.get_absolute_url(),
        proposal.get_absolute_url(),
        debate.get_absolute_url(),
        "/participation/results/",
        f"/participation/results/{result.pk}/",
    ]
    return paths, ["Title", "Body", "Ok", "Debate", "Result", proc.title, proposal.title, result.description]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("language", "pattern"), [("zh-hans", ENGLISH_WORD), ("en", CHINESE)])
def test_pages_in_one_language(world, actor, language, pattern):
    paths, data = _pages(world)
    if actor == "community_worker_c1":
        paths += ["/participation/moderation/", "/participation/results/console/"]
    client = Client()
    if actor != "anonymous":
        client.force_login(world.users[actor])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    known = sorted(set(data_strings(world) + data), key=len, reverse=True)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        found = leaks(visible_text(response.content.decode(), language), pattern, known)
        assert not found, f"{language} page {path} as {actor}: {found}"
