"""Civil Code art. 278, exactly at and around its thresholds (Decimal areas, integer heads)."""

from decimal import Decimal as D

import pytest

from gongzhi.participation.meetings.choices import SPECIAL_MATTERS, OwnersMatter
from gongzhi.participation.meetings.statutory import Count, decide


def count(total_area, total_owners, p_area, p_owners, f_area, f_owners):
    return Count(D(total_area), total_owners, D(p_area), p_owners, D(f_area), f_owners)


def test_special_matters_are_items_six_to_eight():
    assert {
        OwnersMatter.RAISE_MAINTENANCE_FUND,
        OwnersMatter.REBUILD,
        OwnersMatter.COMMON_PARTS_USE,
    } == SPECIAL_MATTERS
    # since 2021 using (not raising) the fund is an ordinary matter
    assert OwnersMatter.USE_MAINTENANCE_FUND not in SPECIAL_MATTERS


@pytest.mark.parametrize(
    ("p_area", "p_owners", "met"),
    [
        ("200.00", 6, True),  # exactly 2/3 of 300 m² and of 9 owners: 以上 includes the figure
        ("199.99", 6, False),  # a hundredth of a m² short
        ("200.00", 5, False),  # one head short
        ("300.00", 9, True),
    ],
)
def test_participation_two_thirds_of_area_and_of_owners(p_area, p_owners, met):
    outcome = decide(count("300.00", 9, p_area, p_owners, p_area, p_owners), OwnersMatter.ELECT_COMMITTEE)
    assert outcome.participation_met is met


@pytest.mark.parametrize(
    ("f_area", "f_owners", "passed"),
    [
        ("100.01", 4, True),  # more than half of 200 m² and of 6 owners
        ("100.00", 4, False),  # exactly half of the area is not 过半数
        ("150.00", 3, False),  # exactly half of the heads is not 过半数
        ("200.00", 6, True),
    ],
)
def test_ordinary_matter_needs_more_than_half_of_participants(f_area, f_owners, passed):
    outcome = decide(count("300.00", 9, "200.00", 6, f_area, f_owners), OwnersMatter.PROPERTY_MANAGER)
    assert outcome.participation_met
    assert outcome.passed is passed


@pytest.mark.parametrize(
    ("f_area", "f_owners", "passed"),
    [
        ("150.00", 6, True),  # exactly 3/4 of 200 m² and of 8 owners
        ("149.99", 6, False),
        ("150.00", 5, False),
    ],
)
def test_special_matter_needs_three_quarters_of_participants(f_area, f_owners, passed):
    outcome = decide(count("250.00", 12, "200.00", 8, f_area, f_owners), OwnersMatter.REBUILD)
    assert outcome.special
    assert outcome.participation_met
    assert outcome.passed is passed


def test_thirds_are_exact_not_rounded():
    # 2/3 of 100.00 m² is 66.666…: 66.67 participates enough, 66.66 does not
    assert decide(count("100.00", 3, "66.67", 2, "66.67", 2), OwnersMatter.OTHER_MAJOR).participation_met
    assert not decide(count("100.00", 3, "66.66", 2, "66.66", 2), OwnersMatter.OTHER_MAJOR).participation_met


def test_majority_without_participation_fails_and_empty_roll_fails():
    outcome = decide(count("300.00", 9, "100.00", 3, "100.00", 3), OwnersMatter.ELECT_COMMITTEE)
    assert outcome.majority_met
    assert not outcome.participation_met
    assert not outcome.passed
    assert not decide(count("0", 0, "0", 0, "0", 0), OwnersMatter.ELECT_COMMITTEE).passed
