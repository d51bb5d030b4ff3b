"""What a change record holds: actor, request context, the diff, and never personal data."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.accounts.actions import update_preferences
from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.snapshot import REDACTED
from gongzhi.core.context import acting_as

pytestmark = pytest.mark.django_db

PHONE_BEFORE = "13912345678"
PHONE_AFTER = "13587654321"


class PreferencesProbeView(APIView):
    """A tiny API endpoint that calls an action, mounted only for these tests."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        update_preferences(request.user, actor=request.user, elder_mode=bool(request.data.get("elder_mode")))
        return Response({"ok": True})


urlpatterns = [path("probe/preferences/", PreferencesProbeView.as_view())]
URLCONF = "gongzhi.audit.tests.test_recording"


def _stored_json(record: ChangeRecord) -> str:
    return json.dumps({"before": record.before, "after": record.after}, ensure_ascii=False)


@pytest.mark.urls(URLCONF)
def test_api_request_id_header_is_the_change_records_request_id(world, client_for):
    # given a signed-in user, when they change a preference through the API
    response = client_for("community_worker_c1").post(
        "/probe/preferences/", {"elder_mode": True}, format="json", HTTP_USER_AGENT="Probe/1.0", REMOTE_ADDR="10.1.2.3"
    )

    # then the one record carries the response's request id and the request's context
    assert response.status_code == 200
    record = ChangeRecord.objects.get()
    assert response["X-Request-ID"] == record.request_id
    assert record.actor == world.community_worker_c1
    assert record.actor_label == str(world.community_worker_c1)
    assert record.source == "web"
    assert record.verb == "update_preferences"
    assert record.ip == "10.1.2.3"
    assert record.user_agent == "Probe/1.0"
    assert record.before == {"elder_mode": False}
    assert record.after == {"elder_mode": True}


@pytest.mark.urls(URLCONF)
def test_a_safe_incoming_request_id_is_echoed_and_recorded(world, client_for):
    response = client_for("community_worker_c1").post(
        "/probe/preferences/", {"elder_mode": True}, format="json", HTTP_X_REQUEST_ID="trace-0123456789abcdef"
    )

    assert response["X-Request-ID"] == "trace-0123456789abcdef"
    assert ChangeRecord.objects.get().request_id == "trace-0123456789abcdef"


@pytest.mark.urls(URLCONF)
def test_a_malformed_client_ip_header_does_not_break_the_write(world, client_for):
    # an invalid address would be refused by PostgreSQL's inet column
    response = client_for("community_worker_c1").post(
        "/probe/preferences/", {"elder_mode": True}, format="json", HTTP_X_REAL_IP="not-an-ip", REMOTE_ADDR="10.9.8.7"
    )

    assert response.status_code == 200
    assert ChangeRecord.objects.get().ip == "10.9.8.7"


def test_a_task_under_acting_as_records_its_source_and_actor(world):
    # given a task run on behalf of a user, and one run by the system
    with acting_as(world.community_worker_c1, source="task:remind", request_id="task-run-000001"):
        update_preferences(world.community_worker_c1, actor=world.community_worker_c1, language="en")
    with acting_as(None, source="task:nightly"):
        update_preferences(world.grid_worker_g1, actor=None, elder_mode=True)

    # then each record names its source, request id and actor
    by_user = {r.target_id: r for r in ChangeRecord.objects.all()}
    delegated = by_user[str(world.community_worker_c1.pk)]
    assert (delegated.source, delegated.request_id, delegated.actor) == (
        "task:remind",
        "task-run-000001",
        world.community_worker_c1,
    )
    system = by_user[str(world.grid_worker_g1.pk)]
    assert (system.source, system.actor, system.actor_label) == ("task:nightly", None, "task:nightly")
    assert len(system.request_id) == 32


def test_the_actor_defaults_to_the_context_actor(world):
    with acting_as(world.audit_admin, source="import:areas"):
        record = record_change(world.c1, verb="probe", before=None, after={"x": 1})

    assert record.actor == world.audit_admin
    assert record.source == "import:areas"


def test_work_outside_any_context_gets_a_fresh_request_id_each_time(world):
    first = record_change(world.c1, verb="probe", before=None, after={"n": 1})
    second = record_change(world.c1, verb="probe", before=None, after={"n": 2})

    assert first.source == second.source == "system"
    assert first.request_id != second.request_id


def test_update_preferences_never_records_phone_or_password(world):
    # given a user with a phone and a password
    user = world.resident_c1
    user.phone = PHONE_BEFORE
    user.save(update_fields=["phone"])

    # when they change their preferences
    update_preferences(user, actor=user, elder_mode=True, language="en")

    # then only the preferences are in the record, and no personal data
    record = ChangeRecord.objects.get()
    assert set(record.after) == {"elder_mode", "language"}
    stored = _stored_json(record)
    assert PHONE_BEFORE not in stored
    assert user.password not in stored


def test_a_changed_phone_and_password_show_as_changed_but_redacted(world):
    # given a user whose phone and password change
    user = world.resident_c1
    old_hash = user.password
    before = snapshot(user)
    user.phone = PHONE_AFTER
    user.set_password("Another-Secret-2026!")
    user.save(update_fields=["phone", "password"])

    # when the change is recorded directly
    record = record_change(user, verb="change_contact", actor=user, before=before)

    # then the fields are listed as changed, with no value on either side
    assert record.before["phone"] == record.after["phone"] == REDACTED
    assert record.before["password"] == record.after["password"] == REDACTED
    stored = _stored_json(record)
    for secret in ("13800000001", PHONE_AFTER, old_hash, user.password, "Another-Secret-2026!"):
        assert secret not in stored
    assert "[redacted:" not in stored


def test_an_unchanged_redacted_field_is_left_out_and_a_cleared_one_is_null(world):
    user = world.resident_c1
    before = snapshot(user)
    user.phone = None
    user.display_name = "新名字"
    user.save(update_fields=["phone", "display_name"])

    record = record_change(user, verb="probe", actor=user, before=before)

    assert record.before == {"display_name": "resident_c1", "phone": REDACTED}
    assert record.after == {"display_name": "新名字", "phone": None}


def test_a_created_user_has_redacted_personal_fields(world):
    user = get_user_model().objects.create(username="new-resident", phone=PHONE_AFTER, password="pbkdf2$fake")

    record = record_change(user, verb="create", actor=world.system_admin)

    assert record.before is None
    assert record.after["phone"] == REDACTED
    assert record.after["password"] == REDACTED
    assert PHONE_AFTER not in _stored_json(record)
