"""Territory actions: paths, levels, codes, boundaries, moves, buildings, units, rooms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.access.models import RoleGrant
from gongzhi.audit.models import ChangeRecord
from gongzhi.territory import actions
from gongzhi.territory.choices import AreaLevel, CommunityType
from gongzhi.territory.errors import TerritoryError, TerritoryErrorCode
from gongzhi.territory.models import Area, Building

SQUARE = {"type": "Polygon", "coordinates": [[[113.9, 22.5], [113.95, 22.5], [113.95, 22.55], [113.9, 22.5]]]}


def test_create_area_builds_the_path_from_the_parent(world):
    area = actions.create_area(
        actor=world.system_admin, code="440305001001G03", name="第三网格", level=AreaLevel.GRID, parent=world.c1
    )

    assert area.path == world.c1.path + "440305001001G03/"
    assert ChangeRecord.objects.filter(verb="create_area", target_id=str(area.pk)).count() == 1


def test_create_top_level_area_has_its_code_as_path(world):
    area = actions.create_area(actor=world.system_admin, code="4404", name="珠海市", level=AreaLevel.CITY)

    assert area.path == "4404/"
    assert area.parent is None


@pytest.mark.parametrize("level", [AreaLevel.STREET, AreaLevel.GRID, AreaLevel.CITY])
def test_level_must_be_one_below_the_parent(world, level):
    with pytest.raises(TerritoryError) as exc:
        actions.create_area(actor=world.system_admin, code="X1", name="x", level=level, parent=world.s1)

    assert exc.value.code == TerritoryErrorCode.LEVEL_MISMATCH
    assert exc.value.http_status == 400
    assert not Area.objects.filter(code="X1").exists()


@pytest.mark.parametrize("code", ["440305001", "440305001".lower(), "4403"])
def test_code_must_be_unique(world, code):
    with pytest.raises(TerritoryError) as exc:
        actions.create_area(actor=world.system_admin, code=code, name="dup", level=AreaLevel.COMMUNITY, parent=world.s1)

    assert exc.value.code == TerritoryErrorCode.CODE_TAKEN
    assert exc.value.http_status == 409


def test_codes_differing_only_by_case_are_taken(world):
    actions.create_area(actor=world.system_admin, code="abc", name="a", level=AreaLevel.GRID, parent=world.c1)

    with pytest.raises(TerritoryError) as exc:
        actions.create_area(actor=world.system_admin, code="ABC", name="b", level=AreaLevel.GRID, parent=world.c2)

    assert exc.value.code == TerritoryErrorCode.CODE_TAKEN


def test_bad_code_format_is_a_validation_error(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        actions.create_area(actor=world.system_admin, code="bad/code", name="x", level=AreaLevel.GRID, parent=world.c1)

    assert "code" in exc.value.message_dict


def test_only_communities_have_a_community_type(world):
    with pytest.raises(TerritoryError) as exc:
        actions.create_area(
            actor=world.system_admin,
            code="G9",
            name="g",
            level=AreaLevel.GRID,
            parent=world.c1,
            community_type=CommunityType.MIXED,
        )

    assert exc.value.code == TerritoryErrorCode.COMMUNITY_TYPE_NOT_ALLOWED


def test_cannot_create_under_an_inactive_parent(world):
    Area.objects.filter(pk=world.g2.pk).update(is_active=False)
    world.g2.refresh_from_db()
    Area.objects.filter(pk=world.c2.pk).update(is_active=False)
    world.c2.refresh_from_db()

    with pytest.raises(TerritoryError) as exc:
        actions.create_area(actor=world.system_admin, code="G9", name="g", level=AreaLevel.GRID, parent=world.c2)

    assert exc.value.code == TerritoryErrorCode.PARENT_INACTIVE


def test_update_area_sets_boundary_centre_and_population(world):
    area = actions.update_area(
        world.c1,
        actor=world.community_worker_c1,
        boundary=SQUARE,
        centre_lat="22.54",
        centre_lng=113.93,
        population=12000,
    )

    area.refresh_from_db()
    assert area.boundary == SQUARE
    assert area.centre_lat == Decimal("22.540000")
    assert area.population == 12000
    record = ChangeRecord.objects.get(verb="update_area")
    assert record.after["population"] == 12000


def test_a_feature_is_unwrapped_to_its_geometry(world):
    area = actions.update_area(world.c1, actor=world.system_admin, boundary={"type": "Feature", "geometry": SQUARE})

    assert area.boundary == SQUARE


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [113.9, 22.5]},
        {"type": "Polygon", "coordinates": [[[113.9, 22.5], [113.95, 22.5], [113.9, 22.5]]]},  # too few positions
        {"type": "Polygon", "coordinates": [[[113.9, 22.5], [113.95, 22.5], [113.95, 22.55], [113.0, 22.0]]]},  # open
        {"type": "Polygon", "coordinates": [[[200, 22.5], [113.95, 22.5], [113.95, 22.55], [200, 22.5]]]},
        {"type": "MultiPolygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]},
        "not json",
    ],
)
def test_invalid_boundaries_are_refused(world, boundary):
    with pytest.raises(TerritoryError) as exc:
        actions.update_area(world.c1, actor=world.system_admin, boundary=boundary)

    assert exc.value.code == TerritoryErrorCode.INVALID_BOUNDARY
    assert exc.value.field == "boundary"


@pytest.mark.parametrize(("lat", "lng"), [("91", "113"), ("22", "181"), ("22.5", None), ("abc", "113")])
def test_invalid_centres_are_refused(world, lat, lng):
    with pytest.raises(TerritoryError) as exc:
        actions.update_area(world.c1, actor=world.system_admin, centre_lat=lat, centre_lng=lng)

    assert exc.value.code == TerritoryErrorCode.INVALID_CENTRE


def test_move_area_rewrites_descendants_buildings_and_grants(world):
    # given community C1 (grids G1, G2, building in G1, grants on C1 and G1) under street S1
    old = world.c1.path

    # when it moves to street S2
    moved = actions.move_area(world.c1, actor=world.system_admin, new_parent=world.s2)

    # then every path under it now starts with S2's path
    new = world.s2.path + world.c1.code + "/"
    assert moved.path == new
    assert moved.parent_id == world.s2.pk
    for grid in (world.g1, world.g2):
        grid.refresh_from_db()
        assert grid.path == new + grid.code + "/"
    assert not Area.objects.filter(path__startswith=old).exists()
    world.building_g1.refresh_from_db()
    assert world.building_g1.area_path == new + world.g1.code + "/"
    grant_paths = set(
        RoleGrant.objects.filter(user__username__in=["community_worker_c1", "grid_worker_g1"]).values_list(
            "area_path", flat=True
        )
    )
    assert grant_paths == {new, new + world.g1.code + "/"}
    # and areas elsewhere did not change
    world.c2.refresh_from_db()
    assert world.c2.path.startswith(world.s1.path)
    record = ChangeRecord.objects.get(verb="move_area")
    assert record.before["path"] == old
    assert record.after["path"] == new
    assert record.after["moved"]["territory.Area.path"] == 3
    assert record.after["moved"]["territory.Building.area_path"] == 1


def test_moved_subtree_is_scoped_under_the_new_parent(world):
    actions.move_area(world.c1, actor=world.system_admin, new_parent=world.s2)

    visible = set(Area.objects.restrict(world.street_official_s2, "view").values_list("code", flat=True))
    assert {world.c1.code, world.g1.code, world.g2.code} <= visible
    assert world.c1.code not in set(
        Area.objects.restrict(world.street_official_s1, "view").values_list("code", flat=True)
    )


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("s1", TerritoryErrorCode.MOVE_TO_SAME_PARENT),
        ("c2", TerritoryErrorCode.LEVEL_MISMATCH),
        ("district", TerritoryErrorCode.LEVEL_MISMATCH),
        ("g1", TerritoryErrorCode.MOVE_INTO_OWN_SUBTREE),
    ],
)
def test_move_area_refusals(world, target, code):
    with pytest.raises(TerritoryError) as exc:
        actions.move_area(world.c1, actor=world.system_admin, new_parent=getattr(world, target))

    assert exc.value.code == code
    world.c1.refresh_from_db()
    assert world.c1.parent_id == world.s1.pk


def test_move_area_refuses_the_root(world):
    other = actions.create_area(actor=world.system_admin, code="4404", name="珠海市", level=AreaLevel.CITY)

    with pytest.raises(TerritoryError) as exc:
        actions.move_area(world.city, actor=world.system_admin, new_parent=other)

    assert exc.value.code == TerritoryErrorCode.CANNOT_MOVE_ROOT


def test_move_area_refuses_an_inactive_parent(world):
    Area.objects.filter(pk=world.s2.pk).update(is_active=False)
    world.s2.refresh_from_db()

    with pytest.raises(TerritoryError) as exc:
        actions.move_area(world.c1, actor=world.system_admin, new_parent=world.s2)

    assert exc.value.code == TerritoryErrorCode.PARENT_INACTIVE


def test_deactivate_needs_children_inactive_first(world):
    with pytest.raises(TerritoryError) as exc:
        actions.deactivate_area(world.c2, actor=world.system_admin)
    assert exc.value.code == TerritoryErrorCode.HAS_ACTIVE_CHILDREN

    actions.deactivate_area(world.g3, actor=world.system_admin)
    area = actions.deactivate_area(world.c2, actor=world.system_admin)

    assert area.is_active is False
    assert ChangeRecord.objects.filter(verb="deactivate_area").count() == 2


def test_deactivate_twice_is_refused(world):
    actions.deactivate_area(world.g3, actor=world.system_admin)

    with pytest.raises(TerritoryError) as exc:
        actions.deactivate_area(world.g3, actor=world.system_admin)

    assert exc.value.code == TerritoryErrorCode.ALREADY_INACTIVE


def test_reactivation_needs_an_active_parent(world):
    actions.deactivate_area(world.g3, actor=world.system_admin)
    actions.deactivate_area(world.c2, actor=world.system_admin)

    with pytest.raises(TerritoryError) as exc:
        actions.update_area(world.g3, actor=world.system_admin, is_active=True)

    assert exc.value.code == TerritoryErrorCode.PARENT_INACTIVE


def test_create_building_copies_the_grid_path(world):
    building = actions.create_building(world.g2, actor=world.grid_worker_g1, name="2栋", address="科苑路2号")

    assert building.area_path == world.g2.path
    assert ChangeRecord.objects.filter(verb="create_building").count() == 1


def test_buildings_belong_to_grids(world):
    with pytest.raises(TerritoryError) as exc:
        actions.create_building(world.c1, actor=world.system_admin, name="x", address="y")

    assert exc.value.code == TerritoryErrorCode.NOT_A_GRID


def test_building_names_are_unique_per_grid(world):
    with pytest.raises(TerritoryError) as exc:
        actions.create_building(world.g1, actor=world.system_admin, name=world.building_g1.name, address="y")

    assert exc.value.code == TerritoryErrorCode.BUILDING_NAME_TAKEN
    assert exc.value.http_status == 409


def test_moving_a_building_to_another_grid_moves_its_path(world):
    building = actions.update_building(world.building_g1, actor=world.system_admin, grid=world.g2, floors=7)

    building.refresh_from_db()
    assert building.grid_id == world.g2.pk
    assert building.area_path == world.g2.path
    assert building.floors == 7


def test_units_and_rooms(world):
    unit = actions.create_unit(world.building_g4, actor=world.system_admin, number="2")
    room = actions.create_room(unit, actor=world.system_admin, number="301", floor=3, floor_area="70.5")

    assert room.floor_area == Decimal("70.50")
    with pytest.raises(TerritoryError) as exc:
        actions.create_unit(world.building_g4, actor=world.system_admin, number="2")
    assert exc.value.code == TerritoryErrorCode.UNIT_NUMBER_TAKEN
    with pytest.raises(TerritoryError) as exc:
        actions.create_room(unit, actor=world.system_admin, number="301")
    assert exc.value.code == TerritoryErrorCode.ROOM_NUMBER_TAKEN
    with pytest.raises(TerritoryError) as exc:
        actions.update_room(room, actor=world.system_admin, floor_area="-3")
    assert exc.value.code == TerritoryErrorCode.INVALID_VALUE

    actions.update_unit(unit, actor=world.system_admin, number="3")
    actions.update_room(room, actor=world.system_admin, number="302")
    assert (
        ChangeRecord.objects.filter(verb__in=["create_unit", "create_room", "update_unit", "update_room"]).count() == 4
    )


def test_building_without_grid_lookup_is_scoped(world):
    assert set(Building.objects.restrict(world.street_official_s2, "view")) == {world.building_g4}
