"""Masking by role, the logged reveal action, and the household file page."""

from __future__ import annotations

import json

import pytest

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy import actions as privacy_actions
from gongzhi.privacy.errors import PrivacyError, PrivacyErrorCode
from gongzhi.privacy.models import RevealLog
from gongzhi.residents.factories import MembershipFactory, ResidentFactory

pytestmark = pytest.mark.urls("gongzhi.residents.tests.urls")


def test_grid_worker_sees_names_but_masked_identifiers(world, people, client_for):
    data = client_for("grid_worker_g1").get(f"/api/residents/people/{people.head.pk}/").json()

    assert data["name"] == "张三"
    assert data["id_number"] == "110105********002X"
    assert data["phone"] == "139****5678"
    assert data["can_reveal"] is False


def test_street_official_sees_masked_names(world, people, client_for):
    data = client_for("street_official_s1").get(f"/api/residents/people/{people.head.pk}/").json()

    assert data["name"] == "张*"
    assert data["can_reveal"] is True


def test_reveal_returns_the_value_and_logs_who_whose_which_why_but_not_the_value(world, people, client_for):
    response = client_for("community_worker_c1").post(
        f"/api/residents/people/{people.head.pk}/reveal/", {"field": "phone", "purpose": "通知体检结果"}, format="json"
    )

    assert response.json() == {"field": "phone", "value": "13912345678"}
    log = RevealLog.objects.get()
    assert (log.actor, log.subject_id, log.field, log.purpose) == (
        world.community_worker_c1,
        str(people.head.pk),
        "phone",
        "通知体检结果",
    )
    assert log.subject_label == "张*"
    stored = json.dumps([[r.before, r.after, r.target_repr] for r in ChangeRecord.objects.all()], ensure_ascii=False)
    assert "13912345678" not in stored
    assert "13912345678" not in json.dumps(list(RevealLog.objects.values()), default=str, ensure_ascii=False)


def test_reveal_needs_a_purpose_and_the_separate_permission(world, people):
    with pytest.raises(PrivacyError) as excinfo:
        privacy_actions.reveal(people.head, "phone", actor=world.community_worker_c1, purpose=" ")
    assert excinfo.value.code == PrivacyErrorCode.PURPOSE_REQUIRED

    with pytest.raises(PrivacyError) as excinfo:
        privacy_actions.reveal(people.head, "phone", actor=world.grid_worker_g1, purpose="上门走访需要联系")
    assert excinfo.value.code == PrivacyErrorCode.REVEAL_NOT_PERMITTED
    assert excinfo.value.http_status == 403

    with pytest.raises(PrivacyError) as excinfo:
        privacy_actions.reveal(people.head, "grid", actor=world.community_worker_c1, purpose="上门走访需要联系")
    assert excinfo.value.code == PrivacyErrorCode.FIELD_NOT_REVEALABLE

    with pytest.raises(PrivacyError) as excinfo:
        privacy_actions.reveal(people.resident_g4, "phone", actor=world.community_worker_c1, purpose="上门走访需要联系")
    assert excinfo.value.code == PrivacyErrorCode.REVEAL_NOT_PERMITTED
    assert not RevealLog.objects.exists()


def test_reveal_log_answers_who_accessed_resident_x_between_t1_and_t2(world, people, client_for):
    privacy_actions.reveal(people.head, "id_number", actor=world.community_worker_c1, purpose="核实低保申请材料")
    privacy_actions.reveal(people.spouse, "phone", actor=world.community_worker_c1, purpose="通知体检结果")

    rows = client_for("audit_admin").get(f"/api/privacy/reveal-log/?subject_id={people.head.pk}").json()["results"]

    assert [(r["actor_label"], r["field"]) for r in rows] == [("community_worker_c1", "id_number")]


def test_household_file_page_shows_members_tags_and_visits_to_the_grid_worker(world, people, client):
    client.force_login(world.grid_worker_g1)

    response = client.get(f"/residents/households/{people.household_g1.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "张三" in body
    assert "110105********002X" in body
    assert "11010519491231002X" not in body
    assert "血压偏高" in body  # grid workers keep care notes
    assert "南山区科苑路15号3栋1单元502室" in body


def test_household_file_page_masks_names_and_hides_notes_for_street_officials(world, people, client):
    client.force_login(world.street_official_s1)

    body = client.get(f"/residents/households/{people.household_g1.pk}/").content.decode()

    assert "张*" in body
    assert "张三" not in body
    assert "血压偏高" not in body


@pytest.mark.parametrize(
    "actor", ["community_worker_c3", "street_official_s2", "police_liaison", "no_grant", "resident_c1"]
)
def test_household_file_page_is_404_out_of_scope(world, people, client, actor):
    client.force_login(world.users[actor])

    assert client.get(f"/residents/households/{people.household_g1.pk}/").status_code == 404


def test_household_file_page_redirects_anonymous(people, client):
    assert client.get(f"/residents/households/{people.household_g1.pk}/").status_code == 302


def test_household_file_page_query_count_does_not_grow_with_members(
    world, people, client, django_assert_max_num_queries
):
    client.force_login(world.grid_worker_g1)
    url = f"/residents/households/{people.household_g1.pk}/"
    client.get(url)
    for _ in range(15):
        MembershipFactory(household=people.household_g1, resident=ResidentFactory(grid=world.g1))

    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_resident_list_query_count_does_not_grow_with_rows(world, people, client_for, django_assert_max_num_queries):
    client = client_for("community_worker_c1")
    ResidentFactory.create_batch(20, grid=world.g2)

    with django_assert_max_num_queries(10):
        response = client.get("/api/residents/people/")
    assert response.json()["count"] == 23


def test_resident_lookup_query_count_does_not_grow_with_rows(world, people, client_for, django_assert_max_num_queries):
    client = client_for("community_worker_c1")
    for _ in range(5):
        ResidentFactory(grid=world.g2, phone="13912345678")  # a shared phone: several matches

    with django_assert_max_num_queries(8):  # session, user, grants, scope: not per person
        response = client.get("/api/residents/people/lookup/?phone=13912345678")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 6
    assert "count" not in response.json()


@pytest.mark.parametrize("query", ["", "?id_number=&phone=", "?id_number=11010519491231002X&phone=13912345678"])
def test_resident_lookup_needs_exactly_one_value(world, people, client_for, query):
    response = client_for("community_worker_c1").get(f"/api/residents/people/lookup/{query}")

    assert response.status_code == 400


def test_household_and_visit_lists_query_counts(world, people, client_for, django_assert_max_num_queries):
    client = client_for("street_official_s1")

    with django_assert_max_num_queries(10):
        assert client.get("/api/residents/households/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/residents/visits/").status_code == 200
