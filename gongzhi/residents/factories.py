"""factory_boy factories for residents, importable by other domains' tests.

They write rows directly (test set-up); domain behaviour goes through actions.
"""

from __future__ import annotations

import datetime
import itertools

import factory

from gongzhi.privacy.validators import id_check_digit
from gongzhi.residents.choices import Gender, Relation, ResidenceType
from gongzhi.residents.models import Household, HouseholdMembership, Resident, Visit

_serial = itertools.count(1)


def make_id_number(born: datetime.date, region: str = "440305", *, male: bool = True) -> str:
    """A valid GB 11643 number for ``born`` (sequence digits from a counter)."""
    seq = next(_serial) % 500
    sequence = f"{seq:02d}{(2 * (seq % 5) + (1 if male else 0)):d}"[-3:]
    first17 = f"{region}{born:%Y%m%d}{sequence}"
    return first17 + id_check_digit(first17)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    grid = None  # pass grid=world.g1
    area_path = factory.LazyAttribute(lambda o: o.grid.path)
    address = factory.Sequence(lambda n: f"南山区科苑路{n}号<script>alert(1)</script>")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Iterator(["张三", "李四", "王五", "欧阳娜娜", "赵六😀"])
    gender = Gender.MALE
    date_of_birth = datetime.date(1960, 3, 7)
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.date_of_birth))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    grid = None
    area_path = factory.LazyAttribute(lambda o: o.grid.path)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMembership

    household = None
    resident = None
    area_path = factory.LazyAttribute(lambda o: o.household.area_path)
    relation = Relation.HEAD
    residence_type = ResidenceType.REGISTERED
    moved_in_on = datetime.date(2010, 1, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    household = None
    area_path = factory.LazyAttribute(lambda o: o.household.area_path)
    visited_on = datetime.date(2026, 1, 5)
    notes = "血压偏高; 需复查"
