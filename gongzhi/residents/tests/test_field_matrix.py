"""Field-level authorisation matrix: for EVERY actor, exactly which personal fields come back,
clear or masked, from each endpoint that returns them (issue 4: "covers every endpoint and
field"). Endpoint-level status codes are in test_api_matrix.py; sharing and police in
test_sharing.py; the pages in test_pages.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongzhi.privacy import actions as privacy_actions
from gongzhi.privacy.choices import ConsentPurpose
from gongzhi.residents import actions
from gongzhi.residents.models import Resident
from gongzhi.testing.world import ACTORS

CLEAR = {"name": "张三", "id_number": "11010519491231002X", "phone": "13912345678"}
MASKED_IDS = {"name": "张三", "id_number": "110105********002X", "phone": "139****5678"}
OFFICIAL = {"name": "张*", "id_number": "110105********002X", "phone": "139****5678"}

#: resident detail: actor → the three identifying fields as that actor sees them, or the status code
RESIDENT_DETAIL: dict[str, dict[str, str] | int] = {
    "grid_worker_g1": MASKED_IDS,  # own grid: real name, identifiers masked
    "community_worker_c1": MASKED_IDS,
    "street_official_s1": OFFICIAL,  # names masked too
    "district_official": OFFICIAL,
    "resident_c1": CLEAR,  # the person themself (record linked below)
}
NOT_FOUND = 404


def expected_detail(actor: str) -> dict[str, str] | int:
    if actor == "anonymous":
        return 403
    return RESIDENT_DETAIL.get(actor, NOT_FOUND)


@pytest.fixture
def linked(world, people):
    Resident.objects.filter(pk=people.head.pk).update(user=world.resident_c1)
    people.head.refresh_from_db()
    return people


@pytest.mark.parametrize("actor", list(ACTORS))
def test_resident_detail_fields_for_every_actor(world, linked, client_for, actor):
    response = client_for(actor).get(f"/api/residents/people/{linked.head.pk}/")
    want = expected_detail(actor)

    if isinstance(want, int):
        assert response.status_code in ({401, 403} if want == 403 else {want}), (actor, response.status_code)
        return
    assert response.status_code == 200, (actor, response.content)
    body = response.json()
    assert {k: body[k] for k in want} == want, actor
    serialised = response.content.decode()
    if want["id_number"] != CLEAR["id_number"]:
        assert CLEAR["id_number"] not in serialised  # not hidden in another field either
        assert CLEAR["phone"] not in serialised


@pytest.mark.parametrize("actor", list(ACTORS))
def test_resident_list_never_leaks_clear_identifiers_to_staff(world, linked, client_for, actor):
    response = client_for(actor).get("/api/residents/people/")
    text = response.content.decode()

    if actor == "resident_c1":
        assert CLEAR["id_number"] in text  # their own record
    else:
        assert CLEAR["id_number"] not in text
        assert CLEAR["phone"] not in text
    if actor in {"street_official_s1", "district_official"}:
        assert "张三" not in text


#: exact lookup: the same fields, clear or masked, as the detail; out of scope finds nobody
@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("param", ["id_number=11010519491231002x", "phone=139-1234-5678"])
def test_resident_lookup_fields_for_every_actor(world, linked, client_for, actor, param):
    response = client_for(actor).get(f"/api/residents/people/lookup/?{param}")
    want = expected_detail(actor)

    if want == 403:
        assert response.status_code in {401, 403}, (actor, response.status_code)
        return
    assert response.status_code == 200, (actor, response.content)
    results = response.json()["results"]
    if want == NOT_FOUND:
        assert results == [], actor
        return
    assert isinstance(want, dict)
    assert [{k: r[k] for k in want} for r in results] == [want], actor
    if want["id_number"] != CLEAR["id_number"]:
        assert CLEAR["id_number"] not in response.content.decode()
        assert CLEAR["phone"] not in response.content.decode()


@pytest.fixture
def with_health(world, linked):
    privacy_actions.give_consent(linked.head, purpose=ConsentPurpose.HEALTH, actor=world.grid_worker_g1)
    actions.save_health_file(linked.head, actor=world.grid_worker_g1, chronic_conditions="高血压")
    return linked


HEALTH_READERS = {"grid_worker_g1", "community_worker_c1"}


@pytest.mark.parametrize("actor", list(ACTORS))
def test_health_file_fields_for_every_actor(world, with_health, client_for, actor):
    response = client_for(actor).get(f"/api/residents/people/{with_health.head.pk}/health/")

    if actor in HEALTH_READERS:
        assert response.status_code == 200
        assert response.json()["chronic_conditions"] == "高血压"
    else:
        assert response.status_code in {401, 403, 404}, (actor, response.status_code)
        assert "高血压" not in response.content.decode()


@pytest.mark.parametrize("actor", list(ACTORS))
def test_visit_notes_only_for_care_staff(world, linked, client_for, actor):
    response = client_for(actor).get("/api/residents/visits/")
    notes = linked.visit_g1.notes

    if response.status_code != 200:
        assert notes not in response.content.decode()
        return
    rows = {r["id"]: r for r in response.json()["results"]}
    if linked.visit_g1.pk in rows:
        shown = rows[linked.visit_g1.pk]["notes"]
        assert shown == (notes if actor in HEALTH_READERS else ""), actor
    else:
        assert actor not in HEALTH_READERS


@pytest.mark.parametrize("actor", list(ACTORS))
def test_household_page_fields_for_every_actor(world, linked, client_for, actor):
    response = client_for(actor).get(f"/residents/households/{linked.household_g1.pk}/")
    text = response.content.decode()

    assert CLEAR["id_number"] not in text  # never in clear on the page, not even for the person
    assert CLEAR["phone"] not in text
    if actor in {"grid_worker_g1", "community_worker_c1"}:
        assert response.status_code == 200
        assert "张三" in text
        assert linked.visit_g1.notes in text
    elif actor in {"street_official_s1", "district_official"}:
        assert response.status_code == 200
        assert "张三" not in text
        assert "张*" in text
        assert linked.visit_g1.notes not in text
    else:
        assert response.status_code in {302, 404}, (actor, response.status_code)


@pytest.mark.parametrize("actor", list(ACTORS))
def test_export_gives_clear_values_only_to_the_person_and_handlers(world, linked, client_for, actor):
    response = client_for(actor).get(f"/api/residents/people/{linked.head.pk}/export/?purpose=答复查阅请求")

    if actor in {"resident_c1", "community_worker_c1"}:
        assert response.status_code == 200
        assert response.json()["person"]["id_number"] == CLEAR["id_number"]
    else:
        assert response.status_code in {401, 403, 404}, (actor, response.status_code)
        assert CLEAR["id_number"] not in response.content.decode()


def _agreement(world, fields):
    today = timezone.localdate()
    agreement = actions.create_agreement(
        organisation=world.orgs["property_c1"], purpose="物业服务通知", legal_basis="合同", fields=fields,
        areas=[world.c1], valid_from=today - datetime.timedelta(days=1),
        valid_until=today + datetime.timedelta(days=5), actor=world.street_official_s1,
    )  # fmt: skip
    return actions.approve_agreement(agreement, actor=world.district_official)


@pytest.mark.parametrize("actor", list(ACTORS))
def test_sharing_returns_only_agreed_fields_and_only_to_the_organisation(world, linked, client_for, actor):
    agreement = _agreement(world, ["name", "birth_year"])

    response = client_for(actor).get(f"/api/residents/sharing-agreements/{agreement.pk}/residents/")

    if actor == "property_staff_c1":
        assert response.status_code == 200
        rows = response.json()["results"]
        assert rows
        assert all(set(r) == {"ref", "name", "birth_year"} for r in rows)
        assert CLEAR["phone"] not in response.content.decode()
    else:
        assert response.status_code in {401, 403, 404}, (actor, response.status_code)
        assert "张三" not in response.content.decode()


@pytest.mark.parametrize("actor", list(ACTORS))
def test_police_see_nothing_without_an_approved_request(world, linked, client_for, actor):
    filed = client_for("police_liaison").post(
        "/api/residents/police-requests/",
        {"id_number": CLEAR["id_number"], "document_number": "调证[2026]1号", "legal_basis": "刑诉法",
         "purpose": "核实身份", "fields": ["name", "phone"]},
        format="json",
    )  # fmt: skip
    assert filed.status_code == 201

    response = client_for(actor).get(f"/api/residents/police-requests/{filed.json()['id']}/data/")

    assert response.status_code in {401, 403, 404}, (actor, response.status_code)
    assert CLEAR["phone"] not in response.content.decode()
    assert "张三" not in response.content.decode()
