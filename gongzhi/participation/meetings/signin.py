"""The QR sign-in token: a signed, expiring value naming the meeting (no secret stored)."""

from __future__ import annotations

import io

import segno
from django.core import signing

SALT = "gongzhi.participation.meetings.signin.v1"
MAX_AGE = 12 * 3600


def make_token(meeting_id: int) -> str:
    return signing.dumps({"m": meeting_id}, salt=SALT, compress=True)


def meeting_of(token: str, *, max_age: int = MAX_AGE) -> int | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    value = data.get("m") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode("utf-8")
