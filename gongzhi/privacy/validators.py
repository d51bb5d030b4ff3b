"""GB 11643-1999 citizen ID numbers and Chinese phone numbers."""

from __future__ import annotations

import datetime
import operator
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.privacy.crypto import normalise_id_number, normalise_phone

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# Province-level codes of GB/T 2260 (plus 71 Taiwan, 81 Hong Kong, 82 Macao, 83 the
# residence permits for Taiwan residents).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{9,11}$")


def id_check_digit(first17: str) -> str:
    if len(first17) != len(ID_WEIGHTS):
        raise ValueError("the check digit needs the first 17 characters")
    # map/mul instead of a generator: this runs once per imported row.
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def birth_date_from_id(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_digit_is_male(number: str) -> bool:
    """The 17th digit (sequence code) is odd for men, even for women."""
    return int(number[16]) % 2 == 1


def validate_id_number(value: str, *, today: datetime.date | None = None) -> str:
    """Return the normalised number or raise ValidationError with a precise code."""
    number = normalise_id_number(value or "")
    if not _ID_RE.match(number):
        raise ValidationError(_("An ID number has 17 digits followed by a digit or X."), code="id_format")
    if int(number[:2]) not in PROVINCE_CODES or number[2:6] == "0000":
        raise ValidationError(_("The ID number's region code is not valid."), code="id_region")
    born = birth_date_from_id(number)
    if born is None or born.year < 1900 or born > (today or timezone.localdate()):
        raise ValidationError(_("The ID number's date of birth is not valid."), code="id_birth_date")
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("The ID number's check digit is wrong."), code="id_checksum")
    return number


def validate_phone(value: str) -> str:
    """Mainland mobile (11 digits) or landline with area code; returns digits only."""
    digits = normalise_phone(value or "")
    if not (MOBILE_RE.match(digits) or LANDLINE_RE.match(digits)):
        raise ValidationError(_("Enter a mobile number (11 digits) or a landline with its area code."), code="phone")
    return digits
