"""A readable, printable PDF copy of everything held about a person (PIPL art. 45).

Built with reportlab from :func:`gongzhi.residents.queries.humanise_export`. Chinese text
uses the Adobe CID font ``STSong-Light`` that every PDF reader ships (no font file is
embedded or needed). Lists (households, visits, consents …) are printed one two-column
key/value table per item, so wide sections stay readable on A4 paper.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

FONT = "STSong-Light"

#: section key → heading (the same words as the HTML copy)
SECTIONS: list[tuple[str, str]] = [
    ("households", "Households"),
    ("tags", "Tags"),
    ("health_file", "Health and care file"),
    ("visits", "Visits"),
    ("consents", "Consents"),
    ("access_log", "Who read your full data"),
    ("disclosures", "Disclosures to other organisations"),
    ("requests", "Your requests"),
]


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return escape(str(value)).replace("\n", "<br/>")


def render_export_pdf(data: dict[str, Any], *, compress: bool = True) -> bytes:
    """``data`` is the humanised export (labels and choice names already translated)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    key_style = ParagraphStyle("key", parent=body, textColor=colors.HexColor("#333333"))
    h1 = ParagraphStyle("h1", parent=body, fontSize=18, leading=24, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ]
    )
    width = A4[0] - 36 * mm

    def pairs(values: dict[str, Any]) -> Table:
        rows = [[Paragraph(_text(k), key_style), Paragraph(_text(v), body)] for k, v in values.items()]
        table = Table(rows, colWidths=[width * 0.3, width * 0.7], splitInRow=1)  # long values run on
        table.setStyle(grid)
        return table

    story: list[Any] = [
        Paragraph(escape(_("My personal data")), h1),
        Paragraph(
            escape(
                _("Everything the community register holds about you, as of %(when)s.")
                % {"when": data.get("generated_at", "")}
            ),
            body,
        ),
        Paragraph(escape(_("About you")), h2),
        pairs(data.get("person", {})),
    ]
    for key, heading in SECTIONS:
        story.append(Paragraph(escape(_(heading)), h2))
        value = data.get(key)
        items = [value] if isinstance(value, dict) else list(value or [])
        if not items:
            story.append(Paragraph(escape(_("None.")), body))
        for item in items:
            story += [pairs(item), Spacer(1, 3 * mm)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("My personal data"),
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()
