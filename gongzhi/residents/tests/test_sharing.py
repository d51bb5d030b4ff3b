"""Sharing with other organisations: agreements, police requests with two approvers, disclosure log."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy import actions as privacy_actions
from gongzhi.residents import actions
from gongzhi.residents.choices import PoliceRequestStatus, TagKind
from gongzhi.residents.errors import ResidentError, ResidentErrorCode, SharingForbidden
from gongzhi.residents.models import Disclosure, PoliceRequest, SharingAgreement
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

AGREEMENTS = "/api/residents/sharing-agreements/"
POLICE = "/api/residents/police-requests/"
TODAY = timezone.localdate()


def make_agreement(world, *, organisation=None, fields=("name", "phone", "address"), areas=None, approve=True, **kw):
    agreement = actions.create_agreement(
        organisation=organisation or world.orgs["property_c1"],
        purpose="物业服务通知",
        legal_basis="PIPL art.13(2) 物业服务合同",
        fields=list(fields),
        areas=areas or [world.c1],
        valid_from=kw.get("valid_from", TODAY - datetime.timedelta(days=1)),
        valid_until=kw.get("valid_until", TODAY + datetime.timedelta(days=30)),
        actor=world.street_official_s1,
    )
    if approve:
        agreement = actions.approve_agreement(agreement, actor=world.district_official)
    return agreement


@pytest.fixture
def agreement(world, people):
    return make_agreement(world)


def test_the_organisation_gets_only_the_agreed_fields_of_people_in_the_agreed_areas(
    world, people, agreement, client_for
):
    # when
    response = client_for("property_staff_c1").get(f"{AGREEMENTS}{agreement.pk}/residents/")
    # then
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert {r["ref"] for r in rows} == {people.head.pk, people.spouse.pk, people.child.pk}
    assert all(set(r) == {"ref", "name", "phone", "address"} for r in rows)
    head = next(r for r in rows if r["ref"] == people.head.pk)
    assert head == {
        "ref": people.head.pk,
        "name": "张三",
        "phone": "13912345678",
        "address": people.household_g1.address,
    }


def test_every_disclosure_is_logged_per_person(world, people, agreement, client_for):
    before = ChangeRecord.objects.count()

    client_for("property_staff_c1").get(f"{AGREEMENTS}{agreement.pk}/residents/?id_number=11010519491231002X")

    disclosure = Disclosure.objects.get()
    assert disclosure.resident_id == people.head.pk
    assert disclosure.organisation == world.orgs["property_c1"]
    assert disclosure.actor == world.property_staff_c1
    assert disclosure.fields == ["address", "name", "phone"]
    assert disclosure.agreement_id == agreement.pk
    assert ChangeRecord.objects.count() == before + 1


@pytest.mark.parametrize("state", ["expired", "revoked", "draft", "not_yet"])
def test_nothing_is_shared_unless_the_agreement_is_valid(world, people, client_for, state):
    # given
    if state == "expired":
        agreement = make_agreement(
            world, valid_from=TODAY - datetime.timedelta(days=60), valid_until=TODAY - datetime.timedelta(days=1)
        )
    elif state == "not_yet":
        agreement = make_agreement(world, valid_from=TODAY + datetime.timedelta(days=1))
    elif state == "draft":
        agreement = make_agreement(world, approve=False)
    else:
        agreement = actions.revoke_agreement(make_agreement(world), actor=world.district_official, reason="合同终止")
    # when
    response = client_for("property_staff_c1").get(f"{AGREEMENTS}{agreement.pk}/residents/")
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "agreement_not_valid"
    assert not Disclosure.objects.exists()


def test_another_organisation_cannot_use_the_agreement(world, people, agreement, client_for):
    response = client_for("department_handler").get(f"{AGREEMENTS}{agreement.pk}/residents/")

    assert response.status_code == 404
    assert not Disclosure.objects.exists()


def test_tags_and_birth_year_are_shared_when_agreed(world, people):
    actions.set_tag(people.head, kind=TagKind.ELDERLY_ALONE, actor=world.grid_worker_g1)
    agreement = make_agreement(
        world,
        organisation=world.orgs["housing_bureau"],
        fields=("birth_year", "tags", "residence_type"),
        areas=[world.g1],
    )
    from gongzhi.residents.queries import residents_for_sharing

    rows = actions.disclose_under_agreement(
        agreement, list(residents_for_sharing([world.g1.path])), actor=world.department_handler
    )

    head = next(r for r in rows if r["ref"] == people.head.pk)
    assert head == {
        "ref": people.head.pk,
        "birth_year": 1950,
        "tags": ["elderly_alone"],
        "residence_type": "registered",
    }


def test_an_author_cannot_approve_their_own_agreement(world, people):
    agreement = make_agreement(world, approve=False)

    with pytest.raises(ResidentError) as excinfo:
        actions.approve_agreement(agreement, actor=world.street_official_s1)
    assert excinfo.value.code == ResidentErrorCode.SELF_APPROVAL


def test_an_agreement_with_the_police_shares_nothing(world, people, client_for):
    agreement = make_agreement(world, organisation=world.orgs["police_s1"], areas=[world.s1])

    with pytest.raises(SharingForbidden) as excinfo:
        actions.disclose_under_agreement(agreement, [people.head], actor=world.police_liaison)
    assert excinfo.value.code == ResidentErrorCode.POLICE_REQUEST_REQUIRED


# --- police ----------------------------------------------------------------------------------


def file_police(client_for, fields=("name", "phone")):
    return client_for("police_liaison").post(
        POLICE,
        {
            "id_number": "11010519491231002X",
            "document_number": "粤公(粤海)调证字[2026]18号",
            "legal_basis": "刑事诉讼法第五十四条",
            "purpose": "核实联系人身份",
            "fields": list(fields),
        },
        format="json",
    )


def test_police_see_nothing_until_two_distinct_officials_approve(world, people, client_for):
    # given
    filed = file_police(client_for)
    assert filed.status_code == 201, filed.content
    request_id = filed.json()["id"]
    police = client_for("police_liaison")
    data_url = f"{POLICE}{request_id}/data/"
    # when / then: pending
    pending = police.get(data_url)
    assert pending.status_code == 403
    assert pending.json()["code"] == "police_request_not_usable"
    # one approval is not enough, and the same official cannot count twice
    assert client_for("street_official_s1").post(f"{POLICE}{request_id}/approve/").status_code == 200
    twice = client_for("street_official_s1").post(f"{POLICE}{request_id}/approve/")
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_approved"
    assert police.get(data_url).status_code == 403
    # the second, distinct approver makes it usable
    second = client_for("district_official").post(f"{POLICE}{request_id}/approve/")
    assert second.json()["status"] == "approved"
    response = police.get(data_url)
    assert response.status_code == 200
    assert response.json() == {"ref": people.head.pk, "name": "张三", "phone": "13912345678"}
    disclosure = Disclosure.objects.get()
    assert disclosure.police_request_id == request_id
    assert disclosure.purpose.startswith("粤公(粤海)调证字[2026]18号")


def test_a_police_request_needs_a_document_number(world, people, client_for):
    response = client_for("police_liaison").post(
        POLICE, {"id_number": "11010519491231002X", "legal_basis": "x", "purpose": "核实", "fields": ["name"]},
        format="json",
    )  # fmt: skip

    assert response.status_code == 400
    assert "document_number" in response.json()["fields"]


def test_police_cannot_ask_about_people_outside_their_area(world, people, client_for):
    response = client_for("police_liaison").post(
        POLICE,
        {
            "id_number": people.resident_g4.id_number,
            "document_number": "A1",
            "legal_basis": "x",
            "purpose": "核实身份",
            "fields": ["name"],
        },
        format="json",
    )

    assert response.status_code == 404
    assert not PoliceRequest.objects.exists()


def test_an_approved_police_request_expires(world, people, client_for):
    request = PoliceRequest.objects.get(pk=file_police(client_for).json()["id"])
    actions.approve_police_request(request, actor=world.street_official_s1)
    actions.approve_police_request(request, actor=world.district_official)
    PoliceRequest.objects.filter(pk=request.pk).update(valid_until=timezone.now() - datetime.timedelta(minutes=1))

    response = client_for("police_liaison").get(f"{POLICE}{request.pk}/data/")

    assert response.status_code == 403
    assert response.json()["code"] == "police_request_not_usable"


def test_a_rejected_police_request_needs_a_reason_and_cannot_be_approved(world, people, client_for):
    request = PoliceRequest.objects.get(pk=file_police(client_for).json()["id"])
    with pytest.raises(ResidentError) as excinfo:
        actions.reject_police_request(request, actor=world.street_official_s1, reason="")
    assert excinfo.value.code == ResidentErrorCode.REASON_REQUIRED

    actions.reject_police_request(request, actor=world.street_official_s1, reason="文书不全")

    with pytest.raises(ResidentError) as excinfo:
        actions.approve_police_request(request, actor=world.district_official)
    assert excinfo.value.code == ResidentErrorCode.POLICE_REQUEST_NOT_PENDING
    assert PoliceRequest.objects.get(pk=request.pk).status == PoliceRequestStatus.REJECTED


def test_the_requester_cannot_approve(world, people, client_for):
    request = PoliceRequest.objects.get(pk=file_police(client_for).json()["id"])

    with pytest.raises(ResidentError) as excinfo:
        actions.approve_police_request(request, actor=world.police_liaison)
    assert excinfo.value.code == ResidentErrorCode.SELF_APPROVAL


# --- who accessed resident X between T1 and T2 -----------------------------------------------


def test_access_log_combines_reveals_and_disclosures_between_t1_and_t2(world, people, agreement, client_for):
    # given
    t0 = timezone.now()
    privacy_actions.reveal(people.head, "phone", actor=world.community_worker_c1, purpose="通知体检结果")
    client_for("property_staff_c1").get(f"{AGREEMENTS}{agreement.pk}/residents/?id_number=11010519491231002X")
    t1 = timezone.now()
    url = f"/api/residents/people/{people.head.pk}/access-log/"
    client = client_for("community_worker_c1")
    # when
    everything = client.get(url, {"since": t0.isoformat(), "until": t1.isoformat()}).json()
    later = client.get(url, {"since": t1.isoformat()}).json()
    # then
    assert [e["kind"] for e in everything] == ["agreement", "reveal"]
    assert everything[0]["organisation"] == "深圳科苑物业管理有限公司"
    assert everything[1]["actor"] == world.community_worker_c1.pk
    assert later == []


def test_access_log_rejects_a_bad_date(world, people, client_for):
    response = client_for("community_worker_c1").get(
        f"/api/residents/people/{people.head.pk}/access-log/?since=yesterday"
    )

    assert response.status_code == 400
    assert "since" in response.json()["fields"]


def test_the_person_sees_disclosures_in_their_export(world, people, agreement, client_for):
    client_for("property_staff_c1").get(f"{AGREEMENTS}{agreement.pk}/residents/")

    data = actions.export_resident_data(people.head, actor=world.community_worker_c1, purpose="答复查阅请求")

    assert data["disclosures"][0]["organisation"] == "深圳科苑物业管理有限公司"


def test_sharing_list_query_count_is_bounded(world, people, agreement, client_for, django_assert_max_num_queries):
    client = client_for("property_staff_c1")
    with django_assert_max_num_queries(18):  # 16 + the ledger event and its commitments (constant)
        response = client.get(f"{AGREEMENTS}{agreement.pk}/residents/")
    assert len(response.json()["results"]) == 3


# --- authorisation matrix ---------------------------------------------------------------------


def police_request(w, approvals=0):
    request = actions.file_police_request(
        w.people.head, organisation=w.orgs["police_s1"], actor=w.police_liaison, document_number="A-1",
        legal_basis="刑事诉讼法第五十四条", purpose="核实身份", fields=["name"],
    )  # fmt: skip
    for approver in [w.street_official_s1, w.district_official][:approvals]:
        actions.approve_police_request(request, actor=approver)
    return request


def agreement_ids(w):
    return {a.pk for a in SharingAgreement.objects.all()}


CASES = [
    Case(
        "agreement list",
        "get",
        lambda w: (
            (make_agreement(w), make_agreement(w, organisation=w.orgs["housing_bureau"], areas=[w.district]))
            and AGREEMENTS
        ),
        allow=dict.fromkeys(("community_worker_c1", "street_official_s1", "district_official"), 200)
        | dict.fromkeys(("property_staff_c1", "department_handler", "street_official_s2", "community_worker_c3"), 200),
        default=403,
        expect_ids={
            "department_handler": lambda w: {SharingAgreement.objects.get(organisation=w.orgs["housing_bureau"]).pk},
            "community_worker_c3": lambda w: set(),
            "property_staff_c1": lambda w: {SharingAgreement.objects.get(organisation=w.orgs["property_c1"]).pk},
            "street_official_s1": lambda w: {SharingAgreement.objects.get(organisation=w.orgs["property_c1"]).pk},
            "district_official": agreement_ids,
            "street_official_s2": lambda w: set(),
        },
    ),
    Case(
        "agreement create",
        "post",
        lambda w: AGREEMENTS,
        body=lambda w: {
            "organisation": w.orgs["property_c1"].pk,
            "purpose": "物业服务通知",
            "legal_basis": "合同",
            "fields": ["name", "phone"],
            "areas": [w.c1.pk],
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
        allow={"street_official_s1": 201, "district_official": 201, "street_official_s2": 400},
        default=403,
    ),
    Case(
        "agreement approve",
        "post",
        lambda w: f"{AGREEMENTS}{make_agreement(w, approve=False).pk}/approve/",
        allow={
            "district_official": 200,
            "street_official_s1": 409,
            "community_worker_c1": 403,
            "property_staff_c1": 403,
        },
        default=404,
    ),
    Case(
        "agreement revoke",
        "post",
        lambda w: f"{AGREEMENTS}{make_agreement(w).pk}/revoke/",
        body=lambda w: {"reason": "合同终止"},
        allow={
            "district_official": 200,
            "street_official_s1": 200,
            "community_worker_c1": 403,
            "property_staff_c1": 403,
        },
        default=404,
    ),
    Case(
        "sharing API",
        "get",
        lambda w: f"{AGREEMENTS}{make_agreement(w).pk}/residents/",
        allow={"property_staff_c1": 200}
        | dict.fromkeys(("community_worker_c1", "street_official_s1", "district_official"), 403),
        default=404,
    ),
    Case(
        "police request file",
        "post",
        lambda w: POLICE,
        body=lambda w: {
            "id_number": "11010519491231002X",
            "document_number": "A-2",
            "legal_basis": "刑事诉讼法",
            "purpose": "核实身份",
            "fields": ["name"],
        },
        allow={"police_liaison": 201},
        default=403,
    ),
    Case(
        "police request approve",
        "post",
        lambda w: f"{POLICE}{police_request(w).pk}/approve/",
        allow={"street_official_s1": 200, "district_official": 200, "police_liaison": 403},
        default=404,
    ),
    Case(
        "police data, approved",
        "get",
        lambda w: f"{POLICE}{police_request(w, approvals=2).pk}/data/",
        allow={"police_liaison": 200, "street_official_s1": 403, "district_official": 403},
        default=404,
    ),
    Case(
        "police data, one approval",
        "get",
        lambda w: f"{POLICE}{police_request(w, approvals=1).pk}/data/",
        allow={"police_liaison": 403, "street_official_s1": 403, "district_official": 403},
        default=404,
    ),
    Case(
        "access log",
        "get",
        lambda w: f"/api/residents/people/{w.people.head.pk}/access-log/",
        allow={"community_worker_c1": 200, "street_official_s1": 200, "district_official": 200, "grid_worker_g1": 403},
        default=404,
    ),
]
ACTOR_SUBSET = [a for a in ACTORS if a not in {"resident_c3", "evaluator"}]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES, ACTOR_SUBSET))
def test_matrix(world, people, client_for, case, actor):
    world.people = people
    check(world, client_for, case, actor)
