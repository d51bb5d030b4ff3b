from django.test import Client

from gongzhi.participation.budgeting import actions
from gongzhi.participation.budgeting.choices import Phase
from gongzhi.participation.budgeting.models import BudgetProcess
from gongzhi.participation.budgeting.tests import factories


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_public_pages_need_no_login_and_escape_hostile_text(world, django_assert_max_num_queries):
    process = factories.process_in_voting(world)
    actions.create_process(world.c1, title=factories.HOSTILE_TITLE[:200], budget=1, actor=world.community_worker_c1)
    client = _client()
    with django_assert_max_num_queries(6):
        listing = client.get("/participation/budgeting/")
    assert listing.status_code == 200
    assert b"<script>alert" not in listing.content
    assert "&lt;script&gt;" in listing.content.decode()
    with django_assert_max_num_queries(8):
        detail = client.get(f"/participation/budgeting/{process.pk}/")
    assert detail.status_code == 200
    assert b'data-testid="ballot"' not in detail.content


def test_detail_query_count_does_not_grow_with_projects(world, django_assert_max_num_queries):
    process = factories.process_in_voting(world, costs=tuple(range(100, 130)))
    client = _client(world.resident_c1)
    with django_assert_max_num_queries(14):
        response = client.get(f"/participation/budgeting/{process.pk}/")
    assert response.status_code == 200
    assert response.content.count(b'type="checkbox"') == 30


def test_resident_votes_and_staff_tally_through_the_pages(world, django_capture_on_commit_callbacks):
    process = factories.process_in_voting(world)
    p = factories.projects(process)
    resident = _client(world.resident_c1)
    response = resident.post(f"/participation/budgeting/{process.pk}/vote/", {f"project_{p[0].pk}": "1"})
    assert response.status_code == 302
    assert process.ballots.count() == 1
    assert _client(world.resident_c3).post(f"/participation/budgeting/{process.pk}/vote/", {}).status_code == 403
    assert resident.post(f"/participation/budgeting/{process.pk}/tally/").status_code == 403
    staff = _client(world.community_worker_c1)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert staff.post(f"/participation/budgeting/{process.pk}/tally/").status_code == 302
    process.refresh_from_db()
    assert process.phase == Phase.VOTING  # closed; the count runs after the commit
    counting = staff.get(f"/participation/budgeting/{process.pk}/").content.decode()
    assert 'data-testid="counting"' in counting
    assert 'data-testid="tally"' not in counting
    assert resident.post(f"/participation/budgeting/{process.pk}/vote/", {f"project_{p[1].pk}": "1"}).status_code == 403
    for callback in queued:  # the queued background count (eager in tests)
        callback()
    process.refresh_from_db()
    assert process.phase == Phase.RESULTS
    page = _client().get(f"/participation/budgeting/{process.pk}/").content.decode()
    assert 'data-testid="results"' in page
    assert "resident_c1" not in page


def test_staff_create_review_and_advance_through_the_pages(world):
    staff = _client(world.community_worker_c1)
    response = staff.post(
        "/participation/budgeting/new/",
        {
            "title": "新一轮",
            "area": world.c1.pk,
            "budget": "1000",
            "ballot_kind": "cumulative",
            "max_choices": "3",
            "points_per_voter": "10",
            "counting_rule": "equal_shares",
        },
    )
    assert response.status_code == 302
    process = BudgetProcess.objects.get(title="新一轮")
    resident = _client(world.resident_c1)
    resident.post(f"/participation/budgeting/{process.pk}/propose/", {"title": "楼道扶手"})
    project = process.projects.get()
    bad = staff.post(
        f"/participation/budgeting/projects/{project.pk}/review/", {"feasible": "1", "estimated_cost": "x"}
    )
    assert bad.status_code == 302
    project.refresh_from_db()
    assert project.status == "submitted"
    staff.post(f"/participation/budgeting/projects/{project.pk}/review/", {"feasible": "1", "estimated_cost": "800"})
    staff.post(f"/participation/budgeting/{process.pk}/advance/")
    staff.post(f"/participation/budgeting/{process.pk}/advance/")
    process.refresh_from_db()
    assert process.phase == Phase.VOTING
    points = resident.post(f"/participation/budgeting/{process.pk}/vote/", {f"project_{project.pk}": "-3"})
    assert points.status_code == 302
    assert process.ballots.count() == 0
    resident.post(f"/participation/budgeting/{process.pk}/vote/", {f"project_{project.pk}": "7"})
    assert process.ballots.get().choices.get().points == 7


def test_staff_enter_the_ballot_of_a_resident_without_a_phone(world):
    from gongzhi.audit.models import ChangeRecord

    process = factories.process_in_voting(world)
    p = factories.projects(process)
    url = f"/participation/budgeting/{process.pk}/vote/"
    staff = _client(world.community_worker_c1)
    assert 'data-testid="proxy-ballot"' in staff.get(f"/participation/budgeting/{process.pk}/").content.decode()
    resident = _client(world.resident_c1)
    assert 'data-testid="proxy-ballot"' not in resident.get(f"/participation/budgeting/{process.pk}/").content.decode()
    # a resident cannot vote for someone else
    assert resident.post(url, {"resident_phone": world.resident_c3.phone, f"project_{p[0].pk}": "1"}).status_code == 403
    # an unknown number records nothing
    assert staff.post(url, {"resident_phone": "13000000000", f"project_{p[0].pk}": "1"}).status_code == 302
    assert process.ballots.count() == 0

    assert staff.post(url, {"resident_phone": world.resident_c1.phone, f"project_{p[0].pk}": "1"}).status_code == 302
    ballot = process.ballots.get()
    assert (ballot.voter_id, ballot.proxy_id) == (world.resident_c1.pk, world.community_worker_c1.pk)
    assert ChangeRecord.objects.filter(verb="vote_on_behalf").count() == 1
    # the resident has now voted: the page says so, and the staff cannot enter a second ballot
    assert 'data-testid="voted"' in resident.get(f"/participation/budgeting/{process.pk}/").content.decode()
    staff.post(url, {"resident_phone": world.resident_c1.phone, f"project_{p[1].pk}": "1"})
    assert process.ballots.count() == 1
