"""Seed data for the holiday calendar (used by the data migration and ``seed_calendar``).

2026 comes from ``chinese_calendar`` (the State Council notice, with 调休 make-up
workdays). ``chinese_calendar`` stops at 2026, so 2027 is built from the statutory
rules (国务院《全国年节及纪念日放假办法》 as amended in 2024): New Year 1 day,
Spring Festival 4 days (eve + first three days), Qingming 1, Labour Day 2,
Dragon Boat 1, Mid-Autumn 1, National Day 3; a statutory day that falls on a
weekend is given back on the following working days (补休). The State Council
announces the real 2027 schedule (with its 调休 Saturdays) late in 2026: these
days are marked *provisional* and administrators replace them then.
"""

from __future__ import annotations

import datetime as dt

#: Gregorian dates of the lunar festivals (and Qingming, a solar term), per year.
#: 春节 = 正月初一, 端午 = 五月初五, 中秋 = 八月十五.
LUNAR_TABLE: dict[int, dict[str, dt.date]] = {
    2027: {
        "spring_festival": dt.date(2027, 2, 6),
        "qingming": dt.date(2027, 4, 5),
        "dragon_boat": dt.date(2027, 6, 9),
        "mid_autumn": dt.date(2027, 9, 15),
    },
}

NAMES = {
    "new_year": "元旦",
    "spring_festival": "春节",
    "qingming": "清明节",
    "labour_day": "劳动节",
    "dragon_boat": "端午节",
    "mid_autumn": "中秋节",
    "national_day": "国庆节",
}

NAMES_FROM_LIBRARY = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}

Day = tuple[dt.date, bool, str, str]  # date, is_workday, name, source


def official_days(year: int) -> list[Day]:
    """Holidays and make-up workdays of ``year`` from ``chinese_calendar``."""
    from chinese_calendar.constants import holidays, workdays

    days: list[Day] = []
    for day, name in sorted(holidays.items()):
        if day.year == year:
            days.append((day, False, NAMES_FROM_LIBRARY.get(str(name), str(name)), "official"))
    for day, name in sorted(workdays.items()):
        if day.year == year:
            days.append((day, True, f"{NAMES_FROM_LIBRARY.get(str(name), str(name))}调休上班", "official"))
    return sorted(days)


def provisional_days(year: int) -> list[Day]:
    """Statutory holidays of ``year`` by the rules, with weekend days given back (补休)."""
    lunar = LUNAR_TABLE[year]
    spring = lunar["spring_festival"]
    statutory: list[tuple[dt.date, str]] = [
        (dt.date(year, 1, 1), "new_year"),
        (spring - dt.timedelta(days=1), "spring_festival"),
        (spring, "spring_festival"),
        (spring + dt.timedelta(days=1), "spring_festival"),
        (spring + dt.timedelta(days=2), "spring_festival"),
        (lunar["qingming"], "qingming"),
        (dt.date(year, 5, 1), "labour_day"),
        (dt.date(year, 5, 2), "labour_day"),
        (lunar["dragon_boat"], "dragon_boat"),
        (lunar["mid_autumn"], "mid_autumn"),
        (dt.date(year, 10, 1), "national_day"),
        (dt.date(year, 10, 2), "national_day"),
        (dt.date(year, 10, 3), "national_day"),
    ]
    off: dict[dt.date, str] = dict(statutory)
    # Give back each statutory day that fell on a weekend, on the next weekday still free.
    for day, key in statutory:
        if day.weekday() >= 5:
            substitute = max(d for d, k in off.items() if k == key) + dt.timedelta(days=1)
            while substitute.weekday() >= 5 or substitute in off:
                substitute += dt.timedelta(days=1)
            off[substitute] = key
    # Weekends inside a holiday block are named after it (useful on the calendar page).
    for day, key in list(off.items()):
        for neighbour in (day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
            if neighbour.weekday() >= 5 and neighbour not in off:
                off[neighbour] = key
    return sorted((day, False, NAMES[key], "provisional") for day, key in off.items())


def seed_days() -> list[Day]:
    """What the data migration writes: 2026 official, 2027 provisional."""
    return official_days(2026) + provisional_days(2027)
