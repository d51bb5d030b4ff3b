"""Reading and checking import files: streaming CSV/XLSX readers and per-row validation.

Nothing here writes; ``actions.import_chunk`` does, and ``importer.run_import`` drives it.
Readers never hold the whole file: CSV is read line by line, XLSX through openpyxl's
read-only mode (rows are streamed from the zip).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError

from gongzhi.privacy.validators import birth_date_from_id, gender_digit_is_male, validate_id_number, validate_phone
from gongzhi.residents.choices import IMPORT_FIELDS, Gender, Relation, ResidenceType

#: Rows of a file above its data: row 1 is the header, data starts at row 2. Row numbers
#: (errors, review items) are the spreadsheet's; ``ImportBatch.rows_done`` counts data rows.
HEADER_ROWS = 1


def last_done_row(rows_done: int) -> int:
    """The row number of the last row already done by a set that has read ``rows_done``
    data rows: rows at or before it are skipped when the set resumes."""
    return rows_done + HEADER_ROWS


def data_rows_through(row_number: int) -> int:
    """How many data rows a file has up to and including ``row_number`` (blank rows too:
    they were read)."""
    return max(row_number - HEADER_ROWS, 0)


class ByteCounter(io.RawIOBase):
    """Wraps a binary file and counts the bytes read (for a progress bar on a stream)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def iter_csv(binary: IO[bytes], encoding: str = "utf-8-sig") -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and ``(row number, values)`` pairs; row 1 is the header, data starts at 2."""
    # A buffered text wrapper decodes in blocks (codecs' StreamReader decodes line by line,
    # several times slower); newline="" leaves line ends inside quoted fields to csv.
    # (open_rows passes a raw ByteCounter, whose close() leaves the caller's file open.)
    buffered: Any = binary if isinstance(binary, io.BufferedIOBase) else io.BufferedReader(binary)  # type: ignore[type-var]
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text)
    header = [h.strip() for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(reader, start=2):
            if any(v.strip() for v in values):
                yield number, values

    return header, rows()


def iter_xlsx(binary: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    """The first sheet of an .xlsx, streamed (openpyxl read-only mode)."""
    from openpyxl import load_workbook

    book = load_workbook(binary, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    max_row = sheet.max_row or 0
    it = sheet.iter_rows(values_only=True)
    first = next(it, ())
    header = ["" if v is None else str(v).strip() for v in first]

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, datetime.datetime):
            return v.date().isoformat()
        if isinstance(v, datetime.date):
            return v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(it, start=2):
                texts = [cell(v) for v in values]
                if any(t.strip() for t in texts):
                    yield number, texts
        finally:
            book.close()

    return header, rows(), max_row


def _size(binary: IO[bytes]) -> int:
    try:
        return os.fstat(binary.fileno()).st_size
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return int(getattr(binary, "size", 0) or 0)


def open_rows(
    binary: IO[bytes], file_name: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]], Callable[[], tuple[int, int]]]:
    """Header, rows, and ``position() -> (done, total)`` for a progress bar: bytes read for
    CSV (a stream), rows read of the sheet's dimension for XLSX (a zip needs random access)."""
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        header, rows, max_row = iter_xlsx(binary)
        state = {"row": 1}

        def counted() -> Iterator[tuple[int, list[str]]]:
            for number, values in rows:
                state["row"] = number
                yield number, values

        return header, counted(), lambda: (state["row"], max_row)
    counter = ByteCounter(binary)
    total = _size(binary)
    header, rows = iter_csv(counter)  # type: ignore[arg-type]
    return header, rows, lambda: (counter.count, total)


def missing_columns(header: list[str], column_map: dict[str, str]) -> list[str]:
    present = set(header)
    return [column for column in column_map.values() if column and column not in present]


def mapper(header: list[str], column_map: dict[str, str]) -> Any:
    """``values -> {field: text}`` for the profile's mapping (unknown fields ignored)."""
    positions = {
        field: header.index(column)
        for field, column in column_map.items()
        if field in IMPORT_FIELDS and column in header
    }

    def pick(values: list[str]) -> dict[str, str]:
        return {f: (values[i].strip() if i < len(values) else "") for f, i in positions.items()}

    return pick


_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
_GENDERS.update({g.value: g for g in Gender} | {str(g.label).lower(): g for g in Gender})


def _choice_lookup(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    table = {c.value: c.value for c in choices} | {str(c.label).lower(): c.value for c in choices}
    return table | extra


_RELATIONS = _choice_lookup(
    Relation,
    {"户主": "head", "本人": "head", "配偶": "spouse", "妻": "spouse", "夫": "spouse", "子": "child", "女": "child",
     "子女": "child", "父": "parent", "母": "parent", "父母": "parent", "孙子": "grandchild", "孙女": "grandchild",
     "兄弟": "sibling", "姐妹": "sibling", "其他亲属": "other_relative", "非亲属": "non_relative"},
)  # fmt: skip
_RESIDENCE = _choice_lookup(
    ResidenceType,
    {"户籍": "registered", "户籍人口": "registered", "常住": "resident", "常住人口": "resident", "流动": "floating",
     "流动人口": "floating", "租户": "tenant", "租住": "tenant", "空挂": "vacant", "人户分离": "vacant"},
)  # fmt: skip
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")


def parse_date(text: str) -> datetime.date:
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


@dataclass
class CleanRow:
    number: int
    values: dict[str, Any]  # register fields, only those present in the row


def clean_row(
    number: int, raw: dict[str, str], *, today: datetime.date | None = None
) -> tuple[CleanRow | None, list[tuple[str, str]]]:
    """Validate one row: ``(clean row, [])`` or ``(None, [(field, reason), …])``.
    ``today`` (the local date, for "born in the future") may be passed once per chunk."""
    errors: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    name = raw.get("name", "")
    if not name:
        errors.append(("name", "name is required"))
    elif len(name) > 64:
        errors.append(("name", "name is longer than 64 characters"))
    else:
        values["name"] = name
    if raw.get("id_number"):
        try:
            values["id_number"] = validate_id_number(raw["id_number"], today=today)
        except ValidationError as exc:
            errors.append(("id_number", exc.messages[0]))
    if raw.get("phone"):
        try:
            values["phone"] = validate_phone(raw["phone"])
        except ValidationError as exc:
            errors.append(("phone", exc.messages[0]))
    if raw.get("date_of_birth"):
        try:
            values["date_of_birth"] = parse_date(raw["date_of_birth"])
        except ValueError:
            errors.append(("date_of_birth", "not a date (use YYYY-MM-DD)"))
    if raw.get("gender"):
        gender = _GENDERS.get(raw["gender"].lower())
        if gender is None:
            errors.append(("gender", f"unknown gender {raw['gender']!r}"))
        else:
            values["gender"] = gender
    for field, table in (("relation", _RELATIONS), ("residence_type", _RESIDENCE)):
        if raw.get(field):
            code = table.get(raw[field].lower())
            if code is None:
                errors.append((field, f"unknown value {raw[field]!r}"))
            else:
                values[field] = code
    for field, limit in (("ethnicity", 32), ("occupation", 64), ("employer", 120), ("address", 200)):
        text = raw.get(field, "")
        if len(text) > limit:
            errors.append((field, f"longer than {limit} characters"))
        elif text:
            values[field] = text
    if raw.get("household_number"):
        values["household_number"] = raw["household_number"][:32]
    number_value = values.get("id_number")
    if number_value:
        born = birth_date_from_id(number_value)
        if "date_of_birth" in values and values["date_of_birth"] != born:
            errors.append(("date_of_birth", "does not match the ID number"))
        values.setdefault("date_of_birth", born)
        values.setdefault("gender", Gender.MALE if gender_digit_is_male(number_value) else Gender.FEMALE)
    if errors:
        return None, errors
    return CleanRow(number, values), []


_ADDRESS_NOISE = re.compile(r"[\s,.\-\u3001\u3002\uff0c\u00b7]")


def normalise_address(text: str) -> str:
    return _ADDRESS_NOISE.sub("", text or "")
