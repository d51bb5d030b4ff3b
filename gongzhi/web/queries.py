"""Reads for the shell pages: a staff member's scope and a resident's community.

Every read is scoped with ``restrict(user, verb)``; the dashboard shows only what the
user could open anyway. Counts are computed from at most one query per model.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from gongzhi.access.models import RoleGrant
from gongzhi.access.queries import active_grants
from gongzhi.organisations.models import Organisation
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Building

#: Above this many visible areas, the tree stops at communities (grids are only counted).
TREE_FULL_LIMIT = 200
#: Organisations listed on the dashboard; the rest are counted.
ORGANISATION_LIMIT = 30


@dataclass
class AreaNode:
    area: Area
    grid_count: int = 0
    building_count: int = 0
    children: list[AreaNode] = field(default_factory=list)

    @property
    def is_grid(self) -> bool:
        return self.area.level == AreaLevel.GRID


@dataclass
class Scope:
    roots: list[AreaNode]
    area_count: int
    grid_count: int
    building_count: int | None
    grants: list[RoleGrant]
    organisations: list[Organisation]
    organisation_count: int
    truncated_tree: bool


def _ancestor_paths(path: str) -> list[str]:
    codes = path.rstrip("/").split("/")
    return ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _building_counts(user: Any) -> Counter[str] | None:
    if not user.has_perm("territory.view_building"):
        return None
    rows = Building.objects.restrict(user, "view").values("area_path").annotate(n=Count("pk")).order_by()
    return Counter({row["area_path"]: row["n"] for row in rows})


def get_scope_tree(user: Any) -> tuple[list[AreaNode], int, int, int | None, bool]:
    """The areas ``user`` may view as a forest, each node with grid and building counts
    for its subtree. Returns (roots, area count, grid count, building count, truncated)."""
    areas = list(
        Area.objects.restrict(user, "view")
        .filter(is_active=True)
        .only("id", "code", "name", "level", "parent_id", "path")
    )
    buildings = _building_counts(user)
    truncated = len(areas) > TREE_FULL_LIMIT
    nodes = {a.path: AreaNode(a) for a in areas}
    grid_paths = [a.path for a in areas if a.level == AreaLevel.GRID]
    # Paths are prefixes of their descendants': credit each grid and building to every
    # visible ancestor by walking its path, which is linear in the depth of the tree.
    for grid_path in grid_paths:
        for ancestor in _ancestor_paths(grid_path):
            if ancestor in nodes:
                nodes[ancestor].grid_count += 1
    if buildings is not None:
        for area_path, n in buildings.items():
            for ancestor in _ancestor_paths(area_path):
                if ancestor in nodes:
                    nodes[ancestor].building_count += n
    roots: list[AreaNode] = []
    for area in areas:  # ordered by path, so parents come before children
        node = nodes[area.path]
        if truncated and area.level == AreaLevel.GRID:
            continue
        parent = nodes.get(_ancestor_paths(area.path)[-2]) if area.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    total_buildings = None if buildings is None else sum(buildings.values())
    return roots, len(areas), len(grid_paths), total_buildings, truncated


def get_scope(user: Any) -> Scope:
    """Everything the console dashboard shows under "my scope"."""
    roots, area_count, grid_count, building_count, truncated = get_scope_tree(user)
    organisations_qs = Organisation.objects.restrict(user, "view").filter(is_active=True)
    organisations = list(organisations_qs.only("id", "name", "kind")[: ORGANISATION_LIMIT + 1])
    organisation_count = len(organisations)
    if organisation_count > ORGANISATION_LIMIT:
        organisation_count = organisations_qs.count()
        organisations = organisations[:ORGANISATION_LIMIT]
    return Scope(
        roots=roots,
        area_count=area_count,
        grid_count=grid_count,
        building_count=building_count,
        grants=active_grants(user),
        organisations=organisations,
        organisation_count=organisation_count,
        truncated_tree=truncated,
    )


def get_home_areas(user: Any) -> list[Area]:
    """The resident's home area and its ancestors, root first (city … grid).

    A resident's own address is not a scoped read: it is their own record.
    """
    home = user.home_area
    if home is None:
        return []
    return list(
        Area.objects.filter(path__in=home.ancestor_paths()).only("id", "name", "level", "path").order_by("path")
    )


def community_of(areas: list[Area]) -> Area | None:
    for area in areas:
        if area.level == AreaLevel.COMMUNITY:
            return area
    return areas[-1] if areas else None
