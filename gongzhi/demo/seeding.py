"""Build the demo district: territory, organisations, duty lists, staff and residents.

It is a bulk loader, not a user's work. Rows are written with ``bulk_create`` in
batches (no per-row signals or queries; the number of queries depends on the number
of batches, not of rows), residents get unusable passwords (they sign in with phone
codes) and every staff account shares one password hash computed once. The whole
load is one transaction and leaves one change record (:func:`record_demo_seed`).

Everything random comes from ``random.Random(seed)`` and a Faker zh_CN seeded with
the same number, consumed in a fixed order, so the same seed gives the same district.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider

from gongzhi.access.choices import ADMIN_ROLES, Role
from gongzhi.access.models import RoleGrant
from gongzhi.accounts.choices import AccountKind
from gongzhi.core.context import acting_as
from gongzhi.demo import data, deliberation_demo
from gongzhi.demo.actions import record_demo_seed
from gongzhi.demo.bulk import BulkInserter
from gongzhi.demo.registry import DemoHousehold, RegistryPlanner, index_of
from gongzhi.demo.work_orders_demo import seed_work_orders
from gongzhi.organisations.choices import DutyRole, OrganisationKind
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation, OrganisationArea
from gongzhi.residents.models import Household, HouseholdMembership, Resident, ResidentTag
from gongzhi.territory.choices import AreaLevel, BuildingUse, CommunityType
from gongzhi.territory.models import Area, Building, Room, Unit

#: Every demo staff account signs in with this (it passes the staff password validators).
DEMO_PASSWORD = "Gongzhi-Demo-2026!"  # noqa: S105  (a documented demo credential, printed on purpose)
DEFAULT_SEED = 2026
CHINESE_NUMERALS = "一二三四五六七八九十"
DEFAULT_BATCH_SIZE = 2000

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


@dataclass(frozen=True)
class DemoSize:
    """How big a demo district is. Communities are spread over the streets in turn."""

    name: str
    streets: int
    communities: int
    grids_per_community: int
    buildings_per_grid: int
    residents: int
    requests: int = 0  # work-order stories replayed through the actions (see work_orders_demo)


SIZES: dict[str, DemoSize] = {
    # Seven communities so that every community type appears once.
    "small": DemoSize(
        "small", streets=2, communities=7, grids_per_community=2, buildings_per_grid=2, residents=300, requests=120
    ),
    "district": DemoSize(
        "district",
        streets=8,
        communities=48,
        grids_per_community=4,
        buildings_per_grid=5,
        residents=100_000,
        requests=300,
    ),
}


@dataclass
class SeedSummary:
    size: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    district_id: int | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for benchmarks


class NotEmptyError(Exception):
    """The database already holds territory; the demo is only loaded into an empty one."""


def database_is_empty() -> bool:
    return not Area.objects.exists()


def seed_demo(size: DemoSize | str, *, seed: int = DEFAULT_SEED, batch_size: int = DEFAULT_BATCH_SIZE) -> SeedSummary:
    """Load the demo district into an empty database; raises :class:`NotEmptyError` otherwise."""
    spec = SIZES[size] if isinstance(size, str) else size
    with acting_as(None, source="seed_demo"), transaction.atomic():
        if not database_is_empty():
            raise NotEmptyError("the database already has areas")
        return _Seeder(spec, seed=seed, batch_size=batch_size).run()


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _coord(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _square(lat: float, lng: float, half: float) -> dict[str, Any]:
    """A GeoJSON square around a centre: a stand-in boundary good enough for the map."""
    ring = [
        [round(lng - half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat - half, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class _Community:
    area: Area
    street_index: int
    base: str
    road: str
    estates: list[str] = field(default_factory=list)


class _Seeder:
    def __init__(self, size: DemoSize, *, seed: int, batch_size: int) -> None:
        self.size = size
        self.seed = seed
        self.batch_size = batch_size
        self.rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not secrets)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.counts: Counter[str] = Counter()
        self.used_phones: set[str] = set()
        self.used_estates: set[str] = set()
        self.user_model = get_user_model()
        self.surnames = list(PersonProvider.last_names)
        self.surname_weights = list(itertools.accumulate(PersonProvider.last_names.values()))
        self.given_names = list(PersonProvider.first_names)

    # --- helpers ---------------------------------------------------------------------
    def _bulk(self, model: type[M], objs: list[M], label: str) -> list[M]:
        created: list[M] = []
        for batch in _batches(objs, self.batch_size):
            created.extend(model.objects.bulk_create(batch))  # type: ignore[attr-defined]
        self.counts[label] += len(created)
        return created

    def _phone(self) -> str:
        while True:
            phone = f"1{self.rng.randint(3, 9)}{self.rng.randrange(10**9):09d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def _resident_name(self) -> str:
        """A Faker zh_CN name (surname by its frequency, then a given name), drawn from Faker's own
        tables with our seeded generator: the same names Faker gives, twenty times faster."""
        return self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0] + self.rng.choice(self.given_names)

    def _address(self, road: str) -> str:
        return f"{data.DISTRICT[1]}{road}{self.rng.randint(1, 399)}号"

    # --- the load ----------------------------------------------------------------------
    def run(self) -> SeedSummary:
        timings: dict[str, float] = {}
        for step in (
            self._territory,
            self._buildings,
            self._organisations,
            self._categories,
            self._duties,
            self._staff,
            self._residents,
            self._requests,
            self._budgeting_and_opinion,
            self._participation_deliberation,
            self._participation,
        ):
            started = time.perf_counter()
            step()
            timings[step.__name__.lstrip("_")] = round(time.perf_counter() - started, 3)
        summary = SeedSummary(size=self.size.name, seed=self.seed, counts=dict(sorted(self.counts.items())))
        summary.timings = timings
        summary.district_id = self.district.pk
        record_demo_seed(self.district, summary={"size": summary.size, "seed": summary.seed, **summary.counts})
        return summary

    def _participation_deliberation(self) -> None:
        deliberation_demo.seed(self)

    def _participation(self) -> None:
        from gongzhi.demo import meetings_demo, surveys_demo

        for module in (surveys_demo, meetings_demo):
            module.seed(self)

    def _residents_per_grid(self, grid_count: int) -> list[int]:
        base, extra = divmod(self.size.residents, grid_count)
        return [base + (1 if i < extra else 0) for i in range(grid_count)]

    def _territory(self) -> None:
        rng, size = self.rng, self.size
        city_code, city_name = data.CITY
        district_code, district_name = data.DISTRICT
        lat0, lng0 = data.CENTRE
        city = Area(code=city_code, name=city_name, level=AreaLevel.CITY, path=Area.path_for("", city_code))
        self.city = self._bulk(Area, [city], "areas")[0]
        district = Area(
            code=district_code,
            name=district_name,
            level=AreaLevel.DISTRICT,
            parent=self.city,
            path=Area.path_for(self.city.path, district_code),
            centre_lat=_coord(lat0),
            centre_lng=_coord(lng0),
            address=f"{district_name}桃园路2号",
        )
        self.district = self._bulk(Area, [district], "areas")[0]

        streets = []
        self.street_centres: list[tuple[float, float]] = []
        for i, (name, _) in enumerate(data.STREETS[: size.streets]):
            code = f"{district_code}{i + 1:03d}"
            lat, lng = lat0 + rng.uniform(-0.05, 0.05), lng0 + rng.uniform(-0.06, 0.06)
            self.street_centres.append((lat, lng))
            streets.append(
                Area(
                    code=code,
                    name=name,
                    level=AreaLevel.STREET,
                    parent=self.district,
                    path=Area.path_for(self.district.path, code),
                    centre_lat=_coord(lat),
                    centre_lng=_coord(lng),
                    boundary=_square(lat, lng, 0.02),
                    address=self._address(rng.choice(data.ROADS)),
                )
            )
        self.streets = self._bulk(Area, streets, "areas")

        # Community types: every type at least once, then weighted towards the common ones.
        types = list(CommunityType)
        rng.shuffle(types)
        common = [CommunityType.OLD_RESIDENTIAL, CommunityType.COMMODITY_HOUSING, CommunityType.COMMODITY_HOUSING]
        while len(types) < size.communities:
            types.append(rng.choice([*common, *CommunityType]))
        per_street = [0] * size.streets
        self.communities: list[_Community] = []
        community_objs = []
        grid_total = size.communities * size.grids_per_community
        per_grid = self._residents_per_grid(grid_total)
        self.residents_per_grid = per_grid
        for n in range(size.communities):
            s = n % size.streets
            street = self.streets[s]
            base = data.STREETS[s][1][per_street[s]]
            per_street[s] += 1
            code = f"{street.code}{per_street[s]:03d}"
            slat, slng = self.street_centres[s]
            lat, lng = slat + rng.uniform(-0.012, 0.012), slng + rng.uniform(-0.012, 0.012)
            road = rng.choice(data.ROADS)
            population = sum(per_grid[n * size.grids_per_community : (n + 1) * size.grids_per_community])
            area = Area(
                code=code,
                name=f"{base}社区",
                level=AreaLevel.COMMUNITY,
                parent=street,
                path=Area.path_for(street.path, code),
                community_type=types[n],
                centre_lat=_coord(lat),
                centre_lng=_coord(lng),
                boundary=_square(lat, lng, 0.004),
                population=population,
                address=f"{self._address(road)}{base}社区党群服务中心",
            )
            community_objs.append(area)
            self.communities.append(_Community(area=area, street_index=s, base=base, road=road))
        self._bulk(Area, community_objs, "areas")

        grids: list[Area] = []
        self.grid_community: list[_Community] = []
        for community in self.communities:
            c = community.area
            for g in range(size.grids_per_community):
                code = f"{c.code}G{g + 1:02d}"
                lat = float(c.centre_lat or 0) + rng.uniform(-0.003, 0.003)
                lng = float(c.centre_lng or 0) + rng.uniform(-0.003, 0.003)
                grids.append(
                    Area(
                        code=code,
                        name=f"{community.base}第{CHINESE_NUMERALS[g]}网格",
                        level=AreaLevel.GRID,
                        parent=c,
                        path=Area.path_for(c.path, code),
                        centre_lat=_coord(lat),
                        centre_lng=_coord(lng),
                        boundary=_square(lat, lng, 0.0015),
                        population=per_grid[len(grids)],
                    )
                )
                self.grid_community.append(community)
        self.grids = self._bulk(Area, grids, "areas")

    def _estate_name(self, community: _Community) -> str:
        patterns = data.ESTATE_STYLES[community.area.community_type][0]
        candidate = self.rng.choice(patterns).format(
            base=community.base,
            prefix=self.rng.choice(data.ESTATE_PREFIXES),
            suffix=self.rng.choice(data.COMMODITY_SUFFIXES),
            unit=self.rng.choice(data.WORK_UNITS),
        )
        name, phase = candidate, 1
        while name in self.used_estates:
            phase += 1
            numeral = CHINESE_NUMERALS[phase - 1] if phase <= len(CHINESE_NUMERALS) else str(phase)
            name = f"{candidate}{numeral}期"
        self.used_estates.add(name)
        return name

    def _buildings(self) -> None:
        rng = self.rng
        buildings: list[Building] = []
        for grid, community in zip(self.grids, self.grid_community, strict=True):
            ctype = community.area.community_type
            _, (fmin, fmax), lift, (ymin, ymax) = data.ESTATE_STYLES[ctype]
            estate = self._estate_name(community)
            community.estates.append(estate)
            number = rng.randint(1, 399)
            for b in range(self.size.buildings_per_grid):
                floors = rng.randint(fmin, fmax)
                use = BuildingUse.MIXED if ctype == CommunityType.URBAN_VILLAGE and b == 0 else BuildingUse.RESIDENTIAL
                buildings.append(
                    Building(
                        grid=grid,
                        area_path=grid.path,
                        name=f"{estate}{b + 1}栋",
                        address=f"{data.DISTRICT[1]}{community.road}{number}号{b + 1}栋",
                        use=use,
                        floors=floors,
                        built_year=rng.randint(ymin, ymax),
                        has_lift=lift or floors >= 10,
                        lat=_coord(float(grid.centre_lat or 0) + rng.uniform(-0.001, 0.001)),
                        lng=_coord(float(grid.centre_lng or 0) + rng.uniform(-0.001, 0.001)),
                    )
                )
        buildings = self._bulk(Building, buildings, "buildings")

        area_ranges: dict[str, tuple[int, int]] = {
            CommunityType.URBAN_VILLAGE: (18, 45),
            CommunityType.OLD_RESIDENTIAL: (45, 85),
            CommunityType.WORK_UNIT: (40, 75),
            CommunityType.URBAN_RURAL_FRINGE: (30, 70),
        }
        ctype_by_path = {g.path: c.area.community_type for g, c in zip(self.grids, self.grid_community, strict=True)}
        units: list[Unit] = []
        for building in buildings:
            units.extend(Unit(building=building, number=str(u + 1)) for u in range(rng.randint(1, 3)))
        units = self._bulk(Unit, units, "units")

        def rooms() -> Iterator[tuple[Any, ...]]:
            for unit in units:
                building = unit.building
                low, high = area_ranges.get(ctype_by_path[building.area_path], (70, 150))
                per_floor = 4 if ctype_by_path[building.area_path] == CommunityType.URBAN_VILLAGE else 2
                for floor in range(1, (building.floors or 1) + 1):
                    for index in range(1, per_floor + 1):
                        area = Decimal(f"{rng.uniform(low, high):.2f}")
                        yield (unit.pk, f"{floor}{index:02d}", floor, area)

        inserter = BulkInserter(Room, ["unit_id", "number", "floor", "floor_area"])
        for batch in _batches(rooms(), self.batch_size):
            inserter.insert(batch)
            self.counts["rooms"] += len(batch)

    def _organisations(self) -> None:
        rng, K = self.rng, OrganisationKind
        district = self.district
        orgs: list[Organisation] = []
        serves: list[tuple[Organisation, list[Area]]] = []

        def org(kind: OrganisationKind, name: str, code: str, seat: Area, served: list[Area]) -> Organisation:
            o = Organisation(
                kind=kind,
                name=name,
                code=code,
                home_area=seat,
                home_area_path=seat.path,
                contact_name=self.fake.name(),
                contact_phone=f"0755-{rng.randint(2000, 8999)}{rng.randint(1000, 9999)}",
                address=self._address(rng.choice(data.ROADS)),
            )
            orgs.append(o)
            serves.append((o, served))
            return o

        self.departments = {
            key: org(K.GOVERNMENT_DEPARTMENT, name, code, district, [district])
            for key, (name, code) in data.DEPARTMENTS.items()
        }
        self.street_offices = [
            org(K.STREET_OFFICE, f"{s.name}办事处", f"DEMO-SO-{s.code}", s, [s]) for s in self.streets
        ]
        self.police_stations = [
            org(K.POLICE_STATION, f"{s.name.removesuffix('街道')}派出所", f"DEMO-PS-{s.code}", s, [s])
            for s in self.streets
        ]
        self.volunteer_teams = [
            org(K.VOLUNTEER_TEAM, f"{s.name}志愿服务队", f"DEMO-VT-{s.code}", s, [s]) for s in self.streets
        ]
        self.committees = [
            org(K.RESIDENTS_COMMITTEE, f"{c.area.name}居民委员会", f"DEMO-RC-{c.area.code}", c.area, [c.area])
            for c in self.communities
        ]
        # Property companies manage the estates of every community but urban villages
        # (whose landlords' co-operative does the job); each manages several communities.
        managed = [c for c in self.communities if c.area.community_type != CommunityType.URBAN_VILLAGE]
        company_count = min(len(data.PROPERTY_COMPANIES), max(2, math.ceil(len(managed) / 4)))
        self.property_companies: list[tuple[Organisation, list[_Community]]] = []
        for i in range(company_count):
            mine = managed[i::company_count]
            name = f"深圳市{data.PROPERTY_COMPANIES[i]}物业管理有限公司"
            company = org(K.PROPERTY_COMPANY, name, f"91440300DEMOPM{i + 1:04d}", mine[0].area, [c.area for c in mine])
            self.property_companies.append((company, mine))
        owned = {CommunityType.COMMODITY_HOUSING, CommunityType.RESETTLEMENT, CommunityType.MIXED}
        self.owners_committees = [
            (org(K.OWNERS_COMMITTEE, f"{c.estates[0]}业主委员会", f"DEMO-OC-{c.area.code}", c.area, [c.area]), c)
            for c in self.communities
            if c.area.community_type in owned
        ]
        social_count = 2 if self.size.streets <= 2 else len(data.SOCIAL_ORGANISATIONS)
        self.social_organisations: list[tuple[Organisation, list[Area]]] = []
        for i, name in enumerate(data.SOCIAL_ORGANISATIONS[:social_count]):
            # The first works district-wide; the others each take a share of the streets.
            served = [district] if i == 0 else self.streets[i % len(self.streets) :: social_count]
            code = f"52440305DEMOSO{i + 1:02d}"
            self.social_organisations.append((org(K.SOCIAL_ORGANISATION, name, code, served[0], served), served))
        self.enterprises = {
            key: org(K.ENTERPRISE, name, code, district, [district]) for key, (name, code) in data.ENTERPRISES.items()
        }
        self.evaluator = org(K.EVALUATOR, data.EVALUATOR[0], data.EVALUATOR[1], district, [district])

        self._bulk(Organisation, orgs, "organisations")
        links = [OrganisationArea(organisation=o, area=a) for o, served in serves for a in served]
        self._bulk(OrganisationArea, links, "served_areas")

    def _categories(self) -> None:
        tops, branches, leaves = [], [], []
        self.leaf_duties: list[tuple[MatterCategory, dict[str, DutyRole]]] = []
        for t, (name, name_en, branch_list) in enumerate(data.CATEGORIES, start=1):
            top = MatterCategory(code=f"{t:02d}", name=name, name_en=name_en, level=1)
            tops.append(top)
            for b, (bname, bname_en, duties, leaf_list) in enumerate(branch_list, start=1):
                branch = MatterCategory(code=f"{t:02d}{b:02d}", name=bname, name_en=bname_en, level=2, parent=top)
                branches.append(branch)
                for lf, (lname, lname_en, extra) in enumerate(leaf_list, start=1):
                    leaf = MatterCategory(
                        code=f"{t:02d}{b:02d}{lf:02d}", name=lname, name_en=lname_en, level=3, parent=branch
                    )
                    leaves.append(leaf)
                    # A leaf's own line overrides the branch's line for the same handler.
                    self.leaf_duties.append((leaf, {**dict(duties), **dict(extra)}))
        # Parents first: Django copies a parent's new pk into children assigned before it was saved.
        for level in (tops, branches, leaves):
            self._bulk(MatterCategory, level, "categories")

    def _duty_targets(self, selector: str) -> list[tuple[Organisation, Area]]:
        kind, _, key = selector.partition(":")
        if kind == "dept":
            return [(self.departments[key], self.district)]
        if kind == "ent":
            return [(self.enterprises[key], self.district)]
        if kind == "street":
            return list(zip(self.street_offices, self.streets, strict=True))
        if kind == "police":
            return list(zip(self.police_stations, self.streets, strict=True))
        if kind == "committee":
            return [(o, c.area) for o, c in zip(self.committees, self.communities, strict=True)]
        if kind == "property":
            return [(o, c.area) for o, mine in self.property_companies for c in mine]
        if kind == "owners":
            return [(o, c.area) for o, c in self.owners_committees]
        raise ValueError(f"unknown duty selector {selector!r}")

    def _duties(self) -> None:
        duties = [
            DutyAssignment(organisation=o, category=leaf, area=area, area_path=area.path, duty_role=role)
            for leaf, handlers in self.leaf_duties
            for selector, role in handlers.items()
            for o, area in self._duty_targets(selector)
        ]
        self._bulk(DutyAssignment, duties, "duty_assignments")

    def _staff(self) -> None:
        password = make_password(DEMO_PASSWORD)  # one hash for every demo staff account
        plan: list[tuple[Role, Organisation | None, list[Area]]] = []
        committees = dict(zip([c.area.pk for c in self.communities], self.committees, strict=True))
        for grid, community in zip(self.grids, self.grid_community, strict=True):
            plan.append((Role.GRID_WORKER, committees[community.area.pk], [grid]))
        for committee, community in zip(self.committees, self.communities, strict=True):
            plan += [(Role.COMMUNITY_WORKER, committee, [community.area])] * data.STAFF_PER_UNIT[Role.COMMUNITY_WORKER]
        for office, street in zip(self.street_offices, self.streets, strict=True):
            plan += [(Role.STREET_OFFICIAL, office, [street])] * data.STAFF_PER_UNIT[Role.STREET_OFFICIAL]
        government = self.departments["government"]
        plan += [(Role.DISTRICT_OFFICIAL, government, [self.district])] * data.STAFF_PER_UNIT[Role.DISTRICT_OFFICIAL]
        for key, dept in self.departments.items():
            if key != "government":
                plan.append((Role.DEPARTMENT_HANDLER, dept, [self.district]))
        for company, mine in self.property_companies:
            plan.append((Role.PROPERTY_STAFF, company, [c.area for c in mine]))
        for committee, community in self.owners_committees:
            plan.append((Role.OWNERS_COMMITTEE, committee, [community.area]))
        for org, served in self.social_organisations:
            plan.append((Role.SOCIAL_ORG_STAFF, org, served))
        for org in self.enterprises.values():
            plan.append((Role.ENTERPRISE_STAFF, org, [self.district]))
        for team, street in zip(self.volunteer_teams, self.streets, strict=True):
            plan.append((Role.VOLUNTEER_LEADER, team, [street]))
        for station, street in zip(self.police_stations, self.streets, strict=True):
            plan.append((Role.POLICE_LIAISON, station, [street]))
        plan += [(Role.EVALUATOR, self.evaluator, [self.district])] * data.STAFF_PER_UNIT[Role.EVALUATOR]
        # The three administrators (三员分立) hold their one system-wide role and nothing else.
        plan += [(role, None, []) for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)]

        totals = Counter(role for role, _, _ in plan)
        seen: Counter[Role] = Counter()
        users = []
        for role, _, _ in plan:
            seen[role] += 1
            if role in ADMIN_ROLES:
                username = role.value
            else:
                width = max(2, len(str(totals[role])))
                username = f"{role.value}_{seen[role]:0{width}d}"
            users.append(
                self.user_model(
                    username=username,
                    kind=AccountKind.STAFF,
                    display_name=self.fake.name(),
                    password=password,
                    is_staff=True,
                )
            )
        users = self._bulk(self.user_model, users, "staff")
        grants = [
            RoleGrant(user=user, role=role, organisation=org, area=area, area_path=area.path)
            for user, (role, org, areas) in zip(users, plan, strict=True)
            for area in areas
        ]
        grants += [
            RoleGrant(user=user, role=role, area_path="")
            for user, (role, _, areas) in zip(users, plan, strict=True)
            if not areas
        ]
        self._bulk(RoleGrant, grants, "staff_grants")

    def _requests(self) -> None:
        for status, count in seed_work_orders(self.size.requests, rng=self.rng).items():
            self.counts[f"work_orders_{status}"] += count

    def _budgeting_and_opinion(self) -> None:
        # Replayed through the actions like the requests: skipped when requests are (quiet sizes).
        if self.size.requests:
            from gongzhi.demo.participation_algo_demo import seed_participation

            self.counts.update(seed_participation(rng=self.rng))

    def _rooms_by_grid(self) -> dict[int, list[tuple[int, str]]]:
        """Every room of the district with a postal address, grouped by grid (one query)."""
        rooms: dict[int, list[tuple[int, str]]] = {grid.pk: [] for grid in self.grids}
        rows = Room.objects.filter(unit__building__grid__in=self.grids).order_by("id")
        for room_id, grid_id, building, unit, number in rows.values_list(
            "id", "unit__building__grid_id", "unit__building__address", "unit__number", "number"
        ):
            rooms[grid_id].append((room_id, f"{building}{unit}单元{number}室"))
        for grid_rooms in rooms.values():
            self.rng.shuffle(grid_rooms)  # households spread over the buildings, some rooms empty
        return rooms

    def _residents(self) -> None:
        """Adults with accounts (they sign in with phone codes) and the registry of their households."""
        users = BulkInserter(
            self.user_model,
            ["username", "display_name", "phone", "home_area_id", "password"],
            fixed={"kind": AccountKind.RESIDENT},
        )
        grants = BulkInserter(RoleGrant, ["user_id", "area_id", "area_path"], fixed={"role": Role.RESIDENT})
        households = BulkInserter(Household, ["grid_id", "area_path", "room_id", "address", "number"])
        people = BulkInserter(
            Resident,
            [
                "name", "gender", "date_of_birth", "id_number", "id_number_index",
                "phone", "phone_index", "grid_id", "area_path", "user_id",
            ],
        )  # fmt: skip
        stays = BulkInserter(
            HouseholdMembership,
            ["household_id", "resident_id", "area_path", "relation", "residence_type", "moved_in_on"],
        )
        tags = BulkInserter(ResidentTag, ["resident_id", "area_path", "kind", "note"])
        planner = RegistryPlanner(
            self.rng,
            surname=lambda: self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0],
            given_name=lambda: self.rng.choice(self.given_names),
        )
        rooms = self._rooms_by_grid()
        number = 0

        def plan() -> Iterator[tuple[Area, Area, DemoHousehold]]:
            for grid, community, count in zip(self.grids, self.grid_community, self.residents_per_grid, strict=True):
                for household in planner.households(count, rooms[grid.pk]):
                    yield grid, community.area, household

        for batch in _batches(plan(), max(1, self.batch_size // 3)):
            accounts: list[tuple[Any, ...]] = []
            account_areas: list[Area] = []
            for grid, community, household in batch:
                for member in household.members:
                    if member.account:
                        number += 1
                        member.phone = self._phone()
                        # "!" starts an unusable password: residents sign in with phone codes only.
                        password = f"!demo{self.rng.getrandbits(128):032x}"
                        accounts.append((f"resident_{number:06d}", member.name, member.phone, grid.pk, password))
                        account_areas.append(community)
            account_ids = users.insert(accounts, return_ids=True)
            grants.insert([(pk, c.pk, c.path) for pk, c in zip(account_ids, account_areas, strict=True)])
            user_ids = iter(account_ids)
            household_ids = households.insert(
                [(g.pk, g.path, h.room_id, h.address, f"{g.code}-{i:05d}") for i, (g, _, h) in enumerate(batch)],
                return_ids=True,
            )
            person_rows: list[tuple[Any, ...]] = []
            for grid, _, household in batch:
                for m in household.members:
                    person_rows.append(
                        (
                            m.name, m.gender, m.born, m.id_number, index_of(m.id_number, "id_number"),
                            m.phone, index_of(m.phone, "phone"), grid.pk, grid.path,
                            next(user_ids) if m.account else None,
                        )
                    )  # fmt: skip
            resident_ids = iter(people.insert(person_rows, return_ids=True))
            stay_rows: list[tuple[Any, ...]] = []
            tag_rows: list[tuple[Any, ...]] = []
            for (grid, _, household), household_id in zip(batch, household_ids, strict=True):
                for m in household.members:
                    resident_id = next(resident_ids)
                    stay_rows.append(
                        (household_id, resident_id, grid.path, m.relation, household.residence, household.moved_in)
                    )
                    tag_rows += [(resident_id, grid.path, kind, note) for kind, note in planner.tags(m, household)]
            stays.insert(stay_rows)
            tags.insert(tag_rows)
            self.counts["residents"] += len(accounts)
            self.counts["resident_grants"] += len(accounts)
            self.counts["households"] += len(batch)
            self.counts["registered_residents"] += len(person_rows)
            self.counts["resident_tags"] += len(tag_rows)
