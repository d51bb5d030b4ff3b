"""Households for the demo district: who lives in which room, as the residents' registry holds it.

The loader in :mod:`gongzhi.demo.seeding` gives every adult an account; this module groups
them into households in the rooms of their grid, adds the children (who have no account),
and writes the registry rows ("一户一案"): :class:`Household`, :class:`Resident` (ID number
and phone encrypted, with blind indexes), :class:`HouseholdMembership` and a few care tags.

ID numbers are valid GB 11643 numbers of the demo district's region code (440305), so the
registry's checks accept them; they are random and belong to nobody.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from gongzhi.privacy.crypto import blind_index
from gongzhi.privacy.validators import id_check_digit
from gongzhi.residents.choices import Gender, Relation, ResidenceType, TagKind

REGION_CODE = "440305"
TODAY = datetime.date(2026, 11, 1)  # fixed, so that the same seed gives the same ages

#: Household sizes counted in adults with accounts, and how often each occurs.
ADULTS_PER_HOUSEHOLD = [1, 2, 2, 2, 3, 3, 4]
#: Residence types and their weights (most residents are permanent; tenants in urban villages).
RESIDENCE_WEIGHTS = {
    ResidenceType.REGISTERED: 45,
    ResidenceType.RESIDENT: 30,
    ResidenceType.TENANT: 18,
    ResidenceType.FLOATING: 7,
}
ELDERLY_AGE = 70


@dataclass
class Member:
    """One person of a demo household (``account`` is False for children)."""

    name: str
    gender: Gender
    born: datetime.date
    relation: Relation
    account: bool
    phone: str = ""
    id_number: str = ""


@dataclass
class DemoHousehold:
    room_id: int | None
    address: str
    residence: ResidenceType
    moved_in: datetime.date
    members: list[Member] = field(default_factory=list)


class RegistryPlanner:
    """Draws households with a seeded generator; the caller inserts the rows."""

    def __init__(self, rng: random.Random, *, surname: Callable[[], str], given_name: Callable[[], str]) -> None:
        self.rng = rng
        self.surname = surname
        self.given_name = given_name
        self.used_ids: set[str] = set()

    def id_number(self, born: datetime.date, gender: Gender) -> str:
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{REGION_CODE}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _born(self, low: int, high: int) -> datetime.date:
        age_days = self.rng.randint(low * 365, high * 365 + 364)
        return TODAY - datetime.timedelta(days=age_days)

    def _person(self, surname: str, gender: Gender, born: datetime.date, relation: Relation, account: bool) -> Member:
        member = Member(surname + self.given_name(), gender, born, relation, account)
        member.id_number = self.id_number(born, gender)
        return member

    def households(self, adults: int, rooms: list[tuple[int, str]]) -> Iterator[DemoHousehold]:
        """Households holding exactly ``adults`` account holders, in the grid's ``rooms`` (id, address)."""
        rng = self.rng
        index = 0
        while adults > 0:
            size = min(adults, rng.choice(ADULTS_PER_HOUSEHOLD))
            adults -= size
            room_id, address = rooms[index % len(rooms)] if rooms else (None, "")
            index += 1
            residence = rng.choices(list(RESIDENCE_WEIGHTS), weights=list(RESIDENCE_WEIGHTS.values()))[0]
            household = DemoHousehold(
                room_id, address, residence, TODAY - datetime.timedelta(days=rng.randint(30, 11000))
            )
            family = self.surname()
            head_gender = rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE])
            elderly = size == 1 and rng.random() < 0.35
            head_born = self._born(70, 92) if elderly else self._born(26, 68)
            household.members.append(self._person(family, head_gender, head_born, Relation.HEAD, True))
            if size >= 2:
                spouse_gender = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
                spouse_born = head_born + datetime.timedelta(days=rng.randint(-1500, 1500))
                household.members.append(
                    self._person(self.surname(), spouse_gender, spouse_born, Relation.SPOUSE, True)
                )
            head_age = (TODAY - head_born).days // 365
            for _ in range(size - 2):
                if head_age >= 50:  # a grown child
                    household.members.append(
                        self._person(
                            family, rng.choice(list(Gender)[:2]), self._born(18, head_age - 22), Relation.CHILD, True
                        )
                    )
                else:  # a grandparent
                    household.members.append(
                        self._person(
                            self.surname(),
                            rng.choice(list(Gender)[:2]),
                            self._born(head_age + 22, 92),
                            Relation.PARENT,
                            True,
                        )
                    )
            if 26 <= head_age <= 52 and size >= 2:
                for _ in range(rng.choice([0, 1, 1, 2])):
                    household.members.append(
                        self._person(family, rng.choice(list(Gender)[:2]), self._born(0, 17), Relation.CHILD, False)
                    )
            yield household

    def tags(self, member: Member, household: DemoHousehold) -> list[tuple[TagKind, str]]:
        """Care and status tags a committee would have set (no health tags: those need consent)."""
        age = (TODAY - member.born).days // 365
        tags: list[tuple[TagKind, str]] = []
        if age >= ELDERLY_AGE and len(household.members) == 1:
            tags.append((TagKind.ELDERLY_ALONE, "每周电话问候"))
        if member.account and self.rng.random() < 0.015:
            tags.append((TagKind.LOW_INCOME, ""))
        if member.account and member.gender == Gender.MALE and age >= 40 and self.rng.random() < 0.02:
            tags.append((TagKind.VETERAN, ""))
        if member.account and self.rng.random() < 0.06:
            tags.append((TagKind.PARTY_MEMBER, ""))
        if member.account and 20 <= age <= 70 and self.rng.random() < 0.05:
            tags.append((TagKind.VOLUNTEER, ""))
        return tags


def index_of(value: str, kind: str) -> str:
    return blind_index(value, kind=kind) if value else ""
