"""GB 11643 ID numbers, phones, masks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongzhi.privacy.masking import mask_id_number, mask_name, mask_phone, mask_text
from gongzhi.privacy.validators import birth_date_from_id, id_check_digit, validate_id_number, validate_phone


def with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_known_valid_numbers_pass_including_check_digit_x():
    # 11010519491231002X is the GB 11643 standard's own example (check digit X).
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    number = with_check("44030519900307123")
    assert validate_id_number(number) == number


def test_check_digit_algorithm_matches_the_standard():
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "id_format"),
        ("11010519491231002Y", "id_format"),
        ("1101051949123100AX", "id_format"),
        (with_check("99010519491231002"), "id_region"),
        (with_check("11000019491231002"), "id_region"),
        (with_check("11010519491331002"), "id_birth_date"),
        (with_check("11010518491231002"), "id_birth_date"),
        (with_check("11010521991231002"), "id_birth_date"),
        ("110105194912310021", "id_checksum"),
    ],
)
def test_invalid_numbers_are_refused_with_a_precise_code(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert excinfo.value.code == code


def test_birth_date_is_read_from_the_number():
    assert str(birth_date_from_id("11010519491231002X")) == "1949-12-31"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("138 0013 8000", "13800138000"), ("+8613800138000", "13800138000"), ("0755-86001234", "075586001234")],
)
def test_valid_phones_are_normalised(value, expected):
    assert validate_phone(value) == expected


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "abc", "", "23800138000"])
def test_invalid_phones_are_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(value)
    assert excinfo.value.code == "phone"


def test_masks():
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_phone("13856785678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("") == mask_phone("") == mask_id_number("") == ""
    assert mask_text("高血压") == "••••"
