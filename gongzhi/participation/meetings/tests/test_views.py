"""Meeting and owners' vote pages: QR check-in page, staff controls, scoping."""

from django.test import Client

from gongzhi.participation.meetings import actions, signin
from gongzhi.participation.meetings.models import Attendance
from gongzhi.participation.meetings.tests import factories as f


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_qr_page_and_check_in(world):
    m = f.meeting(world)
    staff = _client(world.community_worker_c1).get(f"/participation/meetings/{m.pk}/")
    assert b"<svg" in staff.content
    token = signin.make_token(m.pk)
    client = _client(world.resident_c1)
    assert client.get(f"/participation/meetings/{m.pk}/check-in/{token}/").status_code == 200
    assert client.post(f"/participation/meetings/{m.pk}/check-in/{token}/").status_code == 302
    assert Attendance.objects.filter(meeting=m, user=world.resident_c1).exists()
    bad = client.get(f"/participation/meetings/{m.pk}/check-in/forged/")
    assert b'data-testid="check-in-form"' not in bad.content


def test_scoping_and_forbidden_steps(world):
    m = f.meeting(world)
    assert _client(world.resident_c3).get(f"/participation/meetings/{m.pk}/").status_code == 404
    assert _client(world.resident_c1).post(f"/participation/meetings/{m.pk}/act/close/").status_code == 403
    resident_page = _client(world.resident_c1).get(f"/participation/meetings/{m.pk}/")
    assert b'data-testid="manage"' not in resident_page.content


def test_owners_vote_page_shows_the_count(world):
    f.estate(world, ["100.00", "100.00", "100.00"])
    vote = actions.open_owners_vote(
        actions.create_owners_vote(
            actor=world.community_worker_c1, estate=world.c1, title="续聘物业", matter="manager"
        ),
        actor=world.community_worker_c1,
    )
    page = _client(world.community_worker_c1).get(f"/participation/meetings/votes/{vote.pk}/")
    assert page.status_code == 200
    assert b'data-testid="enter-form"' in page.content
    assert _client(world.resident_c3).get(f"/participation/meetings/votes/{vote.pk}/").status_code == 404
    listing = _client(world.community_worker_c1).get("/participation/meetings/")
    assert listing.status_code == 200
