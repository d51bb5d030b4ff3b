"""Every write to a survey. Responses are unique per keyed-hash token (a DB constraint),
so concurrent double submits store exactly one; the counter moves with ``F()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.access.queries import grants_with_permission
from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.ledger.actions import enqueue_event
from gongzhi.ledger.choices import EventKind
from gongzhi.organisations.models import Organisation
from gongzhi.participation.surveys import respondents, tally
from gongzhi.participation.surveys.choices import CHOICE_KINDS, QuestionKind, ResponseUnit, SurveyStatus
from gongzhi.participation.surveys.errors import SurveyError, SurveyErrorCode
from gongzhi.participation.surveys.models import Answer, Question, Response, Survey
from gongzhi.territory.models import Area

E = SurveyErrorCode
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT = 2000


def _covers(actor: Any, verb: str, area: Area) -> bool:
    return any(
        area.path.startswith(g.area_path or "")
        for g in grants_with_permission(actor, f"participation_surveys.{verb}_survey")
    )


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _require(survey: Survey, *statuses: str) -> None:
    if survey.status not in statuses:
        raise SurveyError(E.ILLEGAL_TRANSITION)


@action
def create_survey(
    *,
    actor: Any,
    area: Area,
    title: str,
    description: str = "",
    anonymous: bool = True,
    unit: ResponseUnit | str = ResponseUnit.RESIDENT,
    requires_verified: bool = False,
    target_tags: Sequence[str] = (),
    target_min_age: int | None = None,
    target_max_age: int | None = None,
    target_roles: Sequence[str] = (),
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    results_public: bool = True,
    min_group_size: int = 5,
    organisation: Organisation | None = None,
) -> Survey:
    """Draft a survey for an area the actor holds ``add_survey`` over."""
    if not _covers(actor, "add", area):
        raise SurveyError(E.AREA_NOT_ALLOWED, field="area")
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError(E.BAD_TIMES, field="closes_at")
    if min_group_size < 2:
        raise SurveyError(E.BAD_QUESTION, field="min_group_size")
    survey = Survey.objects.create(
        title=title.strip()[:120],
        description=description.strip()[:4000],
        area=area,
        area_path=area.path,
        organisation=organisation,
        anonymous=anonymous,
        unit=ResponseUnit(unit),
        requires_verified=requires_verified,
        target_tags=sorted(set(target_tags)),
        target_min_age=target_min_age,
        target_max_age=target_max_age,
        target_roles=sorted(set(target_roles)),
        opens_at=opens_at,
        closes_at=closes_at,
        results_public=results_public,
        min_group_size=min_group_size,
        created_by=actor,
    )
    record_change(survey, verb="create", actor=actor, before=None)
    return survey


def _clean_options(values: Sequence[Any], field: str) -> list[str]:
    cleaned = [str(v).strip()[:200] for v in values if str(v).strip()]
    if len(cleaned) != len(set(cleaned)) or len(cleaned) > 50:
        raise SurveyError(E.BAD_QUESTION, field=field)
    return cleaned


@action
def add_question(
    survey: Survey,
    *,
    actor: Any,
    kind: QuestionKind | str,
    text: str,
    options: Sequence[str] = (),
    rows: Sequence[str] = (),
    required: bool = True,
    help_text: str = "",
    max_choices: int | None = None,
    scale_min: int = 1,
    scale_max: int = 5,
    show_if: Question | None = None,
    show_if_options: Sequence[int] = (),
) -> Question:
    """Append a question to a draft survey."""
    survey = _lock(survey)
    _require(survey, SurveyStatus.DRAFT)
    kind = QuestionKind(kind)
    text = text.strip()
    if not text:
        raise SurveyError(E.BAD_QUESTION, field="text")
    opts = _clean_options(options, "options")
    matrix_rows = _clean_options(rows, "rows")
    if kind in CHOICE_KINDS and len(opts) < 2:
        raise SurveyError(E.BAD_QUESTION, field="options")
    if kind == QuestionKind.MATRIX and not matrix_rows:
        raise SurveyError(E.BAD_QUESTION, field="rows")
    if kind == QuestionKind.SCALE and not (-100 <= scale_min < scale_max <= 100 and scale_max - scale_min <= 20):
        raise SurveyError(E.BAD_QUESTION, field="scale_max")
    if max_choices is not None and (kind != QuestionKind.MULTIPLE or not 1 <= max_choices <= len(opts)):
        raise SurveyError(E.BAD_QUESTION, field="max_choices")
    conditions: list[int] = []
    if show_if is not None:
        if show_if.survey_id != survey.pk or show_if.kind not in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
            raise SurveyError(E.BAD_QUESTION, field="show_if")
        conditions = sorted({int(i) for i in show_if_options})
        if not conditions or any(not 0 <= i < len(show_if.options) for i in conditions):
            raise SurveyError(E.BAD_QUESTION, field="show_if_options")
    position = survey.questions.count() + 1
    question = Question.objects.create(
        survey=survey,
        position=position,
        kind=kind,
        text=text[:300],
        help_text=help_text.strip()[:300],
        required=required,
        options=opts if kind in CHOICE_KINDS else [],
        rows=matrix_rows if kind == QuestionKind.MATRIX else [],
        max_choices=max_choices,
        scale_min=scale_min if kind == QuestionKind.SCALE else 1,
        scale_max=scale_max if kind == QuestionKind.SCALE else 5,
        show_if=show_if,
        show_if_options=conditions,
    )
    record_change(question, verb="add_question", actor=actor, before=None, related=survey)
    return question


@action
def open_survey(survey: Survey, *, actor: Any) -> Survey:
    survey = _lock(survey)
    _require(survey, SurveyStatus.DRAFT)
    if not survey.questions.exists():
        raise SurveyError(E.NO_QUESTIONS)
    before = snapshot(survey)
    survey.status = SurveyStatus.OPEN
    survey.opened_at = timezone.now()
    survey.save(update_fields=["status", "opened_at", "updated_at"])
    record_change(survey, verb="open", actor=actor, before=before)
    return survey


@action
def close_survey(survey: Survey, *, actor: Any) -> Survey:
    """Close the survey, count it (SQL aggregates) and put the counts on the ledger."""
    survey = _lock(survey)
    _require(survey, SurveyStatus.OPEN)
    before = snapshot(survey)
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    counts = tally.ledger_counts(survey)
    enqueue_event(EventKind.VOTE_TALLY, {"kind": "survey", "survey": survey.pk, **counts})
    record_change(survey, verb="close", actor=actor, before=before)
    return survey


# --- responses ----------------------------------------------------------------------------------


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


@action
def submit_response(
    survey: Survey,
    *,
    actor: Any,
    answers: Mapping[Any, Any],
    on_behalf_of: Any = None,
) -> Survey:
    """Answer a survey, once per resident or household. Staff holding ``assist_survey``
    enter answers for a resident without a phone (recorded as proxy with the staff member
    on named surveys). Returns the survey: the response itself is not handed back, so
    nothing ties a caller to an anonymous response."""
    survey = Survey.objects.select_related("area").get(pk=survey.pk)  # the current state, not the caller's copy
    if not accepting(survey):
        raise SurveyError(E.NOT_OPEN)
    proxy = on_behalf_of is not None
    respondent = on_behalf_of if proxy else actor
    profile = respondents.check_eligible(survey, respondent)
    if proxy and not any(
        profile.area_path.startswith(g.area_path or "")
        for g in grants_with_permission(actor, "participation_surveys.assist_survey")
    ):  # staff assist the residents of their own area only
        raise SurveyError(E.NOT_ELIGIBLE, field="on_behalf_of")
    cells = build_cells(survey, answers)
    named = not survey.anonymous
    response = Response(
        survey=survey,
        token=respondents.token_for(survey, profile),
        submitted_on=timezone.localdate(),
        grid_id=profile.grid_id,
        area_path=profile.area_path,
        age_group=profile.age_group,
        gender=profile.gender if profile.gender != "unknown" else "",
        is_named=named,
        respondent=respondent if named else None,
        household_id=profile.household_id if named and survey.unit == ResponseUnit.HOUSEHOLD else None,
        entered_by=actor if named and proxy else None,
        via_proxy=proxy,
    )
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError:
        raise SurveyError(E.ALREADY_RESPONDED) from None
    rows: list[Answer] = []
    seen: set[int] = set()
    for question, cell in cells:
        upload = cell.pop("file", None)
        answer = Answer(
            response=response,
            question=question,
            survey=survey,
            grid_id=profile.grid_id,
            age_group=response.age_group,
            gender=response.gender,
            lead=question.pk not in seen,
            **cell,
        )
        seen.add(question.pk)
        if upload is not None:  # files go through save() so the storage names them
            answer.file.save(f"{survey.pk}-{question.pk}", upload, save=False)
            answer.save()
        else:
            rows.append(answer)
    Answer.objects.bulk_create(rows)
    updated = Survey.objects.filter(pk=survey.pk, status=SurveyStatus.OPEN).update(
        response_count=F("response_count") + 1
    )
    if not updated:  # closed while we were writing: the whole response rolls back
        raise SurveyError(E.NOT_OPEN)
    survey.refresh_from_db(fields=["response_count"])
    record_change(
        survey,
        verb="respond_on_behalf" if proxy else "respond",
        actor=actor,
        after={"responses": survey.response_count, "proxy": proxy},
    )
    return survey


@action
def remind_survey(survey: Survey, *, actor: Any) -> int:
    """Remind the eligible accounts that have not answered yet (a notice each, which their
    channel preferences and the daily digest shape); returns how many were reminded."""
    from django.urls import reverse

    from gongzhi.notifications.dispatch import notify

    survey = _lock(survey)
    if not accepting(survey):
        raise SurveyError(E.NOT_OPEN)
    recipients = tally.reminder_recipients(survey)
    pending = len(recipients)
    notify(
        recipients,
        kind="participation_surveys.reminder",
        title=gettext("Please answer: %(title)s") % {"title": survey.title},
        url=reverse("participation_surveys:detail", args=[survey.pk]),
        source=survey,
    )
    before = snapshot(survey)
    survey.reminded_at = timezone.now()
    survey.save(update_fields=["reminded_at", "updated_at"])
    record_change(survey, verb="remind", actor=actor, before=before)
    return pending


@action
def refresh_live_results(survey: Survey, *, actor: Any) -> Survey:
    """Store a new live snapshot of an open anonymous survey's results. Snapshots only move
    in steps of at least ``min_group_size`` responses, so comparing two snapshots never
    isolates one person's answers."""
    survey = _lock(survey)
    _require(survey, SurveyStatus.OPEN)
    if survey.response_count - survey.live_results_count < survey.min_group_size:
        raise SurveyError(E.ILLEGAL_TRANSITION)
    survey.live_results = tally.results(survey, live_snapshot=False)
    survey.live_results_count = survey.response_count
    survey.save(update_fields=["live_results", "live_results_count", "updated_at"])
    record_change(survey, verb="refresh_results", actor=actor, after={"live_results_count": survey.live_results_count})
    return survey
