"""The report form's "me too" list: open board requests about the same problem nearby, found
by the text duplicate finder (registered by this app) on real messages from the shared data."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.access.choices import Role
from gongzhi.testing.world import grant, make_user
from gongzhi.text.tests import factories as tf
from gongzhi.text.tests import shared_data
from gongzhi.work_orders import actions
from gongzhi.work_orders.tests import factories


def _message(fragment: str) -> dict[str, str]:
    return next(r for r in shared_data.labelled() if fragment in r["title"])


def _on_board(world, row, **extra):
    order = factories.submitted(world, title=row["title"], description=row["text"], is_public=True, **extra)
    order = actions.accept_work_order(order, actor=world.community_worker_c1)
    return actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_resident_reporting_the_same_problem_is_offered_the_board_request(world, django_assert_max_num_queries):
    noise = _message("夜宵店制造极大噪音")
    shown = _on_board(world, noise)
    other = _on_board(world, next(r for r in shared_data.labelled() if r["label"] == "教育文体" and r["title"]))
    private = factories.submitted(world, title=noise["title"], description=noise["text"])  # not public
    # The resident types the same complaint in their own words (the real message, shortened).
    query = {"area": world.g1.pk, "description": noise["text"][:40]}
    client = _client(world.resident_c1)
    with django_assert_max_num_queries(12):
        html = client.get("/work-orders/similar/", query).content.decode()
    assert 'data-testid="similar-requests"' in html
    assert f'data-similar-order="{shown.pk}"' in html
    assert f'data-similar-order="{other.pk}"' not in html
    assert f'data-similar-order="{private.pk}"' not in html
    body = client.get("/api/work-orders/similar/", query).json()
    assert [r["id"] for r in body["results"]] == [shown.pk]
    assert body["results"][0]["followers"] == 1
    assert body["results"][0]["following"] is False


def test_the_list_is_de_identified_and_marks_what_the_resident_follows(world):
    row = dict(_message("夜宵店制造极大噪音"))
    row["title"] = row["title"] + " 联系电话13912345678"
    shown = _on_board(world, row)
    neighbour = make_user("neighbour_similar", kind="resident", home_area=world.g1, phone="13800000019")
    grant(neighbour, Role.RESIDENT, area=world.c1)
    actions.follow_work_order(shown, actor=neighbour)
    html = _client(neighbour).get("/work-orders/similar/", {"area": world.g1.pk, "description": row["text"]}).content
    page = html.decode()
    assert "13912345678" not in page
    assert 'data-testid="already-following"' in page


@pytest.mark.parametrize("text", tf.HOSTILE_TEXTS)
def test_hostile_text_is_answered(world, text):
    _on_board(world, _message("夜宵店制造极大噪音"))
    client = _client(world.resident_c1)
    assert client.get("/work-orders/similar/", {"area": world.g1.pk, "description": text}).status_code == 200
    assert client.get("/api/work-orders/similar/", {"area": world.g1.pk, "description": text}).status_code == 200


def test_the_report_form_carries_the_similar_box(world):
    page = _client(world.resident_c1).get("/work-orders/report/").content.decode()
    assert 'data-similar-url="/work-orders/similar/"' in page
