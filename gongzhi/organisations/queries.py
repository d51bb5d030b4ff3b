"""Reads about organisations and duty lists, including routing proposals."""

from __future__ import annotations

from django.db.models import QuerySet

from gongzhi.organisations.choices import DutyRole
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation
from gongzhi.territory.models import Area


def category_chain_ids(category: MatterCategory) -> list[int]:
    """The category and its ancestors, most specific first (one query at most)."""
    if category.parent_id is None:
        return [category.pk]
    grandparent = MatterCategory.objects.filter(pk=category.parent_id).values_list("parent_id", flat=True).first()
    return [i for i in (category.pk, category.parent_id, grandparent) if i is not None]


def propose_duties(category: MatterCategory, area: Area) -> list[DutyAssignment]:
    """The duty lines that route a matter of ``category`` in ``area``, best first.

    Duty lines for the category or any of its ancestors, in the area or any ancestor
    area, held by active organisations, are candidates. The most specific area wins,
    separately for each duty: the lead lines kept are those at the deepest area that has
    a lead line (a community's own lead overrides the district's), and the assist lines
    kept are those at the deepest area that has assist lines, if it is not above the
    lead's area. So a street that only *assists* with a matter the district department
    leads (低保: 民政局 leads, the street office assists) proposes both, instead of hiding
    the lead; with no lead line anywhere, the deepest assist lines are proposed alone.
    Those are ranked lead before assist, then the more specific category first, then by
    organisation name; each organisation appears once, with its best-ranked line. Two
    queries at most.
    """
    chain = category_chain_ids(category)
    depth = {pk: i for i, pk in enumerate(chain)}
    lines = list(
        DutyAssignment.objects.filter(
            category_id__in=chain, area_path__in=area.ancestor_paths(), organisation__is_active=True
        ).select_related("organisation", "category", "area")
    )
    if not lines:
        return []
    leads = [line for line in lines if line.duty_role == DutyRole.LEAD]
    assists = [line for line in lines if line.duty_role != DutyRole.LEAD]
    lead_depth = max((len(line.area_path) for line in leads), default=0)
    assist_depth = max((len(line.area_path) for line in assists), default=0)
    lines = [line for line in leads if len(line.area_path) == lead_depth]
    if assist_depth >= lead_depth:
        lines += [line for line in assists if len(line.area_path) == assist_depth]
    lines.sort(key=lambda d: (d.duty_role != DutyRole.LEAD, depth[d.category_id], d.organisation.name, d.pk))
    seen: set[int] = set()
    best: list[DutyAssignment] = []
    for line in lines:
        if line.organisation_id not in seen:
            seen.add(line.organisation_id)
            best.append(line)
    return best


def propose_units(category: MatterCategory, area: Area) -> list[tuple[Organisation, str]]:
    """``[(organisation, duty_role), …]`` to route a matter to, best first (see :func:`propose_duties`)."""
    return [(line.organisation, line.duty_role) for line in propose_duties(category, area)]


def list_serving(area: Area, *, queryset: QuerySet[Organisation] | None = None) -> QuerySet[Organisation]:
    """Organisations serving ``area``: they serve it or one of its ancestors."""
    qs = queryset if queryset is not None else Organisation.objects.all()
    return qs.filter(served_areas__area__path__in=area.ancestor_paths()).distinct()


def category_tree(queryset: QuerySet[MatterCategory] | None = None) -> list[dict]:
    """Categories as nested dicts (one query)."""
    qs = queryset if queryset is not None else MatterCategory.objects.all()
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    rows = list(qs.order_by("level", "code").values("id", "code", "name", "name_en", "level", "parent_id", "is_active"))
    for row in rows:
        nodes[row["id"]] = {**row, "children": []}
    for row in rows:
        node = nodes[row["id"]]
        parent = nodes.get(row["parent_id"]) if row["parent_id"] else None
        (parent["children"] if parent else roots).append(node)
    return roots
