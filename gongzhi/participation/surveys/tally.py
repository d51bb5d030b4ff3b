"""Counting: totals, breakdowns with small-group suppression and ledger counts.

Everything comes from one SQL aggregate over ``Answer`` — the *cube*: counts per answer
cell (question, matrix row, option, scale value) and per breakdown attribute (grid, age
group, gender), which the answer rows carry as copies — plus one aggregate of response
counts per attribute combination. Totals and every breakdown are sums over the cube in
Python (a few thousand rows at most), so a full results page with three breakdowns scans
the answers once. ``Answer.lead`` marks the first cell of each answer, so "how many
answered this question" is a plain filtered count, not COUNT(DISTINCT).

Breakdowns suppress every group with fewer than ``survey.min_group_size`` responses
(k-anonymity), per question too (conditional questions are answered by fewer people);
when exactly one group would be suppressed, the next smallest is suppressed as well, so
the suppressed group cannot be recovered by subtracting the others from the total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.participation.surveys.choices import AgeGroup, Breakdown, QuestionKind, SurveyStatus
from gongzhi.participation.surveys.models import Answer, Question, Response, Survey
from gongzhi.territory.models import Area

UNKNOWN = "unknown"
#: Position of each breakdown attribute in a cube key (grid, age group, gender).
ATTR_INDEX = {Breakdown.AREA: 0, Breakdown.AGE_GROUP: 1, Breakdown.GENDER: 2}


@dataclass
class Cube:
    """``cells[(question, row, option, value, grid, age, gender)] = (count, leads, rank_sum)``;
    ``sizes[(grid, age, gender)] = responses``."""

    cells: dict[tuple[Any, ...], tuple[int, int, int]]
    sizes: dict[tuple[Any, ...], int]


def _key(value: Any) -> Any:
    return UNKNOWN if value in (None, "") else value


def cube(survey: Survey) -> Cube:
    rows = (
        Answer.objects.filter(survey=survey)
        .values_list("question_id", "row", "option", "value", "grid_id", "age_group", "gender")
        .annotate(n=Count("id"), leads=Count("id", filter=Q(lead=True)), ranks=Sum("rank"))
        .order_by()
    )
    cells = {
        (q, row, option, value, _key(g), _key(a), _key(s)): (n, leads, ranks or 0)
        for q, row, option, value, g, a, s, n, leads, ranks in rows
    }
    sizes: dict[tuple[Any, ...], int] = defaultdict(int)
    for g, a, s, n in (
        Response.objects.filter(survey=survey)
        .values_list("grid_id", "age_group", "gender")
        .annotate(n=Count("id"))
        .order_by()
    ):
        sizes[(_key(g), _key(a), _key(s))] += n
    return Cube(cells=cells, sizes=dict(sizes))


def _pct(n: int, total: int) -> float:
    return round(100.0 * n / total, 1) if total else 0.0


def _totals(
    data: Cube,
) -> tuple[dict[int, dict[tuple[Any, Any], list[int]]], dict[int, dict[int, int]], dict[int, int]]:
    options: dict[int, dict[tuple[Any, Any], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    scales: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    answered: dict[int, int] = defaultdict(int)
    for (q, row, option, value, *_attrs), (n, leads, ranks) in data.cells.items():
        answered[q] += leads
        if option is not None:
            cell = options[q][(row, option)]
            cell[0] += n
            cell[1] += ranks
        elif value is not None:
            scales[q][value] += n
    return options, scales, answered


def results(survey: Survey, *, live_snapshot: bool = True, data: Cube | None = None) -> dict[str, Any]:
    """Totals per question. For an open anonymous survey the live figures come from the
    last snapshot (see ``actions.refresh_live_results``) unless ``live_snapshot`` is off."""
    if live_snapshot and survey.anonymous and survey.status == SurveyStatus.OPEN:
        return survey.live_results or {"responses": 0, "questions": [], "snapshot": True}
    data = data or cube(survey)
    questions = list(Question.objects.filter(survey=survey).order_by("position"))
    options, scales, answered = _totals(data)
    return {
        "responses": sum(data.sizes.values()),
        "questions": [_question_result(q, options[q.pk], scales[q.pk], answered.get(q.pk, 0)) for q in questions],
    }


def _question_result(
    q: Question, options: dict[tuple[Any, Any], list[int]], scale: dict[int, int], answered: int
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.pk, "position": q.position, "kind": q.kind, "text": q.text, "answered": answered}

    def count(row: int | None, i: int) -> int:
        return options[(row, i)][0] if (row, i) in options else 0

    if q.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        out["options"] = [
            {"label": label, "count": count(None, i), "pct": _pct(count(None, i), answered)}
            for i, label in enumerate(q.options)
        ]
    elif q.kind == QuestionKind.RANKING:
        size = len(q.options)
        items = []
        for i, label in enumerate(q.options):
            n, ranks = options.get((None, i), (0, 0))
            # Borda: rank r earns size + 1 - r points; unranked items earn nothing.
            items.append(
                {
                    "label": label,
                    "count": n,
                    "mean_rank": round(ranks / n, 2) if n else None,
                    "points": n * (size + 1) - ranks,
                }
            )
        out["options"] = sorted(items, key=lambda item: -item["points"])
    elif q.kind == QuestionKind.MATRIX:
        out["rows"] = [
            {
                "label": row_label,
                "options": [{"label": label, "count": count(r, i)} for i, label in enumerate(q.options)],
            }
            for r, row_label in enumerate(q.rows)
        ]
    elif q.kind == QuestionKind.SCALE:
        total = sum(scale.values())
        out["distribution"] = [{"value": v, "count": scale.get(v, 0)} for v in range(q.scale_min, q.scale_max + 1)]
        out["mean"] = round(sum(v * n for v, n in scale.items()) / total, 2) if total else None
    return out


def _suppressed(sizes: dict[Any, int], k: int) -> set[Any]:
    small = {key for key, n in sizes.items() if n < k}
    if len(small) == 1 and len(sizes) > 1:
        rest = sorted((n, str(key), key) for key, n in sizes.items() if key not in small)
        small.add(rest[0][2])  # secondary suppression: no recovering the one by subtraction
    return small


def breakdown(survey: Survey, attribute: Breakdown | str, *, data: Cube | None = None) -> dict[str, Any]:
    """Per-group counts for one allowed attribute, small groups suppressed."""
    attribute = Breakdown(attribute)
    index = ATTR_INDEX[attribute]
    k = survey.min_group_size
    data = data or cube(survey)
    sizes: dict[Any, int] = defaultdict(int)
    for combo, n in data.sizes.items():
        sizes[combo[index]] += n
    hidden = _suppressed(dict(sizes), k)
    answered: dict[int, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[int, dict[Any, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    scale_sum: dict[int, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for (q, row, option, value, *attrs), (n, leads, _ranks) in data.cells.items():
        group = attrs[index]
        answered[q][group] += leads
        if option is not None:
            counts[q][group][f"{row}:{option}" if row is not None else str(option)] += n
        elif value is not None:
            scale_sum[q][group][0] += value * n
            scale_sum[q][group][1] += n
    shown = [g for g in sizes if g not in hidden]
    labels = _labels(attribute, shown)
    questions: dict[str, dict[str, Any]] = {}
    for q, per_group in answered.items():
        q_hidden = hidden | _suppressed({g: n for g, n in per_group.items() if g not in hidden}, k)
        out: dict[str, Any] = {}
        for g, n in per_group.items():
            if g in q_hidden:
                continue
            cell: dict[str, Any] = {"answered": n, **counts[q][g]}
            total, m = scale_sum[q].get(g, (0, 0))
            if m:
                cell["mean"] = round(total / m, 2)
            out[str(g)] = cell
        questions[str(q)] = out
    return {
        "attribute": attribute.value,
        "min_group_size": k,
        "groups": [
            {"key": str(g), "label": labels.get(g, str(g)), "responses": sizes[g]} for g in sorted(shown, key=str)
        ],
        "suppressed_groups": len(hidden),
        "questions": questions,
    }


def full(survey: Survey) -> dict[str, Any]:
    """Totals and every allowed breakdown from one scan (what the bench times)."""
    data = cube(survey)
    out = results(survey, live_snapshot=False, data=data)
    out["breakdowns"] = {b.value: breakdown(survey, b, data=data) for b in Breakdown}
    return out


def _labels(attribute: Breakdown, keys: list[Any]) -> dict[Any, str]:
    if attribute == Breakdown.AREA:
        names = dict(Area.objects.filter(pk__in=[k for k in keys if k != UNKNOWN]).values_list("pk", "name"))
        return {k: names.get(k, str(k)) for k in keys}
    if attribute == Breakdown.AGE_GROUP:
        return {k: str(AgeGroup(k).label) if k in AgeGroup.values else str(k) for k in keys}
    return {k: str(k) for k in keys}


def ledger_counts(survey: Survey, data: Cube | None = None) -> dict[str, Any]:
    """Counts only (integers), for the ledger: per question, per option cell or scale value."""
    data = data or cube(survey)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (q, row, option, value, *_attrs), (n, _leads, _ranks) in data.cells.items():
        if option is not None:
            counts[str(q)][f"{row}:{option}" if row is not None else str(option)] += n
        elif value is not None:
            counts[str(q)][f"v{value}"] += n
    return {"responses": sum(data.sizes.values()), "counts": {q: dict(c) for q, c in counts.items()}}


def texts(survey: Survey, question: Question, limit: int = 200) -> list[str]:
    """Free-text answers, without anything about who wrote them (staff with results only)."""
    return list(
        Answer.objects.filter(survey=survey, question=question)
        .exclude(text="")
        .order_by("?")
        .values_list("text", flat=True)[:limit]
    )


def reminder_recipients(survey: Survey) -> list[Any]:
    """Eligible resident accounts in the survey's area that have not answered yet."""
    from django.contrib.auth import get_user_model

    from gongzhi.participation.surveys.errors import SurveyError
    from gongzhi.participation.surveys.respondents import check_eligible, token_for

    users = get_user_model().objects.filter(
        kind="resident", is_active=True, home_area__path__startswith=survey.area_path
    )
    done = set(Response.objects.filter(survey=survey).values_list("token", flat=True))
    out = []
    for user in users[:5000]:
        try:
            profile = check_eligible(survey, user)
        except SurveyError:
            continue
        if token_for(survey, profile) not in done:
            out.append(user)
    return out
