"""Residents test data on top of the standard world.

household_g1 (room 502 of 科苑小区3栋, grid G1): head 张三 (1950), spouse 李梅 (1952),
    grandchild 王小宝 (10 years old); one visit with notes
household_g3 (grid G3, community C2): 赵六
household_g4 (grid G4, community C3, other street): 钱七
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from gongzhi.privacy.models import PrivacyNotice
from gongzhi.privacy.testing import test_keys  # noqa: F401  (autouse fixture)
from gongzhi.residents.choices import Relation
from gongzhi.residents.factories import (
    HouseholdFactory,
    MembershipFactory,
    ResidentFactory,
    VisitFactory,
    make_id_number,
)
from gongzhi.residents.models import Household, Resident, Visit
from gongzhi.testing.world import World


@dataclass
class People:
    household_g1: Household
    household_g3: Household
    household_g4: Household
    head: Resident
    spouse: Resident
    child: Resident
    resident_g3: Resident
    resident_g4: Resident
    visit_g1: Visit
    notice: PrivacyNotice


def ten_years_ago() -> datetime.date:
    today = datetime.date.today()  # noqa: DTZ011 (a birth date, not a moment)
    return today.replace(year=today.year - 10, day=1)


@pytest.fixture
def people(world: World) -> People:
    from django.utils import timezone

    hh1 = HouseholdFactory(grid=world.g1, room=world.room_g1, address="南山区科苑路15号3栋1单元502室")
    hh3 = HouseholdFactory(grid=world.g3, address="海珠路8号")
    hh4 = HouseholdFactory(grid=world.g4, address="白石洲东村12栋301")
    head = ResidentFactory(
        grid=world.g1,
        name="张三",
        date_of_birth=datetime.date(1950, 5, 1),
        id_number="11010519491231002X",
        phone="13912345678",
    )
    spouse = ResidentFactory(grid=world.g1, name="李梅", date_of_birth=datetime.date(1952, 2, 2))
    child = ResidentFactory(
        grid=world.g1, name="王小宝", date_of_birth=ten_years_ago(), id_number=make_id_number(ten_years_ago()), phone=""
    )
    MembershipFactory(household=hh1, resident=head)
    MembershipFactory(household=hh1, resident=spouse, relation=Relation.SPOUSE)
    MembershipFactory(household=hh1, resident=child, relation=Relation.GRANDCHILD)
    r3 = ResidentFactory(grid=world.g3, name="赵六")
    MembershipFactory(household=hh3, resident=r3)
    r4 = ResidentFactory(grid=world.g4, name="钱七")
    MembershipFactory(household=hh4, resident=r4)
    visit = VisitFactory(household=hh1, resident=head, visitor=world.grid_worker_g1)
    notice = PrivacyNotice.objects.create(
        version="1.0", title="个人信息保护告知书", body="……", published_at=timezone.now()
    )
    return People(hh1, hh3, hh4, head, spouse, child, r3, r4, visit, notice)


def ids(*objs: Any) -> set[int]:
    return {o.pk for o in objs}
