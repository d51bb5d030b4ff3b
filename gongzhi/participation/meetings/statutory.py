# ruff: noqa: RUF002  (the statute is quoted with its own Chinese punctuation)
"""The counting rule of Civil Code art. 278 (2020), implemented exactly.

    业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决。
    决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上的业主且参与表决人数
    四分之三以上的业主同意。决定前款其他事项，应当经参与表决专有部分面积过半数的业主且参与表决人数
    过半数的业主同意。

- Participation: owners holding ≥ 2/3 of the exclusive area AND ≥ 2/3 of all owners take part.
- Items 6–8 (raise the maintenance fund; renovate or rebuild; change the use of common parts
  or use them for business): ≥ 3/4 of the participating area AND ≥ 3/4 of the participating owners agree.
- Every other matter: MORE than half (过半数) of the participating area AND of the participating owners agree.

"以上" includes the figure itself and "过半数" does not (Civil Code art. 1259: “以上”包括本数，
“超过”不包括本数; 过半数 = more than half). Abstentions are participation, not agreement.
Head count (SPC interpretation on building ownership, art. 9): one exclusive part counts as
one owner, and one owner with several parts counts once — here one :class:`Owner` is one head.
All arithmetic is exact (Decimal areas, integer heads, cross-multiplied, no division).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gongzhi.participation.meetings.choices import SPECIAL_MATTERS


@dataclass(frozen=True)
class Count:
    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    for_area: Decimal
    for_owners: int


@dataclass(frozen=True)
class Outcome:
    participation_met: bool
    majority_met: bool
    special: bool

    @property
    def passed(self) -> bool:
        return self.participation_met and self.majority_met


def at_least(part: Decimal | int, whole: Decimal | int, num: int, den: int) -> bool:
    """part ≥ num/den × whole, exactly."""
    return Decimal(part) * den >= Decimal(whole) * num


def more_than(part: Decimal | int, whole: Decimal | int, num: int, den: int) -> bool:
    """part > num/den × whole, exactly."""
    return Decimal(part) * den > Decimal(whole) * num


def decide(count: Count, matter: str) -> Outcome:
    special = matter in SPECIAL_MATTERS
    participation = (
        count.total_owners > 0
        and count.total_area > 0
        and at_least(count.participating_area, count.total_area, 2, 3)
        and at_least(count.participating_owners, count.total_owners, 2, 3)
    )
    if count.participating_owners == 0:
        majority = False
    elif special:
        majority = at_least(count.for_area, count.participating_area, 3, 4) and at_least(
            count.for_owners, count.participating_owners, 3, 4
        )
    else:
        majority = more_than(count.for_area, count.participating_area, 1, 2) and more_than(
            count.for_owners, count.participating_owners, 1, 2
        )
    return Outcome(participation_met=participation, majority_met=majority, special=special)


def resolution_passes(votes_for: int, present: int) -> bool:
    """A meeting's resolution: more than half of those present at the vote are for it (过半数, exact)."""
    return present > 0 and 2 * votes_for > present
