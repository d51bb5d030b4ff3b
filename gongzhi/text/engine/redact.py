"""Personal-data detection and masking: ID numbers, phone numbers, bank cards, licence plates
and exact addresses (building / unit / room and house numbers).

``redact(text)`` returns the masked text; ``find_personal_data(text)`` the spans found, so the
UI can show what was hidden. Everything shown publicly goes through ``redact``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class PiiKind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_CARD = "bank_card"
    PLATE = "plate"
    ADDRESS = "address"


@dataclass(frozen=True)
class PiiSpan:
    kind: PiiKind
    start: int
    end: int
    value: str


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

ID_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
# Old 15-digit numbers: yymmdd birth date.
ID15_RE = re.compile(r"(?<!\d)[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)")
MOBILE_RE = re.compile(r"(?<![\d])(?:(?:\+|00)?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
LANDLINE_RE = re.compile(r"(?<![\d-])(?:\(0\d{2,3}\)|0\d{2,3})[-\s]?[2-9]\d{6,7}(?!\d)")
CARD_RE = re.compile(r"(?<!\d)(?:\d[\s-]?){15,18}\d(?!\d)")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_RE = re.compile(
    rf"[{PROVINCES}][A-HJ-NP-Za-hj-np-z][·•\s-]?(?:[A-HJ-NP-Za-hj-np-z0-9]{{5,6}}|[A-HJ-NP-Za-hj-np-z0-9]{{4}}[挂学警港澳])"
)
# House numbers (XX路12号), buildings/units/rooms (3栋2单元501室, G2栋320, 5-2-301).
_NUM = r"[0-9A-Za-z一二三四五六七八九十百零]{1,5}"
ADDRESS_RE = re.compile(
    rf"(?:{_NUM}(?:号院|号楼|栋|幢|号|座)(?:[-之]?{_NUM}(?:单元|号|楼|栋|座))?(?:[-之]?\d{{1,5}}(?:室|房|号|户)?)?)"
    rf"|(?<![\d-])\d{{1,3}}-\d{{1,3}}-\d{{2,5}}(?![\d-])"
    rf"|\d{{1,2}}单元\d{{2,5}}(?:室|房)?"
    rf"|\d{{3,5}}(?:室|房)"
)
# An address number must follow a place word to count (avoids "3号文件", "第2号").
_ADDRESS_CONTEXT = re.compile(r"(?:路|街|巷|道|村|组|小区|花园|苑|园|城|公寓|大厦|广场|楼|区|栋|幢|院|府|湾|里)$")


def _id_checksum_ok(s: str) -> bool:
    s = s.upper()
    total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == s[17]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def find_personal_data(text: str | None) -> list[PiiSpan]:
    """Spans of personal data, left to right, never overlapping (first kind wins)."""
    if not text:
        return []
    found: list[PiiSpan] = []
    taken: list[tuple[int, int]] = []

    def add(kind: PiiKind, m: re.Match[str]) -> None:
        s, e = m.span()
        if any(s < te and ts < e for ts, te in taken):
            return
        taken.append((s, e))
        found.append(PiiSpan(kind, s, e, m.group()))

    for m in ID_RE.finditer(text):
        # An 18-character number with a valid birth date is masked even with a wrong check
        # digit (typos are still personal data); the checksum only orders the kinds.
        add(PiiKind.ID_NUMBER, m)
    for m in ID15_RE.finditer(text):
        add(PiiKind.ID_NUMBER, m)
    for m in CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 16 <= len(digits) <= 19 and (_luhn_ok(digits) or digits.startswith("62")):
            add(PiiKind.BANK_CARD, m)
    for m in MOBILE_RE.finditer(text):
        add(PiiKind.PHONE, m)
    for m in LANDLINE_RE.finditer(text):
        add(PiiKind.PHONE, m)
    for m in PLATE_RE.finditer(text):
        add(PiiKind.PLATE, m)
    for m in ADDRESS_RE.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        strong = re.search(r"栋|幢|单元|室|房|户|\d+-\d+-\d+", m.group())
        if strong or _ADDRESS_CONTEXT.search(before):
            add(PiiKind.ADDRESS, m)
    found.sort(key=lambda p: p.start)
    return found


def _mask(span: PiiSpan) -> str:
    v = span.value
    if span.kind is PiiKind.PHONE:
        digits = re.sub(r"\D", "", v)
        return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "*" * len(v)
    if span.kind is PiiKind.ID_NUMBER:
        return v[0] + "*" * (len(v) - 2) + v[-1]
    if span.kind is PiiKind.BANK_CARD:
        digits = re.sub(r"\D", "", v)
        return "*" * (len(digits) - 4) + digits[-4:]
    if span.kind is PiiKind.PLATE:
        return v[:2] + "*" * (len(v) - 2)
    # Address: keep the kind words (栋, 单元, 室) so the text still reads, hide the numbers.
    return re.sub(r"[0-9A-Za-z一二三四五六七八九十百零]", "*", v)


def redact(text: str | None) -> str:
    """The text with every personal-data span masked."""
    if not text:
        return ""
    out: list[str] = []
    pos = 0
    for span in find_personal_data(text):
        out.append(text[pos : span.start])
        out.append(_mask(span))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def id_checksum_ok(s: str) -> bool:
    """Whether an 18-character ID number has a valid check digit (exposed for tests)."""
    return len(s) == 18 and _id_checksum_ok(s)
