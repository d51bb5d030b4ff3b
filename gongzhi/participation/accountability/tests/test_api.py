import datetime as dt

from django.utils import timezone

from gongzhi.participation.accountability import actions
from gongzhi.participation.accountability.tests import factories

URL = "/api/participation/results/"


def test_list_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    for i in range(12):
        factories.result(world, title=f"结果{i}")
    client = client_for("anonymous")
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 12


def test_detail_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    result = factories.result(world)
    for i in range(5):
        actions.add_milestone(result, actor=world.community_worker_c1, title=f"步骤{i}")
        actions.report_progress(result, actor=world.community_worker_c1, progress=10 + i, text=f"进展{i}")
    client = client_for("anonymous")
    with django_assert_max_num_queries(6):
        response = client.get(f"{URL}{result.pk}/")
    data = response.json()
    assert len(data["milestones"]) == 5
    assert len(data["updates"]) == 6


def test_public_detail_names_no_person(world, client_for):
    result = factories.result(world)
    actions.report_progress(result, actor=world.community_worker_c1, progress=20, text="进展")
    body = client_for("anonymous").get(f"{URL}{result.pk}/").content.decode()
    assert "community_worker_c1" not in body
    assert "科技园社区居委会" in body


def test_bad_input_is_400_with_fields(world, client_for):
    result = factories.result(world)
    client = client_for("community_worker_c1")
    response = client.post(f"{URL}{result.pk}/progress/", {"progress": "lots", "text": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"progress", "text"}
    response = client.post(f"{URL}{result.pk}/progress/", {"progress": 101, "text": "x" * 5000}, format="json")
    assert response.status_code == 400
    response = client.post(f"{URL}{result.pk}/progress/", {"progress": 50, "text": "<script>x</script>"}, format="json")
    assert response.status_code == 200
    response = client.post(f"{URL}{result.pk}/progress/", {"progress": 10, "text": "倒退"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "progress_backwards"


def test_create_is_idempotent(world, client_for):
    client = client_for("community_worker_c1")
    body = {"title": "修路灯", "area": world.c1.pk}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]


def test_filters(world, client_for):
    factories.overdue(world, title="逾期")
    factories.result(world, by="community_worker_c3", area=world.c3, unit="committee_c3", title="C3")
    client = client_for("anonymous")
    assert [r["title"] for r in client.get(f"{URL}?overdue=1").json()["results"]] == ["逾期"]
    assert [r["title"] for r in client.get(f"{URL}?area={world.c3.pk}").json()["results"]] == ["C3"]
    assert client.get(f"{URL}?area=999999").status_code == 404
    assert timezone.localdate() > dt.date(2000, 1, 1)
