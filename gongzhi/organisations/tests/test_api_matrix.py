"""Authorisation matrix for every organisations endpoint, across every actor of the test world."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.organisations.models import MatterCategory
from gongzhi.organisations.tests.duty_world import build_duties
from gongzhi.testing.matrix import Case, check, matrix_params

ALL_ORGS = {
    "street_office_s1",
    "street_office_s2",
    "committee_c1",
    "committee_c3",
    "housing_bureau",
    "property_c1",
    "police_s1",
    "evaluator",
    "district_gov",
}
#: Seen from inside street S1 (or below): everything seated or serving there, or serving above it.
S1_SIDE = ALL_ORGS - {"street_office_s2", "committee_c3"}
S2_SIDE = {"street_office_s2", "committee_c3", "housing_bureau", "evaluator", "district_gov"}

ORG_VIEWERS = {
    "resident_c1": S1_SIDE,
    "resident_c3": S2_SIDE,
    "grid_worker_g1": S1_SIDE,
    "community_worker_c1": S1_SIDE,
    "community_worker_c3": S2_SIDE,
    "street_official_s1": S1_SIDE,
    "street_official_s2": S2_SIDE,
    "district_official": ALL_ORGS,
    "department_handler": ALL_ORGS,
    "property_staff_c1": S1_SIDE,
    "police_liaison": S1_SIDE,
    "evaluator": ALL_ORGS,
    "system_admin": ALL_ORGS,
}
SEES_COMMITTEE_C1 = [a for a, seen in ORG_VIEWERS.items() if "committee_c1" in seen]
SEES_BUREAU = list(ORG_VIEWERS)
CATEGORY_VIEWERS = list(ORG_VIEWERS)
#: Holders of view_dutyassignment (residents lack it).
DUTY_VIEWERS = [a for a in ORG_VIEWERS if not a.startswith("resident")]


def org_ids(names):
    return lambda w: {w.orgs[n].pk for n in names}


def duty_ids(*names):
    return lambda w: {getattr(build_duties(w), n).pk for n in names}


def all_categories(w):
    build_duties(w)
    return set(MatterCategory.objects.values_list("pk", flat=True))


def org_csv(w):
    content = f"code,name,kind,seat_code,serves\nORG-NEW,科技园志愿服务队,volunteer_team,{w.c1.code},{w.c1.code}\n"
    return {"file": SimpleUploadedFile("orgs.csv", content.encode(), content_type="text/csv")}


CASES = [
    Case(
        "organisations list",
        "get",
        lambda w: "/api/organisations/organisations/",
        allow=dict.fromkeys(ORG_VIEWERS, 200),
        default=403,
        expect_ids={actor: org_ids(seen) for actor, seen in ORG_VIEWERS.items()},
    ),
    Case(
        "organisations serving G1",
        "get",
        lambda w: f"/api/organisations/organisations/?serves={w.g1.pk}",
        allow=dict.fromkeys(ORG_VIEWERS, 200),
        default=403,
        expect_ids={
            "system_admin": org_ids(S1_SIDE),
            "community_worker_c1": org_ids(S1_SIDE),
            "street_official_s2": lambda w: set(),  # G1 is not visible to them
        },
    ),
    Case(
        "organisation detail committee C1",
        "get",
        lambda w: f"/api/organisations/organisations/{w.orgs['committee_c1'].pk}/",
        allow=dict.fromkeys(SEES_COMMITTEE_C1, 200),
    ),
    Case(
        "organisation create seated in C1",
        "post",
        lambda w: "/api/organisations/organisations/",
        body=lambda w: {"kind": "volunteer_team", "name": "科技园志愿服务队", "code": "ORG-VT1", "seat": w.c1.pk},
        allow={"street_official_s1": 201, "system_admin": 201, "street_official_s2": 400},
        default=403,
    ),
    Case(
        "organisation update committee C1",
        "patch",
        lambda w: f"/api/organisations/organisations/{w.orgs['committee_c1'].pk}/",
        body=lambda w: {"contact_phone": "0755-26000000"},
        allow={**dict.fromkeys(SEES_COMMITTEE_C1, 403), "street_official_s1": 200, "system_admin": 200},
    ),
    Case(
        "organisation update district bureau",
        "patch",
        lambda w: f"/api/organisations/organisations/{w.orgs['housing_bureau'].pk}/",
        body=lambda w: {"address": "南山区桃园路"},
        allow={**dict.fromkeys(SEES_BUREAU, 403), "system_admin": 200},
    ),
    Case(
        "organisation served areas committee C1",
        "put",
        lambda w: f"/api/organisations/organisations/{w.orgs['committee_c1'].pk}/served-areas/",
        body=lambda w: {"areas": [w.c1.pk, w.g1.pk]},
        allow={**dict.fromkeys(SEES_COMMITTEE_C1, 403), "street_official_s1": 200, "system_admin": 200},
    ),
    Case(
        "organisations import",
        "post",
        lambda w: "/api/organisations/organisations/import/",
        body=org_csv,
        fmt="multipart",
        allow={"street_official_s1": 200, "street_official_s2": 400, "system_admin": 200},
        default=403,
        writes=2,  # create_organisation + set_served_areas
    ),
    Case(
        "categories list",
        "get",
        lambda w: (build_duties(w), "/api/organisations/categories/")[1],
        allow=dict.fromkeys(CATEGORY_VIEWERS, 200),
        default=403,
        expect_ids=dict.fromkeys(CATEGORY_VIEWERS, all_categories),
    ),
    Case(
        "categories tree",
        "get",
        lambda w: (build_duties(w), "/api/organisations/categories/tree/")[1],
        allow=dict.fromkeys(CATEGORY_VIEWERS, 200),
        default=403,
    ),
    Case(
        "category detail",
        "get",
        lambda w: f"/api/organisations/categories/{build_duties(w).waste.pk}/",
        allow=dict.fromkeys(CATEGORY_VIEWERS, 200),
    ),
    Case(
        "category create",
        "post",
        lambda w: "/api/organisations/categories/",
        body=lambda w: {"code": "ENV-NOISE", "name": "噪声扰民", "parent": build_duties(w).env.pk},
        allow={"system_admin": 201},
        default=403,
    ),
    Case(
        "category update",
        "patch",
        lambda w: f"/api/organisations/categories/{build_duties(w).waste.pk}/",
        body=lambda w: {"name_en": "Waste collection"},
        allow={**dict.fromkeys(CATEGORY_VIEWERS, 403), "system_admin": 200},
    ),
    Case(
        "duties list",
        "get",
        lambda w: (build_duties(w), "/api/organisations/duties/")[1],
        allow=dict.fromkeys(DUTY_VIEWERS, 200),
        default=403,
        expect_ids={
            "grid_worker_g1": lambda w: set(),
            "community_worker_c1": duty_ids("c1_waste", "property_full"),
            "community_worker_c3": lambda w: set(),
            "street_official_s1": duty_ids("s1_env", "c1_waste", "property_full"),
            "street_official_s2": duty_ids("s2_house"),
            "district_official": duty_ids("bureau_env", "s1_env", "c1_waste", "property_full", "s2_house"),
            "department_handler": duty_ids("bureau_env"),  # organisation-scoped: their bureau only
            "property_staff_c1": duty_ids("property_full"),
            "police_liaison": lambda w: set(),
            "evaluator": duty_ids("bureau_env", "s1_env", "c1_waste", "property_full", "s2_house"),
            "system_admin": duty_ids("bureau_env", "s1_env", "c1_waste", "property_full", "s2_house"),
        },
    ),
    Case(
        "duty detail in C1",
        "get",
        lambda w: f"/api/organisations/duties/{build_duties(w).c1_waste.pk}/",
        allow=dict.fromkeys(
            ["community_worker_c1", "street_official_s1", "district_official", "evaluator", "system_admin"], 200
        ),
    ),
    Case(
        "duty create in G1",
        "post",
        lambda w: "/api/organisations/duties/",
        body=lambda w: {
            "organisation": w.orgs["committee_c1"].pk,
            "category": build_duties(w).house.pk,
            "area": w.g1.pk,
            "duty_role": "assist",
        },
        allow={"street_official_s1": 201, "system_admin": 201, "street_official_s2": 400},
        default=403,
    ),
    Case(
        "duty update in C1",
        "patch",
        lambda w: f"/api/organisations/duties/{build_duties(w).c1_waste.pk}/",
        body=lambda w: {"basis": "《深圳市生活垃圾分类管理条例》"},
        allow={
            **dict.fromkeys(["community_worker_c1", "district_official", "evaluator"], 403),
            "street_official_s1": 200,
            "system_admin": 200,
        },
    ),
    Case(
        "duty delete in C1",
        "delete",
        lambda w: f"/api/organisations/duties/{build_duties(w).c1_waste.pk}/",
        allow={
            **dict.fromkeys(["community_worker_c1", "district_official", "evaluator"], 403),
            "street_official_s1": 204,
            "system_admin": 204,
        },
    ),
    Case(
        "route a matter in G1",
        "get",
        lambda w: f"/api/organisations/route/?category={build_duties(w).full.pk}&area={w.g1.pk}",
        allow={
            **dict.fromkeys(DUTY_VIEWERS, 200),
            "community_worker_c3": 404,  # G1 is out of their area
            "street_official_s2": 404,
        },
        default=403,
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_organisations_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)
