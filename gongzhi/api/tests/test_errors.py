"""The API's one error body: {"code", "detail"} plus "fields" for input errors."""

from __future__ import annotations

import pytest

from gongzhi.audit.models import ChangeRecord

pytestmark = [pytest.mark.django_db, pytest.mark.urls("gongzhi.api.tests.probe")]

URL = "/api/probe/users/"


def test_invalid_input_is_400_with_field_messages(world, client_for):
    response = client_for("system_admin").post(URL, {"username": "Not Valid!", "display_name": ""}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert set(body["fields"]) == {"username", "display_name"}
    assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)
    assert ChangeRecord.objects.count() == 0


def test_a_malformed_json_body_is_400_not_500(world, client_for):
    response = client_for("system_admin").post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_domain_error_maps_to_its_code_and_status(world, client_for):
    response = client_for("system_admin").post(
        URL, {"username": "community_worker_c1", "display_name": "x"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "username_taken",
        "detail": "This user name is already taken.",
        "fields": {"username": ["This user name is already taken."]},
    }
    assert ChangeRecord.objects.count() == 0


def test_a_django_validation_error_from_an_action_is_400_with_fields(world, client_for):
    response = client_for("system_admin").post(
        URL, {"username": "probe_user", "display_name": "forbidden"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"display_name": ["This display name is not allowed."]}
    assert ChangeRecord.objects.count() == 0


def test_out_of_scope_is_404_like_missing(world, client_for):
    client = client_for("community_worker_c1")

    out_of_scope = client.get(f"{URL}{world.resident_c3.pk}/")
    missing = client.get(f"{URL}999999/")

    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json() == {"code": "not_found", "detail": out_of_scope.json()["detail"]}


def test_own_object_is_visible(world, client_for):
    response = client_for("community_worker_c1").get(f"{URL}{world.community_worker_c1.pk}/")

    assert response.status_code == 200
    assert response.json()["username"] == "community_worker_c1"


def test_anonymous_is_403_not_authenticated(world, client_for):
    response = client_for("anonymous").post(URL, {"username": "x1", "display_name": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_a_refused_verb_is_403_permission_denied(world, client_for):
    response = client_for("community_worker_c1").post(URL, {"username": "x1", "display_name": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert ChangeRecord.objects.count() == 0


def test_a_successful_create_writes_one_record(world, client_for):
    response = client_for("system_admin").post(URL, {"username": "probe_user", "display_name": "探针"}, format="json")

    assert response.status_code == 201
    assert response.json()["username"] == "probe_user"
    record = ChangeRecord.objects.get()
    assert (record.verb, record.target_id, record.actor) == (
        "create_probe_user",
        str(response.json()["id"]),
        world.system_admin,
    )
    assert response["X-Request-ID"] == record.request_id
