"""Idempotency-Key on create endpoints (gongzhi/api/idempotency.py)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from gongzhi.accounts.models import User
from gongzhi.api.tests import probe
from gongzhi.audit.models import ChangeRecord
from gongzhi.core.models import IdempotencyRecord

pytestmark = [pytest.mark.django_db, pytest.mark.urls("gongzhi.api.tests.probe")]

URL = "/api/probe/users/"
BODY = {"username": "probe_user", "display_name": "探针"}


@pytest.fixture(autouse=True)
def _no_hooks():
    yield
    probe.during_create.clear()


def _post(client, body, key):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(world, client_for):
    client = client_for("system_admin")
    first = _post(client, BODY, "key-1")
    users, records = User.objects.count(), ChangeRecord.objects.count()

    retry = _post(client, BODY, "key-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert (User.objects.count(), ChangeRecord.objects.count()) == (users, records)


def test_the_same_key_with_a_different_body_is_422(world, client_for):
    client = client_for("system_admin")
    _post(client, BODY, "key-1")

    response = _post(client, {**BODY, "display_name": "别的"}, "key-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert User.objects.filter(username="probe_user").count() == 1
    assert ChangeRecord.objects.count() == 1


def test_a_duplicate_arriving_while_the_first_runs_is_409_and_creates_nothing(world, client_for):
    # given a request that, while it runs, receives a duplicate with the same key
    duplicate_responses = []

    def duplicate():
        other = APIClient()
        other.force_login(world.system_admin)
        duplicate_responses.append(_post(other, BODY, "key-1"))

    probe.during_create.append(duplicate)

    # when the first request completes
    first = _post(client_for("system_admin"), BODY, "key-1")

    # then the duplicate was told to retry later, and only one user and record exist
    assert first.status_code == 201
    [dup] = duplicate_responses
    assert dup.status_code == 409
    assert dup.json()["code"] == "idempotency_in_progress"
    assert User.objects.filter(username="probe_user").count() == 1
    assert ChangeRecord.objects.count() == 1


def test_keys_are_per_user(world, client_for):
    _post(client_for("system_admin"), BODY, "key-1")

    response = _post(client_for("community_worker_c1"), {"username": "another", "display_name": "x"}, "key-1")

    assert response.status_code == 403  # refused on its own merits, not replayed
    assert response.json()["code"] == "permission_denied"


def test_a_failed_first_attempt_releases_the_key(world, client_for):
    client = client_for("system_admin")
    taken = _post(client, {"username": "community_worker_c1", "display_name": "x"}, "key-2")
    assert taken.status_code == 409

    invalid = _post(client, {"username": "Bad Name", "display_name": "x"}, "key-3")
    assert invalid.status_code == 400

    assert IdempotencyRecord.objects.count() == 0
    retried = _post(client, {"username": "fresh_user", "display_name": "x"}, "key-3")
    assert retried.status_code == 201


def test_without_a_key_each_request_runs(world, client_for):
    client = client_for("system_admin")
    client.post(URL, BODY, format="json")

    again = client.post(URL, BODY, format="json")

    assert again.status_code == 409
    assert again.json()["code"] == "username_taken"
    assert IdempotencyRecord.objects.count() == 0


def test_an_overlong_key_is_400_on_the_header_field(world, client_for):
    response = _post(client_for("system_admin"), BODY, "k" * 201)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert "Idempotency-Key" in response.json()["fields"]
    assert not User.objects.filter(username="probe_user").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_once_and_all_get_the_first_response():
    """Real concurrency (threads, PostgreSQL in CI): the reservation shares the create's
    transaction, so a duplicate waits on the unique key, then replays the committed response."""
    from gongzhi.testing.concurrency import run_at_once
    from gongzhi.testing.world import build_world

    world = build_world()

    def poster() -> Any:
        client = APIClient()
        client.force_login(world.system_admin)  # signed in before the race starts

        def post() -> tuple[int, object]:
            response = _post(client, BODY, "same-key")
            return response.status_code, response.json().get("id")

        return post

    results = run_at_once([poster() for _ in range(4)])
    assert User.objects.filter(username="probe_user").count() == 1
    assert {code for code, _ in results} == {201}
    assert len({pk for _, pk in results}) == 1
    assert IdempotencyRecord.objects.count() == 1
