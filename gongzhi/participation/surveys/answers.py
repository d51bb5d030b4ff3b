"""Validating a response: which questions are shown (conditions), what each kind of answer
may be, and whether a survey accepts responses now. Pure reads, used by the actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from gongzhi.participation.surveys.choices import QuestionKind, SurveyStatus
from gongzhi.participation.surveys.errors import SurveyError, SurveyErrorCode
from gongzhi.participation.surveys.models import Question, Survey

E = SurveyErrorCode
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT = 2000


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise SurveyError(E.INVALID_ANSWER, field=field)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise SurveyError(E.INVALID_ANSWER, field=field) from None


def _index(value: Any, size: int, field: str) -> int:
    i = _int(value, field)
    if not 0 <= i < size:
        raise SurveyError(E.INVALID_ANSWER, field=field)
    return i


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _chosen(question: Question, value: Any) -> set[int]:
    """The option indexes an answer to a choice question selected (for conditions)."""
    if value in (None, "", []):
        return set()
    try:
        return {int(v) for v in _as_list(value)}
    except (TypeError, ValueError):
        return set()


def visible(question: Question, raw: Mapping[int, Any]) -> bool:
    """A conditional question is shown only when its condition's answer includes an option."""
    if question.show_if_id is None:
        return True
    return bool(_chosen(question, raw.get(question.show_if_id)) & set(question.show_if_options))


def _cells(question: Question, value: Any) -> list[dict[str, Any]]:
    """Validate one answer and turn it into Answer cells."""
    field = f"q{question.pk}"
    kind = question.kind
    n = len(question.options)
    if kind == QuestionKind.SINGLE:
        return [{"option": _index(value, n, field)}]
    if kind == QuestionKind.MULTIPLE:
        chosen = [_index(v, n, field) for v in _as_list(value)]
        limit = question.max_choices or n
        if len(chosen) != len(set(chosen)) or len(chosen) > limit:
            raise SurveyError(E.INVALID_ANSWER, field=field)
        return [{"option": i} for i in sorted(chosen)]
    if kind == QuestionKind.RANKING:
        order = [_index(v, n, field) for v in _as_list(value)]
        if len(order) != len(set(order)):
            raise SurveyError(E.INVALID_ANSWER, field=field)
        return [{"option": i, "rank": rank} for rank, i in enumerate(order, start=1)]
    if kind == QuestionKind.SCALE:
        v = _int(value, field)
        if not question.scale_min <= v <= question.scale_max:
            raise SurveyError(E.INVALID_ANSWER, field=field)
        return [{"value": v}]
    if kind == QuestionKind.MATRIX:
        if not isinstance(value, Mapping):
            raise SurveyError(E.INVALID_ANSWER, field=field)
        cells = [{"row": _index(r, len(question.rows), field), "option": _index(o, n, field)} for r, o in value.items()]
        if len({c["row"] for c in cells}) != len(cells):
            raise SurveyError(E.INVALID_ANSWER, field=field)
        if question.required and len(cells) != len(question.rows):
            raise SurveyError(E.ANSWER_REQUIRED, field=field)
        return sorted(cells, key=lambda c: c["row"])
    if kind == QuestionKind.TEXT:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise SurveyError(E.INVALID_ANSWER, field=field)
        return [{"text": value.strip()}] if value.strip() else []
    # file
    size = getattr(value, "size", None)
    if size is None or not hasattr(value, "read"):
        raise SurveyError(E.INVALID_ANSWER, field=field)
    if size > MAX_FILE_BYTES:
        raise SurveyError(E.FILE_TOO_LARGE, field=field)
    return [{"file": value}]


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def build_cells(survey: Survey, answers: Mapping[Any, Any]) -> list[tuple[Question, dict[str, Any]]]:
    """Validate a whole response (visibility, required questions, each answer)."""
    raw: dict[int, Any] = {}
    for key, value in answers.items():
        try:
            raw[int(str(key).lstrip("q"))] = value
        except ValueError:
            raise SurveyError(E.INVALID_ANSWER, field=str(key)[:40]) from None
    questions = list(survey.questions.all())
    known = {q.pk for q in questions}
    if set(raw) - known:
        raise SurveyError(E.INVALID_ANSWER, field="answers")
    out: list[tuple[Question, dict[str, Any]]] = []
    for question in questions:
        if not visible(question, raw):
            continue
        value = raw.get(question.pk)
        if _is_blank(value):
            if question.required:
                raise SurveyError(E.ANSWER_REQUIRED, field=f"q{question.pk}")
            continue
        cells = _cells(question, value)
        if not cells and question.required:
            raise SurveyError(E.ANSWER_REQUIRED, field=f"q{question.pk}")
        out.extend((question, cell) for cell in cells)
    return out


def accepting(survey: Survey, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        survey.status == SurveyStatus.OPEN
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )
