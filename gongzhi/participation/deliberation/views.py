"""The deliberation hall pages: public lists and pages (no sign-in needed) for processes,
proposals and debates; residents propose, support, comment, amend, follow and report from
their phone; staff run the phases and 四议两公开 steps, answer proposals, enter for residents
without a phone, close debates and moderate. Every write calls an action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError
from gongzhi.participation.deliberation import actions, eligibility, forms, permissions, queries
from gongzhi.participation.deliberation.choices import PHASE_ORDER, StepKind, TargetKind
from gongzhi.participation.deliberation.models import (
    Amendment,
    Comment,
    Debate,
    Process,
    ProcessStep,
    Proposal,
    Report,
    SensitiveWord,
    Support,
)
from gongzhi.participation.deliberation.permissions import DebatePolicy, ProposalPolicy
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area

PAGE_SIZE = 20


def _creatable_areas(user: Any) -> Any:
    q = eligibility.area_q(user, "add_process", field="path")
    if q is None:
        return Area.objects.none()
    return Area.objects.filter(q, is_active=True, level__gte=AreaLevel.STREET).order_by("path")


# --- reading ------------------------------------------------------------------------------------


def process_list(request: HttpRequest) -> HttpResponse:
    qs = queries.public_processes().order_by("-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = (
        forms.ProcessForm(areas=_creatable_areas(request.user)) if permissions.may_add_process(request.user) else None
    )
    return render(request, "participation_deliberation/processes.html", {"page": page, "form": form})


def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_object_or_404(queries.public_processes(), pk=pk)
    user = request.user
    proposals = queries.visible_proposals(user).filter(process=process).order_by("-support_count", "-id")
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    phase_index = PHASE_ORDER.index(process.phase)  # type: ignore[arg-type]
    can_propose = process.phase == "collect" and getattr(user, "is_resident", False)
    context = {
        "process": process,
        "page": page,
        "phases": [(p, p.label, i < phase_index, i == phase_index) for i, p in enumerate(PHASE_ORDER)],
        "steps": list(process.steps.select_related("done_by").all()),
        "changes": list(process.phase_changes.all()),
        "debates": list(queries.public_debates().filter(process=process).order_by("-id")),
        "eligible": can_propose and eligibility.may_take_part(user, process),
        "can_propose": can_propose,
        "can_proxy": process.phase == "collect" and permissions.may_proxy(user, process),
        "can_change": permissions.may_change_process(user, process),
        "can_debate": permissions.may_add_debate(user, process),
        "proposal_form": forms.ProposalForm(),
        "proxy_form": forms.ProxyProposalForm(),
        "debate_form": forms.DebateForm(),
        "note_form": forms.NoteForm(),
    }
    return render(request, "participation_deliberation/process.html", context)


def _proposal_context(request: HttpRequest, proposal: Proposal, **given: Any) -> dict[str, Any]:
    user: Any = request.user
    signed_in = user.is_authenticated
    supported = signed_in and Support.objects.filter(proposal=proposal, user_id=user.pk).exists()
    following = signed_in and proposal.follows.filter(user_id=user.pk).exists()
    return {
        "proposal": proposal,
        "process": proposal.process,
        "comments": queries.comment_tree(proposal.visible_comments),  # type: ignore[attr-defined]
        "amendments": proposal.visible_amendments,  # type: ignore[attr-defined]
        "supported": supported,
        "following": following,
        "is_author": signed_in and proposal.author_id == user.pk,
        "can_support": not supported and ProposalPolicy.can_support(user, proposal),
        "can_proxy": permissions.may_proxy(user, proposal) and proposal.status in ("published", "consideration"),
        "can_follow": signed_in and proposal.is_public,
        "can_comment": ProposalPolicy.can_comment(user, proposal),
        "can_amend": ProposalPolicy.can_amend(user, proposal),
        "can_answer": ProposalPolicy.can_answer(user, proposal),
        "can_report": permissions.may_report(user) and proposal.is_public,
        "can_moderate": permissions.may_moderate(user, proposal),
        "threshold_left": max(proposal.process.support_threshold - proposal.support_count, 0),
        "comment_form": given.get("comment") or forms.CommentForm(),
        "amendment_form": given.get("amend") or forms.AmendmentForm(),
        "answer_form": given.get("answer") or forms.AnswerForm(proposal=proposal),
        "proxy_form": forms.ProxyForm(),
        "reason_form": forms.ReasonForm(),
    }


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(queries.proposal_page(request.user), pk=pk)
    return render(request, "participation_deliberation/proposal.html", _proposal_context(request, proposal))


def debate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    debate = get_object_or_404(queries.debate_page(request.user), pk=pk)
    user = request.user
    tree = queries.comment_tree(debate.visible_comments)  # type: ignore[attr-defined]
    context = {
        "debate": debate,
        "process": debate.process,
        "arguments_for": [c for c in tree if c[0].position == "for"],
        "arguments_against": [c for c in tree if c[0].position == "against"],
        "others": [c for c in tree if c[0].position == ""],
        "can_comment": DebatePolicy.can_comment(user, debate),
        "can_close": DebatePolicy.can_close(user, debate),
        "can_report": permissions.may_report(user),
        "can_moderate": permissions.may_moderate(user, debate),
        "comment_form": forms.DebateCommentForm(),
        "conclusion_form": forms.ConclusionForm(),
        "reason_form": forms.ReasonForm(),
    }
    return render(request, "participation_deliberation/debate.html", context)


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (permissions.may_moderate(user) or permissions.may_manage_words(user)):
        raise PermissionDenied
    queue = queries.moderation_queue(user)
    targets = _report_targets(queue["reports"])
    context = {
        **queue,
        "report_rows": [(r, targets.get((r.target_kind, r.target_id))) for r in queue["reports"]],
        "log": list(queries.moderation_log(user)[:50]),
        "words": list(SensitiveWord.objects.filter(is_active=True)) if permissions.may_manage_words(user) else [],
        "can_words": permissions.may_manage_words(user),
        "word_form": forms.WordForm(),
        "reason_form": forms.ReasonForm(),
    }
    return render(request, "participation_deliberation/moderation.html", context)


def _report_targets(reports: list[Report]) -> dict[tuple[str, int], Any]:
    found: dict[tuple[str, int], Any] = {}
    for kind, model in TARGET_MODELS.items():
        ids = [r.target_id for r in reports if r.target_kind == kind]
        for obj in model._default_manager.filter(pk__in=ids):
            found[(kind, obj.pk)] = obj
    return found


TARGET_MODELS: dict[str, type[Model]] = {
    TargetKind.PROPOSAL: Proposal,
    TargetKind.COMMENT: Comment,
    TargetKind.AMENDMENT: Amendment,
}


# --- writing ------------------------------------------------------------------------------------


def _form(form_class: type[django_forms.Form], request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        first = next(iter(form.errors.values()))
        raise _Invalid(str(first[0]))
    return form.cleaned_data


class _Invalid(Exception):
    pass


def _run(request: HttpRequest, call: Callable[[], Any], back: str, message: str = "") -> HttpResponse:
    try:
        call()
    except _Invalid as exc:
        messages.error(request, str(exc))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, message or gettext("Saved."))
    return redirect(back)


@login_required
@require_POST
def create_process(request: HttpRequest) -> HttpResponse:
    if not permissions.may_add_process(request.user):
        raise PermissionDenied
    form = forms.ProcessForm(request.POST, areas=_creatable_areas(request.user))
    if not form.is_valid():
        messages.error(request, str(next(iter(form.errors.values()))[0]))
        return redirect("participation_deliberation:processes")
    process = actions.create_process(actor=request.user, **form.cleaned_data)
    return redirect(process.get_absolute_url())


@login_required
@require_POST
def process_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    process = get_object_or_404(Process, pk=pk)
    user, back = request.user, process.get_absolute_url()
    if verb == "propose":
        if not permissions.may_propose(user, process):
            raise PermissionDenied
        if request.POST.get("resident_phone") is not None:
            data = _safe(forms.ProxyProposalForm, request)
            if data is None:
                return redirect(back)
            resident = data.pop("resident_phone")
            return _run(
                request, lambda: actions.submit_proposal(process, actor=user, on_behalf_of=resident, **data), back
            )
        return _run(
            request, lambda: actions.submit_proposal(process, actor=user, **_form(forms.ProposalForm, request)), back
        )
    if verb == "advance":
        if not permissions.may_change_process(user, process):
            raise PermissionDenied
        return _run(request, lambda: actions.advance_phase(process, actor=user, **_form(forms.NoteForm, request)), back)
    if verb == "step":
        if not permissions.may_change_process(user, process):
            raise PermissionDenied
        step = get_object_or_404(ProcessStep, pk=request.POST.get("step", ""), process=process)
        return _run(request, lambda: actions.complete_step(step, actor=user, **_form(forms.NoteForm, request)), back)
    if verb == "debate":
        if not permissions.may_add_debate(user, process):
            raise PermissionDenied
        return _run(request, lambda: actions.open_debate(process, actor=user, **_form(forms.DebateForm, request)), back)
    raise Http404


def _safe(form_class: type[django_forms.Form], request: HttpRequest) -> dict[str, Any] | None:
    form = form_class(request.POST)
    if form.is_valid():
        return dict(form.cleaned_data)
    messages.error(request, str(next(iter(form.errors.values()))[0]))
    return None


@login_required
@require_POST
def proposal_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    proposal = get_object_or_404(queries.visible_proposals(request.user), pk=pk)
    user, back = request.user, proposal.get_absolute_url()
    checks: dict[str, Callable[[], bool]] = {
        "support": lambda: permissions.may_support(user, proposal),
        "proxy_support": lambda: permissions.may_proxy(user, proposal),
        "follow": lambda: permissions.may_follow(user),
        "unfollow": lambda: permissions.may_follow(user),
        "withdraw": lambda: proposal.author_id == user.pk,
        "comment": lambda: permissions.may_comment(user, proposal),
        "amend": lambda: permissions.may_amend(user),
        "decide_amendment": lambda: proposal.author_id == user.pk,
        "answer": lambda: permissions.may_answer(user, proposal),
    }
    if verb not in checks:
        raise Http404
    if not checks[verb]():
        raise PermissionDenied
    if verb == "support":
        return _run(
            request,
            lambda: actions.support_proposal(proposal, actor=user),
            back,
            gettext("Thank you for your support."),
        )
    if verb == "proxy_support":
        return _run(
            request,
            lambda: actions.support_proposal(
                proposal, actor=user, on_behalf_of=_form(forms.ProxyForm, request)["resident_phone"]
            ),
            back,
        )
    if verb == "follow":
        return _run(request, lambda: actions.follow_proposal(proposal, actor=user), back)
    if verb == "unfollow":
        return _run(request, lambda: actions.unfollow_proposal(proposal, actor=user), back)
    if verb == "withdraw":
        return _run(request, lambda: actions.withdraw_proposal(proposal, actor=user), back)
    if verb == "comment":
        return _run(request, lambda: _comment(request, proposal, forms.CommentForm), back)
    if verb == "amend":
        return _run(
            request,
            lambda: actions.propose_amendment(proposal, actor=user, **_form(forms.AmendmentForm, request)),
            back,
        )
    if verb == "decide_amendment":

        def decide() -> Any:
            data = _form(forms.DecideAmendmentForm, request)
            amendment = get_object_or_404(Amendment, pk=data["amendment"], proposal=proposal)
            return actions.decide_amendment(amendment, actor=user, accept=data["accept"], reason=data["reason"])

        return _run(request, decide, back)
    # answer
    return _run(
        request,
        lambda: actions.answer_proposal(proposal, actor=user, **_form(forms.AnswerForm, request, proposal=proposal)),
        back,
    )


def _comment(request: HttpRequest, target: Proposal | Debate, form_class: type[django_forms.Form]) -> Comment:
    data = _form(form_class, request)
    parent = None
    if data.get("parent"):
        parent = get_object_or_404(Comment, pk=data["parent"])
    extra = {"position": data.get("position") or ""} if isinstance(target, Debate) else {}
    return actions.add_comment(target, actor=request.user, body=data["body"], parent=parent, **extra)


@login_required
@require_POST
def debate_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    debate = get_object_or_404(Debate, pk=pk)
    user, back = request.user, debate.get_absolute_url()
    if verb == "comment":
        if not permissions.may_comment(user, debate):
            raise PermissionDenied
        return _run(request, lambda: _comment(request, debate, forms.DebateCommentForm), back)
    if verb == "close":
        if not permissions.may_change_debate(user, debate):
            raise PermissionDenied
        return _run(
            request, lambda: actions.close_debate(debate, actor=user, **_form(forms.ConclusionForm, request)), back
        )
    raise Http404


@login_required
@require_POST
def moderate_act(request: HttpRequest, kind: str, pk: int, verb: str) -> HttpResponse:
    """Report, approve, hide or show again a proposal, comment or amendment."""
    model = TARGET_MODELS.get(kind)
    if model is None or verb not in ("report", "approve", "hide", "unhide"):
        raise Http404
    target: Any = get_object_or_404(model, pk=pk)
    user = request.user
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = "/participation/moderation/"
    if verb == "report":
        if not permissions.may_report(user) or not target.is_public:
            raise PermissionDenied
        return _run(
            request,
            lambda: actions.report_content(target, actor=user, **_form(forms.ReasonForm, request)),
            back,
            gettext("Thank you. A moderator will look at it."),
        )
    if not permissions.may_moderate(user, target):
        raise PermissionDenied
    if verb == "approve":
        return _run(request, lambda: actions.approve_content(target, actor=user), back)
    if verb == "hide":
        return _run(request, lambda: actions.hide_content(target, actor=user, **_form(forms.ReasonForm, request)), back)
    return _run(
        request, lambda: actions.unhide_content(target, actor=user, reason=request.POST.get("reason", "")), back
    )


@login_required
@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    if not permissions.may_moderate(request.user, report):
        raise PermissionDenied
    return _run(
        request,
        lambda: actions.dismiss_report(report, actor=request.user, reason=request.POST.get("reason", "")),
        "/participation/moderation/",
    )


@login_required
@require_POST
def words_act(request: HttpRequest, verb: str) -> HttpResponse:
    if not permissions.may_manage_words(request.user):
        raise PermissionDenied
    back = "/participation/moderation/"
    if verb == "add":
        return _run(
            request, lambda: actions.add_sensitive_word(actor=request.user, **_form(forms.WordForm, request)), back
        )
    if verb == "remove":
        word = get_object_or_404(SensitiveWord, pk=request.POST.get("word", ""), is_active=True)
        return _run(request, lambda: actions.remove_sensitive_word(word, actor=request.user), back)
    raise Http404


STEP_LABELS = dict(StepKind.choices)
