"""The results pages: a public list and detail (no sign-in needed), follow for residents,
progress reporting for the responsible staff, and the console with overdue results for
supervisors. Every write calls an action."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.participation.accountability import actions, forms, queries
from gongzhi.participation.accountability.choices import ResultStatus
from gongzhi.participation.accountability.errors import AccountabilityError
from gongzhi.participation.accountability.models import Evidence, Milestone, Result, ResultFollow
from gongzhi.participation.accountability.permissions import ResultPolicy

PAGE_SIZE = 20


def result_list(request: HttpRequest) -> HttpResponse:
    qs = queries.public_results()
    status = request.GET.get("status", "")
    if status in ResultStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation_accountability/list.html",
        {
            "page": page,
            "status": status,
            "statuses": ResultStatus.choices,
            "query": f"status={status}" if status else "",
        },
    )


def _detail_context(request: HttpRequest, result: Result, **forms_given: Any) -> dict[str, Any]:
    user = request.user
    following = bool(user.is_authenticated and ResultFollow.objects.filter(result=result, user=user).exists())
    can_change = ResultPolicy.can_change(user, result)
    return {
        "result": result,
        "following": following,
        "can_follow": ResultPolicy.can_follow(user, result),
        "can_change": can_change,
        "can_attach": ResultPolicy.can_attach(user, result),
        "progress_form": forms_given.get("progress") or forms.ProgressForm(initial={"progress": result.progress}),
        "milestone_form": forms_given.get("milestone") or forms.MilestoneForm(),
        "evidence_form": forms_given.get("evidence") or forms.EvidenceForm(),
        "cancel_form": forms_given.get("cancel") or forms.CancelForm(),
    }


def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(queries.with_history(queries.public_results()), pk=pk)
    return render(request, "participation_accountability/detail.html", _detail_context(request, result))


FORMS: dict[str, tuple[str, type[django_forms.Form] | None]] = {
    "progress": ("change", forms.ProgressForm),
    "milestone": ("change", forms.MilestoneForm),
    "complete_milestone": ("change", None),
    "cancel": ("change", forms.CancelForm),
    "evidence": ("attach", forms.EvidenceForm),
    "follow": ("follow", None),
    "unfollow": ("follow", None),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    if verb not in FORMS:
        raise Http404
    result = get_object_or_404(queries.public_results(), pk=pk)
    policy_verb, form_class = FORMS[verb]
    if not ResultPolicy.can(request.user, policy_verb, result):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        fresh = get_object_or_404(queries.with_history(queries.public_results()), pk=pk)
        context = _detail_context(request, fresh, **{verb: form})
        return render(request, "participation_accountability/detail.html", context, status=400)
    data = form.cleaned_data if form is not None else {}
    user = request.user
    try:
        if verb == "progress":
            actions.report_progress(result, actor=user, **data)
        elif verb == "milestone":
            actions.add_milestone(result, actor=user, **data)
        elif verb == "complete_milestone":
            milestone = get_object_or_404(Milestone, pk=request.POST.get("milestone", ""), result=result)
            actions.complete_milestone(milestone, actor=user)
        elif verb == "cancel":
            actions.cancel_result(result, actor=user, **data)
        elif verb == "evidence":
            actions.attach_evidence(result, actor=user, upload=data["file"], caption=data["caption"])
        elif verb == "follow":
            actions.follow_result(result, actor=user)
        elif verb == "unfollow":
            actions.unfollow_result(result, actor=user)
    except AccountabilityError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, gettext("Saved."))
    return redirect("participation_accountability:detail", pk=result.pk)


@login_required
def console(request: HttpRequest) -> HttpResponse:
    """Results this staff member reports on, and the overdue ones they supervise."""
    if not (ResultPolicy.has_permission(request.user, "change") or ResultPolicy.can_supervise(request.user)):
        raise PermissionDenied
    reportable = queries.list_reportable_results(request.user).exclude(
        status__in=[ResultStatus.COMPLETED, ResultStatus.CANCELLED]
    )
    page = Paginator(reportable.order_by("deadline", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = list(queries.list_overdue_results(request.user)[:200]) if ResultPolicy.can_supervise(request.user) else []
    return render(request, "participation_accountability/console.html", {"page": page, "overdue": overdue})


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    if not ResultPolicy.can_supervise(request.user):
        raise PermissionDenied
    page = Paginator(queries.list_overdue_results(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participation_accountability/overdue.html", {"page": page})


def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence, pk=evidence_pk, result_id=pk)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if not evidence.is_image:
        response["Content-Disposition"] = f'attachment; filename="{(evidence.file.name or "file").rsplit("/", 1)[-1]}"'
    return response
