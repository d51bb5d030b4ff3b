"""Authorisation matrix for every territory endpoint, across every actor of the test world."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.territory.models import Area, Building, Room, Unit
from gongzhi.testing.matrix import Case, check, matrix_params


def area_ids(*names):
    """Ids of the areas under the named world areas (their whole subtrees)."""

    def compute(w):
        paths = [getattr(w, n).path for n in names]
        return {a.pk for a in Area.objects.all() if any(a.path.startswith(p) for p in paths)}

    return compute


def all_area_ids(w):
    return set(Area.objects.values_list("pk", flat=True))


def building_ids(*names):
    def compute(w):
        paths = [getattr(w, n).path for n in names]
        return {b.pk for b in Building.objects.all() if any(b.area_path.startswith(p) for p in paths)}

    return compute


def unit_ids(*names):
    def compute(w):
        return {u.pk for u in Unit.objects.all() if u.building_id in building_ids(*names)(w)}

    return compute


def room_ids(*names):
    def compute(w):
        return {r.pk for r in Room.objects.select_related("unit") if r.unit.building_id in building_ids(*names)(w)}

    return compute


#: Actors who may view areas anywhere in their grant, and their subtree's root.
AREA_VIEWERS = {
    "resident_c1": "c1",
    "resident_c3": "c3",
    "grid_worker_g1": "g1",
    "community_worker_c1": "c1",
    "community_worker_c3": "c3",
    "street_official_s1": "s1",
    "street_official_s2": "s2",
    "district_official": "district",
    "department_handler": "district",
    "property_staff_c1": "c1",
    "police_liaison": "s1",
    "evaluator": "district",
}
#: Actors holding view_building/unit/room, with their subtree's root.
BUILDING_VIEWERS = {k: v for k, v in AREA_VIEWERS.items() if k not in {"resident_c1", "resident_c3", "evaluator"}}
#: Actors who see C1 (or G1 inside it) at all.
SEES_C1 = [a for a, root in AREA_VIEWERS.items() if root in {"c1", "s1", "district"}]
SEES_G1_BUILDINGS = [a for a, root in BUILDING_VIEWERS.items() if root in {"g1", "c1", "s1", "district"}]


def csv_upload(w):
    content = f"code,name,level,parent_code\nNEWGRID,新网格,5,{w.c1.code}\n".encode()
    return {"file": SimpleUploadedFile("areas.csv", content, content_type="text/csv")}


CASES = [
    Case(
        "areas list",
        "get",
        lambda w: "/api/territory/areas/",
        allow={**dict.fromkeys(AREA_VIEWERS, 200), "system_admin": 200},
        default=403,
        expect_ids={
            **{actor: area_ids(root) for actor, root in AREA_VIEWERS.items()},
            "system_admin": all_area_ids,
        },
    ),
    Case(
        "areas list under S1",
        "get",
        lambda w: f"/api/territory/areas/?under={w.s1.pk}",
        allow={**dict.fromkeys(AREA_VIEWERS, 200), "system_admin": 200},
        default=403,
        expect_ids={
            "street_official_s1": area_ids("s1"),
            "street_official_s2": lambda w: set(),
            "community_worker_c1": lambda w: set(),  # S1 itself is not visible to them
            "system_admin": area_ids("s1"),
        },
    ),
    Case(
        "area detail C1",
        "get",
        lambda w: f"/api/territory/areas/{w.c1.pk}/",
        allow={**dict.fromkeys(SEES_C1, 200), "system_admin": 200},
    ),
    Case(
        "area children of C1",
        "get",
        lambda w: f"/api/territory/areas/{w.c1.pk}/children/",
        allow={**dict.fromkeys(SEES_C1, 200), "system_admin": 200},
        expect_ids={"community_worker_c1": lambda w: {w.g1.pk, w.g2.pk}, "system_admin": lambda w: {w.g1.pk, w.g2.pk}},
    ),
    Case(
        "area create under C1",
        "post",
        lambda w: "/api/territory/areas/",
        body=lambda w: {"code": "440305001001G09", "name": "新网格", "level": 5, "parent": w.c1.pk},
        allow={
            "community_worker_c1": 201,
            "street_official_s1": 201,
            "system_admin": 201,
            "community_worker_c3": 400,  # C1 is not visible to them: "no such parent"
            "street_official_s2": 400,
        },
        default=403,
    ),
    Case(
        "area update C1",
        "patch",
        lambda w: f"/api/territory/areas/{w.c1.pk}/",
        body=lambda w: {"name": "科技园社区新址", "population": 15000},
        allow={
            **dict.fromkeys(SEES_C1, 403),
            "community_worker_c1": 200,
            "street_official_s1": 200,
            "system_admin": 200,
        },
    ),
    Case(
        "area move G2 to C2",
        "post",
        lambda w: f"/api/territory/areas/{w.g2.pk}/move/",
        body=lambda w: {"parent": w.c2.pk},
        allow={
            **dict.fromkeys(SEES_C1, 403),
            "grid_worker_g1": 404,
            "community_worker_c1": 400,  # C2 lies outside their scope: not a parent they can name
            "street_official_s1": 200,
            "system_admin": 200,
        },
    ),
    Case(
        "area move C1 out of S1",
        "post",
        lambda w: f"/api/territory/areas/{w.c1.pk}/move/",
        body=lambda w: {"parent": w.s2.pk},
        allow={
            **dict.fromkeys(SEES_C1, 403),
            "street_official_s1": 400,  # S2 is outside their scope
            "district_official": 403,
            "system_admin": 200,
        },
    ),
    Case(
        "area deactivate G2",
        "post",
        lambda w: f"/api/territory/areas/{w.g2.pk}/deactivate/",
        allow={
            **dict.fromkeys(SEES_C1, 403),
            "grid_worker_g1": 404,
            "community_worker_c1": 200,
            "street_official_s1": 200,
            "system_admin": 200,
        },
    ),
    Case(
        "areas import",
        "post",
        lambda w: "/api/territory/areas/import/",
        body=csv_upload,
        fmt="multipart",
        allow={"street_official_s1": 200, "street_official_s2": 400, "system_admin": 200},
        default=403,
    ),
    Case(
        "buildings list",
        "get",
        lambda w: "/api/territory/buildings/",
        allow={**dict.fromkeys(BUILDING_VIEWERS, 200), "system_admin": 200},
        default=403,
        expect_ids={
            **{actor: building_ids(root) for actor, root in BUILDING_VIEWERS.items()},
            "system_admin": building_ids("city"),
        },
    ),
    Case(
        "building detail in G1",
        "get",
        lambda w: f"/api/territory/buildings/{w.building_g1.pk}/",
        allow={**dict.fromkeys(SEES_G1_BUILDINGS, 200), "system_admin": 200},
    ),
    Case(
        "building create in G1",
        "post",
        lambda w: "/api/territory/buildings/",
        body=lambda w: {"grid": w.g1.pk, "name": "科苑小区5栋", "address": "科苑路15号5栋", "floors": 18},
        allow={
            "grid_worker_g1": 201,
            "community_worker_c1": 201,
            "street_official_s1": 201,
            "system_admin": 201,
            "community_worker_c3": 400,
            "street_official_s2": 400,
        },
        default=403,
    ),
    Case(
        "building update in G1",
        "patch",
        lambda w: f"/api/territory/buildings/{w.building_g1.pk}/",
        body=lambda w: {"floors": 9, "has_lift": True},
        allow={
            **dict.fromkeys(SEES_G1_BUILDINGS, 403),
            "grid_worker_g1": 200,
            "community_worker_c1": 200,
            "street_official_s1": 200,
            "system_admin": 200,
        },
    ),
    Case(
        "units list",
        "get",
        lambda w: "/api/territory/units/",
        allow={**dict.fromkeys(BUILDING_VIEWERS, 200), "system_admin": 200},
        default=403,
        expect_ids={
            **{actor: unit_ids(root) for actor, root in BUILDING_VIEWERS.items()},
            "system_admin": unit_ids("city"),
        },
    ),
    Case(
        "unit detail in G1",
        "get",
        lambda w: f"/api/territory/units/{w.room_g1.unit_id}/",
        allow={**dict.fromkeys(SEES_G1_BUILDINGS, 200), "system_admin": 200},
    ),
    Case(
        "unit create in G1",
        "post",
        lambda w: "/api/territory/units/",
        body=lambda w: {"building": w.building_g1.pk, "number": "2"},
        allow={
            "grid_worker_g1": 201,
            "community_worker_c1": 201,
            "street_official_s1": 201,
            "system_admin": 201,
            "community_worker_c3": 400,
            "street_official_s2": 400,
        },
        default=403,
    ),
    Case(
        "unit update in G1",
        "patch",
        lambda w: f"/api/territory/units/{w.room_g1.unit_id}/",
        body=lambda w: {"number": "1A"},
        allow={
            **dict.fromkeys(SEES_G1_BUILDINGS, 403),
            "grid_worker_g1": 200,
            "community_worker_c1": 200,
            "street_official_s1": 200,
            "system_admin": 200,
        },
    ),
    Case(
        "rooms list",
        "get",
        lambda w: "/api/territory/rooms/",
        allow={**dict.fromkeys(BUILDING_VIEWERS, 200), "system_admin": 200},
        default=403,
        expect_ids={
            **{actor: room_ids(root) for actor, root in BUILDING_VIEWERS.items()},
            "system_admin": room_ids("city"),
        },
    ),
    Case(
        "room detail in G1",
        "get",
        lambda w: f"/api/territory/rooms/{w.room_g1.pk}/",
        allow={**dict.fromkeys(SEES_G1_BUILDINGS, 200), "system_admin": 200},
    ),
    Case(
        "room create in G1",
        "post",
        lambda w: "/api/territory/rooms/",
        body=lambda w: {"unit": w.room_g1.unit_id, "number": "601", "floor": 6, "floor_area": "90.00"},
        allow={
            "grid_worker_g1": 201,
            "community_worker_c1": 201,
            "street_official_s1": 201,
            "system_admin": 201,
            "community_worker_c3": 400,
            "street_official_s2": 400,
        },
        default=403,
    ),
    Case(
        "room update in G1",
        "patch",
        lambda w: f"/api/territory/rooms/{w.room_g1.pk}/",
        body=lambda w: {"floor_area": "88.00"},
        allow={
            **dict.fromkeys(SEES_G1_BUILDINGS, 403),
            "grid_worker_g1": 200,
            "community_worker_c1": 200,
            "street_official_s1": 200,
            "system_admin": 200,
        },
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_territory_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)
