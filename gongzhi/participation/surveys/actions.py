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

from gongzhi.access.choices import Role
from gongzhi.access.queries import grants_with_permission
from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.ledger.actions import enqueue_event
from gongzhi.ledger.choices import EventKind
from gongzhi.organisations.models import Organisation
from gongzhi.participation.surveys import answers as answers_mod
from gongzhi.participation.surveys import respondents, tally
from gongzhi.participation.surveys.choices import CHOICE_KINDS, QuestionKind, ResponseUnit, SurveyStatus
from gongzhi.participation.surveys.errors import SurveyError, SurveyErrorCode
from gongzhi.participation.surveys.models import Answer, Question, Response, Survey
from gongzhi.residents.choices import TagKind
from gongzhi.territory.models import Area

E = SurveyErrorCode


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
    if not set(target_tags) <= set(TagKind.values):
        raise SurveyError(E.BAD_TARGET, field="target_tags")
    if not set(target_roles) <= set(Role.values):
        raise SurveyError(E.BAD_TARGET, field="target_roles")
    if target_min_age is not None and target_max_age is not None and target_min_age > target_max_age:
        raise SurveyError(E.BAD_TARGET, field="target_max_age")
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


# --- responses ---------------------------------------------------------------------------------


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
    if not answers_mod.accepting(survey):
        raise SurveyError(E.NOT_OPEN)
    proxy = on_behalf_of is not None
    respondent = on_behalf_of if proxy else actor
    profile = respondents.check_eligible(survey, respondent)
    if proxy and not any(
        profile.area_path.startswith(g.area_path or "")
        for g in grants_with_permission(actor, "participation_surveys.assist_survey")
    ):  # staff assist the residents of their own area only
        raise SurveyError(E.NOT_ELIGIBLE, field="on_behalf_of")
    cells = answers_mod.build_cells(survey, answers)
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
    if not answers_mod.accepting(survey):
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
