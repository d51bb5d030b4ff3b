"""Authorisation matrix of the shell's pages and preference endpoints, for every world actor."""

from __future__ import annotations

import re

import pytest

from gongzhi.accounts.choices import AccountKind
from gongzhi.audit.models import ChangeRecord
from gongzhi.territory.models import Area
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

pytestmark = pytest.mark.django_db

CASES = [
    Case("home", "get", lambda w: "/", default=200, anonymous=200),
    Case("services tab", "get", lambda w: "/services/", default=200, anonymous=302),
    Case("me tab", "get", lambda w: "/me/", default=200, anonymous=302),
    Case("elder mode, GET", "get", lambda w: "/preferences/elder-mode/", default=405, anonymous=405),
    Case("language, GET", "get", lambda w: "/preferences/language/", default=405, anonymous=405),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)


@pytest.mark.parametrize("actor", list(ACTORS))
def test_elder_mode_post_writes_one_record_for_users_and_none_for_visitors(world, client_for, actor):
    # when
    response = client_for(actor).post("/preferences/elder-mode/", {"elder_mode": "1"})
    # then
    assert response.status_code == 302
    records = ChangeRecord.objects.filter(verb="update_preferences")
    if actor == "anonymous":
        assert records.count() == 0
        assert response.cookies["gongzhi_elder"].value == "1"
    else:
        assert records.count() == 1
        assert records.get().actor_id == world.users[actor].pk


STAFF_ACTORS = [name for name in ACTORS if name != "anonymous" and not name.startswith("resident")]


@pytest.mark.parametrize("actor", STAFF_ACTORS)
def test_dashboard_lists_exactly_the_areas_the_user_may_view(world, client_for, actor):
    # given
    user = world.users[actor]
    assert user.kind == AccountKind.STAFF
    expected = set(Area.objects.restrict(user, "view").values_list("code", flat=True))
    # when
    html = client_for(actor).get("/").content.decode()
    # then
    assert set(re.findall(r'data-area-code="([^"]+)"', html)) == expected


@pytest.mark.parametrize("actor", ["resident_c1", "resident_c3"])
def test_residents_get_the_portal_not_the_console(world, client_for, actor):
    # when
    html = client_for(actor).get("/").content.decode()
    # then
    assert "data-area-code" not in html
    assert 'class="tabbar"' in html
    assert world.users[actor].home_area.parent.name in html
