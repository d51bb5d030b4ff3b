"""CSV and XLSX export of a survey's results: aggregate tables only (totals and the
k-suppressed breakdowns), never individual responses, so an export of an anonymous survey
is as safe as its results page."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.participation.surveys import tally
from gongzhi.participation.surveys.choices import Breakdown
from gongzhi.participation.surveys.models import Survey


def _safe(value: Any) -> Any:
    """No spreadsheet formulas from user-written labels (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows(survey: Survey) -> list[list[Any]]:
    result = tally.results(survey)
    out: list[list[Any]] = [[_("Question"), _("Row"), _("Option"), _("Count"), _("Percent"), _("Mean")]]
    for q in result["questions"]:
        for option in q.get("options", []):
            out.append(
                [q["text"], "", option["label"], option["count"], option.get("pct", ""), option.get("mean_rank", "")]
            )
        for row in q.get("rows", []):
            for option in row["options"]:
                out.append([q["text"], row["label"], option["label"], option["count"], "", ""])
        for item in q.get("distribution", []):
            out.append([q["text"], "", item["value"], item["count"], "", q.get("mean", "")])
    return [[_safe(c) for c in r] for r in out]


def breakdown_rows(survey: Survey, attribute: str) -> list[list[Any]]:
    data = tally.breakdown(survey, attribute)
    out: list[list[Any]] = [[_("Group"), _("Responses")]]
    out += [[g["label"], g["responses"]] for g in data["groups"]]
    out.append(
        [_("Groups suppressed (fewer than %(k)s responses)") % {"k": data["min_group_size"]}, data["suppressed_groups"]]
    )
    return [[_safe(c) for c in r] for r in out]


def as_csv(survey: Survey) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows(survey))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese CSV correctly


def as_xlsx(survey: Survey) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet: Any = book.active
    sheet.title = str(_("Results"))[:31]
    for row in rows(survey):
        sheet.append(row)
    for attribute in Breakdown:
        if survey.anonymous and survey.status != "closed":
            break  # breakdowns of anonymous surveys appear when they close (see api.views.results)
        extra = book.create_sheet(str(attribute.label)[:31])
        for row in breakdown_rows(survey, attribute.value):
            extra.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
