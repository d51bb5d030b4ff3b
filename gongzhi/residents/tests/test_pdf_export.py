"""The readable PDF copy of a person's data (PIPL art. 45): Chinese text, every section, logged."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from gongzhi.privacy.models import RevealLog
from gongzhi.residents.models import Resident, Visit
from gongzhi.residents.pdf import render_export_pdf
from gongzhi.residents.queries import collect_resident_data, humanise_export

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def pdf_text(pdf: bytes) -> str:
    """The text of an uncompressed reportlab PDF: its ``(…) Tj`` strings; those in the
    STSong-Light CID font are UCS-2 big-endian, the others Latin-1."""
    cid_objects = set(re.findall(rb"(\d+) 0 obj\s*<<[^>]*?/BaseFont /STSong-Light", pdf, flags=re.S))
    cid_fonts = {name for name, n in re.findall(rb"/(F\d+) (\d+) 0 R", pdf) if n in cid_objects}
    out, font = [], b""
    for name, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:[^\\()]|\\.)*)\)\s*Tj", pdf, flags=re.S):
        if name:
            font = name
            continue
        raw = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit() else _ESCAPES.get(m.group(1), m.group(1)),
            literal,
            flags=re.S,
        )
        out.append(raw.decode("utf-16-be", errors="replace") if font in cid_fonts else raw.decode("latin-1"))
    return " ".join(out)


@pytest.fixture
def own(world, people):
    Resident.objects.filter(pk=people.head.pk).update(user=world.resident_c1)
    people.head.refresh_from_db()
    return people.head


def test_the_pdf_holds_the_persons_data_in_chinese(world, people, own):
    from django.utils import translation

    with translation.override("zh-hans"):
        pdf = render_export_pdf(humanise_export(collect_resident_data(own)), compress=False)
    text = pdf_text(pdf)

    assert pdf.startswith(b"%PDF-")
    assert "STSong-Light" in pdf.decode("latin-1")
    assert "我的个人信息" in text
    assert "张三" in text
    assert "11010519491231002X" in text
    assert "户主" in text  # relation by name, not code
    assert people.household_g1.address[:6] in text


def test_hostile_values_do_not_break_the_pdf(world, people, own):
    # markup, an emoji, and a visit note far longer than a page (a table row must split)
    Resident.objects.filter(pk=own.pk).update(occupation="<script>alert(1)</script> & <b>😀")
    Visit.objects.filter(pk=people.visit_g1.pk).update(notes="很长的走访记录。" * 2000)
    own.refresh_from_db()

    pdf = render_export_pdf(humanise_export(collect_resident_data(own)), compress=False)

    text = pdf_text(pdf)
    assert "<script>alert(1)</script>" in text
    assert text.count("很长的走访记录") > 1000
    assert len(re.findall(rb"/Type /Page\b", pdf)) > 3  # ran on over several pages


def test_a_resident_downloads_their_own_pdf_and_it_is_logged(world, own, client_for):
    client = client_for("resident_c1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get(f"/api/residents/people/{own.pk}/export/?as=pdf&download=1")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.pdf"')
    assert response.content.startswith(b"%PDF-")
    assert RevealLog.objects.get().field == "*"


def test_someone_else_cannot_download_the_pdf(world, own, client_for):
    response = client_for("resident_c3").get(f"/api/residents/people/{own.pk}/export/?as=pdf")

    assert response.status_code == 404
    assert not RevealLog.objects.exists()
