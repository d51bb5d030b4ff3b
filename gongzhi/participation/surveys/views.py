"""Survey pages: residents answer and see results; staff draft, open, close, remind and
export; closed surveys with public results are readable without signing in. Reads go
through ``restrict`` (out of scope → 404); every write calls an action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.access.choices import Role
from gongzhi.access.queries import grants_with_permission
from gongzhi.accounts.choices import AccountKind
from gongzhi.participation.surveys import actions, answers, export, queries, respondents, tally
from gongzhi.participation.surveys.choices import Breakdown, QuestionKind, ResponseUnit, SurveyStatus
from gongzhi.participation.surveys.errors import SurveyError
from gongzhi.participation.surveys.models import Question, Survey
from gongzhi.participation.surveys.permissions import SurveyPolicy
from gongzhi.residents.choices import TagKind
from gongzhi.territory.models import Area

#: Roles the staff form offers as a target group (the API accepts any role).
TARGET_ROLES = (Role.RESIDENT, Role.OWNERS_COMMITTEE, Role.VOLUNTEER_LEADER, Role.GRID_WORKER, Role.COMMUNITY_WORKER)


def _get(user: Any, pk: int) -> Survey:
    survey = queries.list_surveys(user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def _staff(user: Any) -> bool:
    return bool(grants_with_permission(user, "participation_surveys.add_survey"))


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = list(queries.list_surveys(request.user).order_by("-id")[:100])
    return render(
        request,
        "surveys/list.html",
        {"surveys": surveys, "staff": _staff(request.user), "now": timezone.now(), "active_tab": "services"},
    )


def public_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "surveys/public.html", {"surveys": list(queries.public_surveys().order_by("-closed_at")[:50])}
    )


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position"))


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _get(request.user, pk)
    responded = respondents.has_responded(survey, request.user)
    can_assist = SurveyPolicy.can_assist(request.user, survey)
    eligible_error = None
    try:
        respondents.check_eligible(survey, request.user)
    except SurveyError as err:
        eligible_error = err
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": _questions(survey),
            "responded": responded,
            "eligible_error": eligible_error,
            "accepting": answers.accepting(survey),
            "can_assist": can_assist,
            "show_form": not responded and answers.accepting(survey) and (eligible_error is None or can_assist),
            "can_change": SurveyPolicy.can(request.user, "change", survey),
            "can_results": SurveyPolicy.can(request.user, "results", survey),
            "kinds": QuestionKind,
            "target_labels": _target_labels(survey),
            "active_tab": "services",
        },
    )


def _target_labels(survey: Survey) -> list[str]:
    """The survey's target group in words, for the page (empty: everyone in the area)."""
    tags, roles = dict(TagKind.choices), dict(Role.choices)
    labels = [str(tags.get(t, t)) for t in survey.target_tags] + [str(roles.get(r, r)) for r in survey.target_roles]
    if survey.target_min_age is not None or survey.target_max_age is not None:
        low = survey.target_min_age if survey.target_min_age is not None else 0
        labels.append(
            gettext("aged %(low)s to %(high)s") % {"low": low, "high": survey.target_max_age}
            if survey.target_max_age is not None
            else gettext("aged %(low)s and over") % {"low": low}
        )
    return labels


def _answers_from_post(request: HttpRequest, questions: list[Question]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == QuestionKind.MULTIPLE:
            answers[q.pk] = request.POST.getlist(name)
        elif q.kind == QuestionKind.RANKING:
            ranked = []
            for i in range(len(q.options)):
                rank = request.POST.get(f"{name}_{i}", "").strip()
                if rank.isdigit():
                    ranked.append((int(rank), i))
            answers[q.pk] = [i for _rank, i in sorted(ranked)]
        elif q.kind == QuestionKind.MATRIX:
            answers[q.pk] = {
                str(r): request.POST[f"{name}_{r}"]
                for r in range(len(q.rows))
                if request.POST.get(f"{name}_{r}", "") != ""
            }
        elif q.kind == QuestionKind.FILE:
            if name in request.FILES:
                answers[q.pk] = request.FILES[name]
        else:
            answers[q.pk] = request.POST.get(name, "")
    return answers


@login_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _get(request.user, pk)
    questions = _questions(survey)
    resident = None
    phone = request.POST.get("resident_phone", "").strip()
    if phone:  # staff enter the answers of a resident without a phone
        if not SurveyPolicy.can_assist(request.user, survey):
            raise PermissionDenied
        resident = get_user_model().objects.filter(phone=phone, kind=AccountKind.RESIDENT, is_active=True).first()
        if resident is None:
            messages.error(request, gettext("No resident account has this phone number."))
            return redirect("participation_surveys:detail", pk=pk)
    try:
        actions.submit_response(
            survey, actor=request.user, answers=_answers_from_post(request, questions), on_behalf_of=resident
        )
    except SurveyError as err:
        messages.error(request, str(err.detail))
        return redirect("participation_surveys:detail", pk=pk)
    if resident is not None:
        messages.success(request, gettext("The resident's answers were recorded, entered by you as proxy."))
    else:
        messages.success(request, gettext("Thank you, your answers were recorded."))
    return redirect("participation_surveys:detail", pk=pk)


def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Results for those who may see them; closed surveys with public results for everyone."""
    if request.user.is_authenticated:
        survey = queries.list_surveys(request.user).filter(pk=pk).first()
        if survey is None:
            survey = queries.public_surveys().filter(pk=pk).first()
        allowed = survey is not None and (
            SurveyPolicy.can(request.user, "results", survey)
            or (survey.status == SurveyStatus.CLOSED and survey.results_public)
        )
    else:
        survey = queries.public_surveys().filter(pk=pk).first()
        allowed = survey is not None
    if survey is None:
        raise Http404
    if not allowed:
        raise PermissionDenied
    attribute = request.GET.get("breakdown", "")
    breakdown = None
    if attribute in Breakdown.values and (survey.status == SurveyStatus.CLOSED or not survey.anonymous):
        cube = tally.cube(survey)  # one scan for the totals and the breakdown
        data = tally.results(survey, data=cube)
        breakdown = tally.breakdown(survey, attribute, data=cube)
        for q in data["questions"]:
            q["groups"] = breakdown["questions"].get(str(q["id"]), {})
    else:
        data = tally.results(survey)
    staff_view = request.user.is_authenticated and SurveyPolicy.in_scope(request.user, "results", survey)
    texts = {}
    if staff_view:
        for q in survey.questions.filter(kind=QuestionKind.TEXT):
            texts[q.pk] = tally.texts(survey, q, limit=50)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "results": data,
            "breakdown": breakdown,
            "attribute": attribute,
            "breakdowns": Breakdown.choices,
            "texts": texts,
            "staff_view": staff_view,
            "can_export": request.user.is_authenticated and SurveyPolicy.can(request.user, "export", survey),
            "can_refresh": staff_view
            and survey.anonymous
            and survey.status == SurveyStatus.OPEN
            and survey.response_count - survey.live_results_count >= survey.min_group_size,
            "active_tab": "services",
        },
    )


@login_required
def export_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    survey = _get(request.user, pk)
    if not SurveyPolicy.can(request.user, "export", survey):
        raise PermissionDenied
    if kind == "xlsx":
        body = export.as_xlsx(survey)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(export.as_csv(survey), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.{kind}"'
    return response


# --- staff ----------------------------------------------------------------------------------------


def _areas(user: Any) -> list[Area]:
    return list(Area.objects.restrict(user, "view").filter(level__gte=3).order_by("path")[:200])


def _when(value: str) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not SurveyPolicy.has_permission(request.user, "add"):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        area = Area.objects.restrict(request.user, "view").filter(pk=request.POST.get("area") or 0).first()
        try:
            if area is None:
                raise SurveyError(actions.E.AREA_NOT_ALLOWED, field="area")
            survey = actions.create_survey(
                actor=request.user,
                area=area,
                title=request.POST.get("title", "")[:120] or gettext("Untitled survey"),
                description=request.POST.get("description", "")[:4000],
                anonymous=request.POST.get("anonymous") == "on",
                unit=request.POST.get("unit", "")
                if request.POST.get("unit") in ResponseUnit.values
                else ResponseUnit.RESIDENT,
                requires_verified=request.POST.get("requires_verified") == "on",
                target_tags=request.POST.getlist("target_tags")[:20],
                target_roles=request.POST.getlist("target_roles")[:20],
                target_min_age=_age(request.POST.get("target_min_age", "")),
                target_max_age=_age(request.POST.get("target_max_age", "")),
                opens_at=_when(request.POST.get("opens_at", "")),
                closes_at=_when(request.POST.get("closes_at", "")),
            )
        except SurveyError as err:
            error = err
        else:
            return redirect("participation_surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/new.html",
        {
            "areas": _areas(request.user),
            "error": error,
            "units": ResponseUnit.choices,
            "tags": TagKind.choices,
            "roles": [(role.value, role.label) for role in TARGET_ROLES],
        },
    )


def _age(value: str) -> int | None:
    """An age bound from the form: blank is no bound; anything else must be 0 to 150."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > 150:
        raise SurveyError(actions.E.BAD_TARGET, field="target_min_age")
    return int(value)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@login_required
@require_POST
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    survey = _get(request.user, pk)
    if not SurveyPolicy.can(request.user, "change", survey):
        raise PermissionDenied
    try:
        if verb == "question":
            condition = None
            if request.POST.get("show_if"):
                condition = survey.questions.filter(pk=request.POST["show_if"]).first()
            actions.add_question(
                survey,
                actor=request.user,
                kind=request.POST.get("kind", "") if request.POST.get("kind") in QuestionKind.values else "text",
                text=request.POST.get("text", ""),
                options=_lines(request.POST.get("options", "")),
                rows=_lines(request.POST.get("rows", "")),
                required=request.POST.get("required") == "on",
                show_if=condition,
                show_if_options=[int(v) for v in request.POST.getlist("show_if_options") if v.isdigit()],
            )
        elif verb == "open":
            actions.open_survey(survey, actor=request.user)
        elif verb == "close":
            actions.close_survey(survey, actor=request.user)
        elif verb == "remind":
            pending = actions.remind_survey(survey, actor=request.user)
            messages.info(request, gettext("%(n)s residents have not answered yet.") % {"n": pending})
        elif verb == "refresh":
            actions.refresh_live_results(survey, actor=request.user)
            return redirect("participation_surveys:results", pk=pk)
        else:
            raise Http404
    except SurveyError as err:
        messages.error(request, str(err.detail))
    return redirect("participation_surveys:detail", pk=pk)
