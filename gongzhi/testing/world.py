"""A small, fixed test world: one district, two streets, three communities, grids,
organisations of every kind and one user per role (plus outsiders).

Every domain's tests and the authorisation matrix use the same world, so
"same grid", "same community", "other community" and "other organisation" mean
the same thing everywhere.

    district 440305 南山区
      street S1 粤海街道  ── community C1 (old residential) ── grids G1, G2
                          └─ community C2 (commodity housing) ── grid G3
      street S2 沙河街道  ── community C3 (urban village) ── grid G4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant
from gongzhi.accounts.choices import AccountKind
from gongzhi.core import calendar
from gongzhi.organisations.choices import OrganisationKind
from gongzhi.organisations.models import Organisation, OrganisationArea
from gongzhi.territory.choices import AreaLevel, CommunityType
from gongzhi.territory.models import Area, Building, Room, Unit
from gongzhi.workcal.models import CalendarDay
from gongzhi.workcal.seed import seed_days

PASSWORD = "Gongzhi-Test-2026!"  # noqa: S105  (the test world's shared password, never deployed)


def make_area(code: str, name: str, level: AreaLevel, parent: Area | None = None, **extra: Any) -> Area:
    path = Area.path_for(parent.path if parent else "", code)
    return Area.objects.create(code=code, name=name, level=level, parent=parent, path=path, **extra)


def make_org(kind: OrganisationKind, name: str, code: str, seat: Area, serves: list[Area]) -> Organisation:
    org = Organisation.objects.create(kind=kind, name=name, code=code, home_area=seat, home_area_path=seat.path)
    OrganisationArea.objects.bulk_create([OrganisationArea(organisation=org, area=a) for a in serves])
    return org


def make_user(
    username: str, *, kind: str = AccountKind.STAFF, home_area: Area | None = None, phone: str | None = None
) -> Any:
    user_model = get_user_model()
    user = user_model(username=username, kind=kind, display_name=username, home_area=home_area, phone=phone)
    user.set_password(PASSWORD)
    user.save()
    return user


def grant(user: Any, role: Role, *, organisation: Organisation | None = None, area: Area | None = None) -> RoleGrant:
    return RoleGrant.objects.create(
        user=user, role=role, organisation=organisation, area=area, area_path=area.path if area else ""
    )


@dataclass
class World:
    city: Area
    district: Area
    s1: Area
    s2: Area
    c1: Area
    c2: Area
    c3: Area
    g1: Area
    g2: Area
    g3: Area
    g4: Area
    building_g1: Building
    room_g1: Room
    building_g4: Building
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # world.community_worker etc. read from the users table.
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


#: Actor names used by the matrix, with what they are.
ACTORS = {
    "anonymous": "not signed in",
    "no_grant": "staff account with no role",
    "resident_c1": "resident living in grid G1 of community C1",
    "resident_c3": "resident living in community C3 (other street)",
    "grid_worker_g1": "grid worker of grid G1",
    "community_worker_c1": "residents' committee staff of C1",
    "community_worker_c3": "residents' committee staff of C3",
    "street_official_s1": "official of street S1",
    "street_official_s2": "official of street S2",
    "district_official": "district official",
    "department_handler": "handler in the district housing bureau",
    "property_staff_c1": "property company serving C1",
    "police_liaison": "police station liaison for S1",
    "evaluator": "third-party evaluator (district-wide)",
    "system_admin": "system administrator",
    "security_admin": "security administrator",
    "audit_admin": "audit administrator",
}


_AREA_CODES = {
    "city": "4403",
    "district": "440305",
    "s1": "440305001",
    "s2": "440305002",
    "c1": "440305001001",
    "c2": "440305001002",
    "c3": "440305002001",
    "g1": "440305001001G01",
    "g2": "440305001001G02",
    "g3": "440305001002G01",
    "g4": "440305002001G01",
}
_ORG_CODES = {
    "street_office_s1": "ORG-S1",
    "street_office_s2": "ORG-S2",
    "committee_c1": "ORG-C1",
    "committee_c3": "ORG-C3",
    "housing_bureau": "ORG-HB",
    "property_c1": "ORG-P1",
    "police_s1": "ORG-PS1",
    "evaluator": "ORG-EV",
    "district_gov": "ORG-D",
}


def world_exists() -> bool:
    return Area.objects.filter(code=_AREA_CODES["city"]).exists()


def load_world() -> World:
    """Fresh instances of an already-built world, in a handful of queries.

    Tests get new objects every time, so per-instance caches (e.g. a user's grants)
    never leak from one test into another.
    """
    areas = {a.code: a for a in Area.objects.filter(code__in=_AREA_CODES.values())}
    a = {name: areas[code] for name, code in _AREA_CODES.items()}
    buildings = {b.name: b for b in Building.objects.filter(name__in=["科苑小区3栋", "白石洲东村12栋"])}
    room = Room.objects.select_related("unit__building").get(unit__building=buildings["科苑小区3栋"], number="502")
    orgs_by_code = {o.code: o for o in Organisation.objects.filter(code__in=_ORG_CODES.values())}
    orgs = {name: orgs_by_code[code] for name, code in _ORG_CODES.items()}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ACTORS.keys())}
    return World(
        **a,
        building_g1=buildings["科苑小区3栋"],
        room_g1=room,
        building_g4=buildings["白石洲东村12栋"],
        orgs=orgs,
        users=users,
    )


def build_world() -> World:
    """Create the world, or load it when it is already in the database (the test suite
    builds it once per database and each test runs in a rolled-back transaction)."""
    if world_exists():
        return load_world()
    return _create_world()


def _ensure_calendar() -> None:
    """A transactional test flushes every table, the migration-seeded holiday calendar
    included; the next world brings it back (and drops the per-process calendar cache)."""
    if not CalendarDay.objects.exists():
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, is_workday=w, name=n, source=src) for d, w, n, src in seed_days()]
        )
        calendar.invalidate()


def _create_world() -> World:
    _ensure_calendar()
    city = make_area("4403", "深圳市", AreaLevel.CITY)
    district = make_area("440305", "南山区", AreaLevel.DISTRICT, city)
    s1 = make_area("440305001", "粤海街道", AreaLevel.STREET, district)
    s2 = make_area("440305002", "沙河街道", AreaLevel.STREET, district)
    c1 = make_area("440305001001", "科技园社区", AreaLevel.COMMUNITY, s1, community_type=CommunityType.OLD_RESIDENTIAL)
    c2 = make_area("440305001002", "海珠社区", AreaLevel.COMMUNITY, s1, community_type=CommunityType.COMMODITY_HOUSING)
    c3 = make_area("440305002001", "白石洲社区", AreaLevel.COMMUNITY, s2, community_type=CommunityType.URBAN_VILLAGE)
    g1 = make_area("440305001001G01", "科技园第一网格", AreaLevel.GRID, c1)
    g2 = make_area("440305001001G02", "科技园第二网格", AreaLevel.GRID, c1)
    g3 = make_area("440305001002G01", "海珠第一网格", AreaLevel.GRID, c2)
    g4 = make_area("440305002001G01", "白石洲第一网格", AreaLevel.GRID, c3)
    building_g1 = Building.objects.create(grid=g1, area_path=g1.path, name="科苑小区3栋", address="南山区科苑路15号3栋")
    unit = Unit.objects.create(building=building_g1, number="1")
    room_g1 = Room.objects.create(unit=unit, number="502", floor=5, floor_area="86.50")
    building_g4 = Building.objects.create(
        grid=g4, area_path=g4.path, name="白石洲东村12栋", address="南山区白石洲东村12栋"
    )

    K = OrganisationKind
    orgs = {
        "street_office_s1": make_org(K.STREET_OFFICE, "粤海街道办事处", "ORG-S1", s1, [s1]),
        "street_office_s2": make_org(K.STREET_OFFICE, "沙河街道办事处", "ORG-S2", s2, [s2]),
        "committee_c1": make_org(K.RESIDENTS_COMMITTEE, "科技园社区居委会", "ORG-C1", c1, [c1]),
        "committee_c3": make_org(K.RESIDENTS_COMMITTEE, "白石洲社区居委会", "ORG-C3", c3, [c3]),
        "housing_bureau": make_org(K.GOVERNMENT_DEPARTMENT, "南山区住房和建设局", "ORG-HB", district, [district]),
        "property_c1": make_org(K.PROPERTY_COMPANY, "深圳科苑物业管理有限公司", "ORG-P1", c1, [c1]),
        "police_s1": make_org(K.POLICE_STATION, "粤海派出所", "ORG-PS1", s1, [s1]),
        "evaluator": make_org(K.EVALUATOR, "南山社会治理评估中心", "ORG-EV", district, [district]),
        "district_gov": make_org(K.GOVERNMENT_DEPARTMENT, "南山区人民政府", "ORG-D", district, [district]),
    }
    world = World(city, district, s1, s2, c1, c2, c3, g1, g2, g3, g4, building_g1, room_g1, building_g4, orgs=orgs)

    u = world.users
    u["no_grant"] = make_user("no_grant")
    u["resident_c1"] = make_user("resident_c1", kind=AccountKind.RESIDENT, home_area=g1, phone="13800000001")
    grant(u["resident_c1"], Role.RESIDENT, area=c1)
    u["resident_c3"] = make_user("resident_c3", kind=AccountKind.RESIDENT, home_area=g4, phone="13800000003")
    grant(u["resident_c3"], Role.RESIDENT, area=c3)
    plan: list[tuple[str, Role, str | None, Area | None]] = [
        ("grid_worker_g1", Role.GRID_WORKER, "committee_c1", g1),
        ("community_worker_c1", Role.COMMUNITY_WORKER, "committee_c1", c1),
        ("community_worker_c3", Role.COMMUNITY_WORKER, "committee_c3", c3),
        ("street_official_s1", Role.STREET_OFFICIAL, "street_office_s1", s1),
        ("street_official_s2", Role.STREET_OFFICIAL, "street_office_s2", s2),
        ("district_official", Role.DISTRICT_OFFICIAL, "district_gov", district),
        ("department_handler", Role.DEPARTMENT_HANDLER, "housing_bureau", district),
        ("property_staff_c1", Role.PROPERTY_STAFF, "property_c1", c1),
        ("police_liaison", Role.POLICE_LIAISON, "police_s1", s1),
        ("evaluator", Role.EVALUATOR, "evaluator", district),
        ("system_admin", Role.SYSTEM_ADMIN, None, None),
        ("security_admin", Role.SECURITY_ADMIN, None, None),
        ("audit_admin", Role.AUDIT_ADMIN, None, None),
    ]
    for name, role, org_key, area in plan:
        u[name] = make_user(name)
        grant(u[name], role, organisation=orgs[org_key] if org_key else None, area=area)
    return world
