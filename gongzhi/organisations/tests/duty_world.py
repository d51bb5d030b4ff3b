"""Matter categories and duty lines on top of the standard test world.

环境卫生 ENV (level 1)
  └ 垃圾清运 ENV-WASTE (level 2)
      └ 垃圾满溢 ENV-WASTE-FULL (level 3)
房屋安全 HOUSE (level 1)

duties: district housing bureau leads ENV in the district; street office S1 leads ENV
in S1; committee C1 leads ENV-WASTE in C1; property C1 assists ENV-WASTE-FULL in C1;
street office S2 leads HOUSE in S2.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongzhi.organisations.choices import DutyRole
from gongzhi.organisations.models import DutyAssignment, MatterCategory
from gongzhi.testing.world import World


@dataclass
class Duties:
    env: MatterCategory
    waste: MatterCategory
    full: MatterCategory
    house: MatterCategory
    bureau_env: DutyAssignment
    s1_env: DutyAssignment
    c1_waste: DutyAssignment
    property_full: DutyAssignment
    s2_house: DutyAssignment


def _category(code: str, name: str, parent: MatterCategory | None = None) -> MatterCategory:
    category, _ = MatterCategory.objects.get_or_create(
        code=code, defaults={"name": name, "parent": parent, "level": parent.level + 1 if parent else 1}
    )
    return category


def _duty(org, category, area, role=DutyRole.LEAD) -> DutyAssignment:
    duty, _ = DutyAssignment.objects.get_or_create(
        organisation=org, category=category, area=area, defaults={"area_path": area.path, "duty_role": role}
    )
    return duty


def build_duties(w: World) -> Duties:
    """Idempotent, so matrix URL builders can call it."""
    cached = getattr(w, "_duties", None)
    if cached is not None:
        return cached
    env = _category("ENV", "环境卫生")
    waste = _category("ENV-WASTE", "垃圾清运", env)
    full = _category("ENV-WASTE-FULL", "垃圾满溢", waste)
    house = _category("HOUSE", "房屋安全")
    o = w.orgs
    duties = Duties(
        env=env,
        waste=waste,
        full=full,
        house=house,
        bureau_env=_duty(o["housing_bureau"], env, w.district),
        s1_env=_duty(o["street_office_s1"], env, w.s1),
        c1_waste=_duty(o["committee_c1"], waste, w.c1),
        property_full=_duty(o["property_c1"], full, w.c1, DutyRole.ASSIST),
        s2_house=_duty(o["street_office_s2"], house, w.s2),
    )
    w.__dict__["_duties"] = duties
    return duties
