"""Authorisation matrix for every residents and privacy endpoint (roles x endpoint x object)."""

from __future__ import annotations

import pytest

from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

STAFF_C1 = {"grid_worker_g1": 200, "community_worker_c1": 200, "street_official_s1": 200, "district_official": 200}
KEEPERS = {"grid_worker_g1", "community_worker_c1"}


def everyone_else(value, exclude):
    return {a: value for a in ACTORS if a not in exclude and a != "anonymous"}


def g1_people(w):
    return {w.people.head.pk, w.people.spouse.pk, w.people.child.pk}


def none(w):
    return set()


CASES = [
    Case(
        "resident list",
        "get",
        lambda w: "/api/residents/people/",
        default=200,  # owners may list their own record, so no grant means an empty list
        expect_ids={
            "grid_worker_g1": g1_people,
            "community_worker_c1": g1_people,
            "street_official_s1": lambda w: g1_people(w) | {w.people.resident_g3.pk},
            "district_official": lambda w: g1_people(w) | {w.people.resident_g3.pk, w.people.resident_g4.pk},
            "community_worker_c3": lambda w: {w.people.resident_g4.pk},
            "street_official_s2": lambda w: {w.people.resident_g4.pk},
            "resident_c1": none,
            "no_grant": none,
            "police_liaison": none,
            "property_staff_c1": none,
            "system_admin": none,
        },
    ),
    Case(
        "resident find by ID number",
        "get",
        lambda w: "/api/residents/people/?id_number=11010519491231002x",
        default=200,
        expect_ids={
            "grid_worker_g1": lambda w: {w.people.head.pk},
            "community_worker_c3": none,
            "street_official_s2": none,
            "police_liaison": none,
        },
    ),
    Case(
        "resident find by phone",
        "get",
        lambda w: "/api/residents/people/?phone=139-1234-5678",
        default=200,
        expect_ids={"community_worker_c1": lambda w: {w.people.head.pk}, "community_worker_c3": none},
    ),
    Case(
        "resident lookup by ID number",
        "get",
        lambda w: "/api/residents/people/lookup/?id_number=11010519491231002x",
        default=200,
        expect_ids={
            "grid_worker_g1": lambda w: {w.people.head.pk},
            "district_official": lambda w: {w.people.head.pk},
            "community_worker_c3": none,
            "street_official_s2": none,
            "police_liaison": none,
            "no_grant": none,
        },
    ),
    Case(
        "resident lookup by phone",
        "get",
        lambda w: "/api/residents/people/lookup/?phone=139-1234-5678",
        default=200,
        expect_ids={"community_worker_c1": lambda w: {w.people.head.pk}, "community_worker_c3": none},
    ),
    Case("resident detail", "get", lambda w: f"/api/residents/people/{w.people.head.pk}/", allow=STAFF_C1),
    Case(
        "resident create in G1",
        "post",
        lambda w: "/api/residents/people/",
        body=lambda w: {"grid": w.g1.pk, "name": "新居民", "phone": "13600001234"},
        allow={"grid_worker_g1": 201, "community_worker_c1": 201, "community_worker_c3": 400},
        default=403,
    ),
    Case(
        "resident update",
        "patch",
        lambda w: f"/api/residents/people/{w.people.head.pk}/",
        body=lambda w: {"occupation": "退休"},
        allow={"grid_worker_g1": 200, "community_worker_c1": 200, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "reveal ID number",
        "post",
        lambda w: f"/api/residents/people/{w.people.head.pk}/reveal/",
        body=lambda w: {"field": "id_number", "purpose": "核实低保申请材料"},
        allow={"community_worker_c1": 200, "street_official_s1": 200, "grid_worker_g1": 403, "district_official": 403},
    ),
    Case(
        "set tag",
        "post",
        lambda w: f"/api/residents/people/{w.people.head.pk}/tags/",
        body=lambda w: {"kind": "elderly_alone"},
        allow={"grid_worker_g1": 201, "community_worker_c1": 201, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "give consent",
        "post",
        lambda w: f"/api/residents/people/{w.people.head.pk}/consents/",
        body=lambda w: {"purpose": "contact"},
        allow={"grid_worker_g1": 201, "community_worker_c1": 201, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "health file without consent",
        "put",
        lambda w: f"/api/residents/people/{w.people.head.pk}/health/",
        body=lambda w: {"chronic_conditions": "高血压"},
        allow={"grid_worker_g1": 409, "community_worker_c1": 409, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "health file read without consent",
        "get",
        lambda w: f"/api/residents/people/{w.people.head.pk}/health/",
        allow={"grid_worker_g1": 403, "community_worker_c1": 403, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "household list",
        "get",
        lambda w: "/api/residents/households/",
        allow={**STAFF_C1, "community_worker_c3": 200, "street_official_s2": 200},
        default=403,
        expect_ids={
            "grid_worker_g1": lambda w: {w.people.household_g1.pk},
            "street_official_s1": lambda w: {w.people.household_g1.pk, w.people.household_g3.pk},
            "community_worker_c3": lambda w: {w.people.household_g4.pk},
        },
    ),
    Case("household detail", "get", lambda w: f"/api/residents/households/{w.people.household_g1.pk}/", allow=STAFF_C1),
    Case(
        "household create",
        "post",
        lambda w: "/api/residents/households/",
        body=lambda w: {"grid": w.g1.pk, "address": "科苑路16号"},
        allow={"grid_worker_g1": 201, "community_worker_c1": 201, "community_worker_c3": 400},
        default=403,
    ),
    Case(
        "household move in",
        "post",
        lambda w: f"/api/residents/households/{w.people.household_g1.pk}/members/",
        body=lambda w: {"resident": w.people.resident_g3.pk},
        # the person in G3 is invisible to the grid worker of G1 → 404
        allow={"community_worker_c1": 404, "street_official_s1": 403, "district_official": 403, "grid_worker_g1": 404},
    ),
    Case(
        "visit list",
        "get",
        lambda w: "/api/residents/visits/",
        allow={**STAFF_C1, "community_worker_c3": 200, "street_official_s2": 200},
        default=403,
        expect_ids={"grid_worker_g1": lambda w: {w.people.visit_g1.pk}, "community_worker_c3": none},
    ),
    Case(
        "visit create",
        "post",
        lambda w: "/api/residents/visits/",
        body=lambda w: {
            "household": w.people.household_g1.pk,
            "visited_on": "2026-03-01",
            "kind": "care",
            "notes": "ok",
        },
        allow={"grid_worker_g1": 201, "community_worker_c1": 201, "community_worker_c3": 404},
        default=403,
    ),
    Case(
        "consent list",
        "get",
        lambda w: "/api/privacy/consents/",
        allow={"grid_worker_g1": 200, "community_worker_c1": 200, "community_worker_c3": 200, "street_official_s1": 200}
        | {"street_official_s2": 200},
        default=403,
    ),
    Case(
        "reveal log",
        "get",
        lambda w: "/api/privacy/reveal-log/",
        allow={"community_worker_c1": 200, "community_worker_c3": 200, "street_official_s1": 200}
        | {"street_official_s2": 200, "district_official": 200, "security_admin": 200, "audit_admin": 200},
        default=403,
    ),
    Case(
        "privacy notices",
        "get",
        lambda w: "/api/privacy/notices/",
        allow=dict.fromkeys(("resident_c1", "resident_c3", "grid_worker_g1", "community_worker_c1"), 200)
        | dict.fromkeys(("community_worker_c3", "street_official_s1", "street_official_s2", "district_official"), 200)
        | {"system_admin": 200},
        default=403,
    ),
    Case(
        "publish notice",
        "post",
        lambda w: "/api/privacy/notices/",
        body=lambda w: {"version": "2.0", "title": "告知书", "body": "内容"},
        allow={"system_admin": 201},
        default=403,
    ),
]


# Every actor of the world except the second resident and the evaluator/department
# handler, whose rows are identical to property_staff_c1's here (nothing), to keep the run short.
ACTOR_SUBSET = [a for a in ACTORS if a not in {"resident_c3", "evaluator", "department_handler"}]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES, ACTOR_SUBSET))
def test_matrix(world, people, client_for, case, actor):
    world.people = people
    check(world, client_for, case, actor)
