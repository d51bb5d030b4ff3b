"""Data-subject requests (PIPL art. 44-47): copy, correction, deletion; the staff queue."""

from __future__ import annotations

import datetime
import json

import pytest
from django.conf import settings
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy import actions as privacy_actions
from gongzhi.privacy.choices import ConsentPurpose
from gongzhi.privacy.fields import raw
from gongzhi.privacy.models import RevealLog
from gongzhi.residents import actions
from gongzhi.residents.choices import RequestKind, RequestStatus
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import DataSubjectRequest, HealthFile, HouseholdMembership, Resident, Visit
from gongzhi.residents.models.rights import RESPONSE_DAYS
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

BASE = "/api/residents/data-requests/"


@pytest.fixture
def own(world, people):
    """张三 (head of household G1) has signed up: his record is linked to resident_c1."""
    Resident.objects.filter(pk=people.head.pk).update(user=world.resident_c1)
    people.head.refresh_from_db()
    return people.head


def file_request(resident, kind, actor, details=""):
    return actions.submit_data_request(resident, kind=kind, actor=actor, details=details)


def test_a_resident_files_a_request_for_their_own_record_due_in_response_days(world, own, client_for):
    # when
    response = client_for("resident_c1").post(BASE, {"kind": "correction", "details": "电话号码已更换"}, format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["resident"] == own.pk
    assert body["status"] == "open"
    assert body["due_on"] == (timezone.localdate() + datetime.timedelta(days=RESPONSE_DAYS)).isoformat()
    raw_details = DataSubjectRequest.objects.values_list(raw("details"), flat=True).get()
    assert "电话" not in raw_details  # encrypted at rest


def test_a_second_open_request_of_the_same_kind_is_refused(world, own, client_for):
    client = client_for("resident_c1")
    client.post(BASE, {"kind": "deletion"}, format="json")
    # when
    response = client.post(BASE, {"kind": "deletion"}, format="json")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "request_already_open"


def test_a_resident_cannot_file_for_someone_else(world, own, people, client_for):
    response = client_for("resident_c1").post(BASE, {"kind": "access", "resident": people.spouse.pk}, format="json")

    assert response.status_code == 404
    assert not DataSubjectRequest.objects.exists()


def test_a_resident_without_a_record_gets_404(world, people, client_for):
    response = client_for("resident_c3").post(BASE, {"kind": "access"}, format="json")

    assert response.status_code == 404


def test_refusal_needs_a_reason(world, own, client_for):
    request = file_request(own, RequestKind.DELETION, world.resident_c1)
    client = client_for("community_worker_c1")
    # when
    blank = client.post(f"{BASE}{request.pk}/refuse/", {"reason": ""}, format="json")
    short = client.post(f"{BASE}{request.pk}/refuse/", {"reason": "不"}, format="json")
    done = client.post(f"{BASE}{request.pk}/refuse/", {"reason": "低保审核期间须保留资料"}, format="json")
    # then
    assert blank.status_code == 400
    assert blank.json()["code"] == "invalid"
    assert "reason" in blank.json()["fields"]
    assert short.status_code == 409
    assert short.json()["code"] == "reason_required"
    assert done.status_code == 200
    assert done.json()["status"] == "refused"
    assert done.json()["refusal_reason"] == "低保审核期间须保留资料"


def test_a_handled_request_cannot_be_handled_again(world, own):
    request = file_request(own, RequestKind.ACCESS, world.resident_c1)
    actions.complete_data_request(request, actor=world.community_worker_c1, resolution="已提供副本")

    with pytest.raises(ResidentError) as excinfo:
        actions.refuse_data_request(request, actor=world.community_worker_c1, reason="重复请求")
    assert excinfo.value.code == ResidentErrorCode.REQUEST_NOT_OPEN


def test_completing_a_correction_needs_a_note_of_what_changed(world, own):
    request = file_request(own, RequestKind.CORRECTION, world.resident_c1, "电话号码已更换")

    with pytest.raises(ResidentError) as excinfo:
        actions.complete_data_request(request, actor=world.community_worker_c1)
    assert excinfo.value.code == ResidentErrorCode.RESOLUTION_REQUIRED

    actions.update_resident(own, actor=world.community_worker_c1, phone="13700001111")
    done = actions.complete_data_request(request, actor=world.community_worker_c1, resolution="已更正电话号码")
    assert done.status == RequestStatus.COMPLETED


def give_health(people, world):
    privacy_actions.give_consent(people.head, purpose=ConsentPurpose.HEALTH, actor=world.grid_worker_g1)
    actions.save_health_file(people.head, actor=world.grid_worker_g1, chronic_conditions="高血压")


def test_completing_a_deletion_anonymises_and_keeps_statutory_records(world, own, people, client_for):
    # given
    give_health(people, world)
    request = file_request(own, RequestKind.DELETION, world.resident_c1)
    before = ChangeRecord.objects.count()
    # when
    response = client_for("community_worker_c1").post(
        f"{BASE}{request.pk}/complete/", {"resolution": "已匿名化"}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    assert ChangeRecord.objects.count() == before + 1
    person = Resident.objects.get(pk=own.pk)
    assert person.anonymised_at is not None
    assert (person.name, person.id_number, person.phone, person.date_of_birth, person.user_id) == (
        actions.ANONYMOUS_NAME,
        "",
        "",
        None,
        None,
    )
    assert (person.id_number_index, person.phone_index) == ("", "")
    assert not HealthFile.objects.filter(resident=person).exists()
    assert Visit.objects.get(pk=people.visit_g1.pk).notes == ""
    assert HouseholdMembership.objects.filter(resident=person).count() == 1  # the register keeps the row
    stored = json.dumps(list(Resident.objects.filter(pk=own.pk).values()), default=str, ensure_ascii=False)
    assert "张三" not in stored
    assert "13912345678" not in stored


def test_a_legal_hold_stops_a_deletion(world, own):
    Resident.objects.filter(pk=own.pk).update(legal_hold=True)
    request = file_request(own, RequestKind.DELETION, world.resident_c1)

    with pytest.raises(ResidentError) as excinfo:
        actions.complete_data_request(request, actor=world.community_worker_c1)
    assert excinfo.value.code == ResidentErrorCode.LEGAL_HOLD
    assert Resident.objects.get(pk=own.pk).anonymised_at is None


def test_an_anonymised_person_cannot_ask_for_correction(world, own):
    deletion = file_request(own, RequestKind.DELETION, world.resident_c1)
    actions.complete_data_request(deletion, actor=world.community_worker_c1)

    with pytest.raises(ResidentError) as excinfo:
        file_request(Resident.objects.get(pk=own.pk), RequestKind.CORRECTION, world.community_worker_c1)
    assert excinfo.value.code == ResidentErrorCode.ALREADY_ANONYMISED


def test_a_resident_downloads_all_their_data_as_json_unmasked(world, own, people, client_for):
    # given
    give_health(people, world)
    privacy_actions.reveal(people.head, "phone", actor=world.community_worker_c1, purpose="通知体检结果")
    # when
    response = client_for("resident_c1").get(f"/api/residents/people/{own.pk}/export/?download=1")
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="resident-')
    data = response.json()
    assert data["person"]["id_number"] == "11010519491231002X"
    assert data["person"]["phone"] == "13912345678"
    assert data["health_file"]["chronic_conditions"] == "高血压"
    assert data["households"][0]["household"] == people.household_g1.address
    assert [c["purpose"] for c in data["consents"]] == ["health"]
    assert data["access_log"][0]["purpose"] == "通知体检结果"
    assert data["visits"][0]["notes"] == people.visit_g1.notes


def test_the_readable_copy_is_html_in_chinese(world, own, client_for):
    client = client_for("resident_c1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get(f"/api/residents/people/{own.pk}/export/?as=html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "我的个人信息" in html
    assert "公民身份号码" in html
    assert "11010519491231002X" in html
    assert "户主" in html  # relation shown by its name, not its code


def test_staff_export_needs_a_purpose_and_is_logged(world, people, client_for):
    client = client_for("community_worker_c1")
    url = f"/api/residents/people/{people.head.pk}/export/"
    # when
    refused = client.get(url)
    allowed = client.get(url + "?purpose=答复查阅复制请求")
    # then
    assert refused.status_code == 409
    assert refused.json()["code"] == "purpose_required"
    assert allowed.status_code == 200
    log = RevealLog.objects.get()
    assert (log.actor, log.field, log.purpose) == (world.community_worker_c1, "*", "答复查阅复制请求")


def test_the_queue_is_earliest_deadline_first_and_filters_overdue(world, people, client_for):
    # given
    late = file_request(people.head, RequestKind.ACCESS, world.grid_worker_g1)
    fresh = file_request(people.spouse, RequestKind.ACCESS, world.grid_worker_g1)
    DataSubjectRequest.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    client = client_for("community_worker_c1")
    # when
    queue = client.get(BASE + "?status=open").json()["results"]
    overdue = client.get(BASE + "?overdue=1").json()["results"]
    # then
    assert [r["id"] for r in queue] == [late.pk, fresh.pk]
    assert queue[0]["overdue"] is True
    assert queue[1]["overdue"] is False
    assert [r["id"] for r in overdue] == [late.pk]


def test_queue_list_query_count_does_not_grow_with_rows(world, people, client_for, django_assert_max_num_queries):
    for person in (people.head, people.spouse, people.child):
        file_request(person, RequestKind.ACCESS, world.grid_worker_g1)
    client = client_for("community_worker_c1")
    with django_assert_max_num_queries(12):
        response = client.get(BASE)
    assert len(response.json()["results"]) == 3


# --- authorisation matrix -------------------------------------------------------------------


def open_request_g1(w):
    return actions.submit_data_request(w.people.head, kind=RequestKind.DELETION, actor=w.grid_worker_g1)


def open_request_g4(w):
    return actions.submit_data_request(w.people.resident_g4, kind=RequestKind.ACCESS, actor=w.community_worker_c3)


CASES = [
    Case(
        "data request queue",
        "get",
        lambda w: (open_request_g1(w), open_request_g4(w), BASE)[-1],
        default=200,  # owners may list their own requests, so no grant means an empty list
        expect_ids={
            "no_grant": lambda w: set(),
            "police_liaison": lambda w: set(),
            "property_staff_c1": lambda w: set(),
            "district_official": lambda w: set(),
            "street_official_s2": lambda w: {
                r.pk for r in DataSubjectRequest.objects.filter(resident=w.people.resident_g4)
            },
            "resident_c1": lambda w: {r.pk for r in DataSubjectRequest.objects.filter(resident=w.people.head)},
            "grid_worker_g1": lambda w: {r.pk for r in DataSubjectRequest.objects.filter(resident=w.people.head)},
            "community_worker_c3": lambda w: {
                r.pk for r in DataSubjectRequest.objects.filter(resident=w.people.resident_g4)
            },
            "street_official_s1": lambda w: {r.pk for r in DataSubjectRequest.objects.filter(resident=w.people.head)},
        },
    ),
    Case(
        "file data request on behalf",
        "post",
        lambda w: BASE,
        body=lambda w: {"kind": "access", "resident": w.people.spouse.pk},
        allow={"grid_worker_g1": 201, "community_worker_c1": 201, "resident_c1": 404, "community_worker_c3": 404},
        default=403,
    ),
    Case(
        "complete data request",
        "post",
        lambda w: f"{BASE}{open_request_g1(w).pk}/complete/",
        body=lambda w: {"resolution": "已匿名化"},
        allow={"community_worker_c1": 200, "grid_worker_g1": 403, "street_official_s1": 403, "resident_c1": 403},
        default=404,
    ),
    Case(
        "refuse data request",
        "post",
        lambda w: f"{BASE}{open_request_g1(w).pk}/refuse/",
        body=lambda w: {"reason": "须依法保留"},
        allow={"community_worker_c1": 200, "grid_worker_g1": 403, "street_official_s1": 403, "resident_c1": 403},
        default=404,
    ),
    Case(
        "export a person's data",
        "get",
        lambda w: f"/api/residents/people/{w.people.head.pk}/export/?purpose=答复查阅复制请求",
        allow={"resident_c1": 200, "community_worker_c1": 200}
        | dict.fromkeys(("grid_worker_g1", "street_official_s1", "district_official"), 403),
        default=404,
    ),
]
ACTOR_SUBSET = [a for a in ACTORS if a not in {"resident_c3", "evaluator", "department_handler"}]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES, ACTOR_SUBSET))
def test_matrix(world, people, own, client_for, case, actor):
    world.people = people
    check(world, client_for, case, actor)
