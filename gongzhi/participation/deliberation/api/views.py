"""The deliberation API. Reading is public (held items only for their author and the
moderators of their area); every write calls an action. Each view names, per DRF action, the
relationship check (``may_*`` in permissions.py): refused → 403 (401/403 when signed out);
the action itself refuses what the state or the resident's eligibility does not allow, with
a stable code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.api.viewsets import CreateActionMixin
from gongzhi.participation.deliberation import actions, permissions, queries
from gongzhi.participation.deliberation.api import serializers as s
from gongzhi.participation.deliberation.choices import TargetKind
from gongzhi.participation.deliberation.models import (
    Amendment,
    Comment,
    Process,
    ProcessStep,
    Proposal,
    Report,
    SensitiveWord,
)

Check = Callable[[Any, Any], bool]


class DeliberationPermission(BasePermission):
    """Safe reads are public; a write needs its ``checks`` entry to allow the user."""

    def has_permission(self, request: Any, view: Any) -> bool:
        check = view.checks.get(view.action)
        if check is None:
            return request.method in ("GET", "HEAD", "OPTIONS") and view.action in view.public_actions
        if not request.user or not request.user.is_authenticated:
            return False
        return True if getattr(view, "detail", False) else bool(check(request.user, None))

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        check = view.checks.get(view.action)
        return check is None or bool(check(request.user, obj))


class _Base(viewsets.GenericViewSet):  # type: ignore[type-arg]
    permission_classes = [DeliberationPermission]
    checks: ClassVar[dict[str, Check]] = {}
    public_actions: ClassVar[frozenset[str]] = frozenset({"list", "retrieve"})

    def _input(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ProcessViewSet(_Base, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    checks = {
        "create": lambda user, obj: permissions.may_add_process(user),
        "advance": lambda user, obj: permissions.may_change_process(user, obj),
        "complete_step": lambda user, obj: permissions.may_change_process(user, obj),
    }

    def get_queryset(self) -> QuerySet[Process]:
        qs = queries.public_processes()
        if self.action == "retrieve":
            qs = qs.prefetch_related("steps", "phase_changes")
        area = self.request.query_params.get("area", "")
        if self.action == "list" and area.isdigit():
            qs = qs.filter(area_id=int(area))
        return qs

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.CreateProcessSerializer
        return s.ProcessDetailSerializer if self.action != "list" else s.ProcessSerializer

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.public_processes().prefetch_related("steps", "phase_changes").get(pk=instance.pk)
        return Response(s.ProcessDetailSerializer(fresh).data, status=status_code)

    def perform_action_create(self, serializer: Any) -> Process:
        return actions.create_process(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=s.ProcessNoteSerializer, responses=s.ProcessDetailSerializer)
    @route(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        actions.advance_phase(process, actor=request.user, **self._input(s.ProcessNoteSerializer))
        return self.output(process)

    @extend_schema(request=s.ProcessNoteSerializer, responses=s.ProcessDetailSerializer)
    @route(detail=True, methods=["post"], url_path=r"steps/(?P<step_id>\d+)/complete")
    def complete_step(self, request: Request, pk: str, step_id: str) -> Response:
        process = self.get_object()
        step = get_object_or_404(ProcessStep, pk=step_id, process=process)
        actions.complete_step(step, actor=request.user, **self._input(s.ProcessNoteSerializer))
        return self.output(process)


def _comment_allowed(user: Any, data: dict[str, Any], target: Any) -> None:
    """For a resident (proxy) the staff member needs the proxy grant; otherwise their own right."""
    if data.get("on_behalf_of") is not None:
        allowed = permissions.may_proxy(user, target)
    else:
        allowed = permissions.may_comment_self(user, target)
    if not allowed:
        raise PermissionDenied


def _is_author(user: Any, obj: Any) -> bool:
    return obj is not None and obj.author_id == getattr(user, "pk", None)


class ProposalViewSet(_Base, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    checks = {
        "create": lambda user, obj: (
            getattr(user, "is_resident", False) or bool(permissions.eligibility.grant_paths(user, "proxy_proposal"))
        ),
        "support": lambda user, obj: permissions.may_support(user, obj),
        "follow": lambda user, obj: permissions.may_follow(user),
        "unfollow": lambda user, obj: permissions.may_follow(user),
        "withdraw": _is_author,
        "answer": lambda user, obj: permissions.may_answer(user, obj),
        "comments": lambda user, obj: permissions.may_comment(user, obj),
        "amendments": lambda user, obj: permissions.may_amend(user),
        "decide_amendment": _is_author,
    }

    def get_queryset(self) -> QuerySet[Proposal]:
        if self.action == "list":
            qs = queries.visible_proposals(self.request.user)
            params = self.request.query_params
            if params.get("process", "").isdigit():
                qs = qs.filter(process_id=int(params["process"]))
            if params.get("status"):
                qs = qs.filter(status=params["status"])
            return qs.order_by("-id")
        return queries.proposal_page(self.request.user)

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.SubmitProposalSerializer
        return s.ParticipationProposalSerializer if self.action == "list" else s.ProposalDetailSerializer

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.proposal_page(self.request.user).get(pk=instance.pk)
        return Response(s.ProposalDetailSerializer(fresh).data, status=status_code)

    def perform_action_create(self, serializer: Any) -> Proposal:
        data = dict(serializer.validated_data)
        process = data.pop("process")
        if data["on_behalf_of"] is not None and not permissions.may_proxy(self.request.user, process):
            raise PermissionDenied
        return actions.submit_proposal(process, actor=self.request.user, **data)

    def _comment_allowed(self, data: dict[str, Any], target: Any) -> None:
        _comment_allowed(self.request.user, data, target)

    def _proxy_allowed(self, data: dict[str, Any], target: Any) -> None:
        if data.get("on_behalf_of") is not None and not permissions.may_proxy(self.request.user, target):
            raise PermissionDenied

    @extend_schema(request=s.ProxyEntrySerializer, responses=s.ProposalDetailSerializer)
    @route(detail=True, methods=["post"])
    def support(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        data = self._input(s.ProxyEntrySerializer)
        self._proxy_allowed(data, proposal)
        actions.support_proposal(proposal, actor=request.user, **data)
        return self.output(proposal)

    @extend_schema(request=None, responses=s.ProposalDetailSerializer)
    @route(detail=True, methods=["post"])
    def follow(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        actions.follow_proposal(proposal, actor=request.user)
        return self.output(proposal)

    @extend_schema(request=None, responses=s.ProposalDetailSerializer)
    @route(detail=True, methods=["post"])
    def unfollow(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        actions.unfollow_proposal(proposal, actor=request.user)
        return self.output(proposal)

    @extend_schema(request=None, responses=s.ProposalDetailSerializer)
    @route(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        actions.withdraw_proposal(proposal, actor=request.user)
        return self.output(proposal)

    @extend_schema(request=s.ProposalAnswerSerializer, responses=s.ProposalDetailSerializer)
    @route(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        actions.answer_proposal(proposal, actor=request.user, **self._input(s.ProposalAnswerSerializer))
        return self.output(proposal)

    @extend_schema(request=s.ParticipationCommentInputSerializer, responses={201: s.ParticipationCommentSerializer})
    @route(detail=True, methods=["post"])
    def comments(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        data = self._input(s.ParticipationCommentInputSerializer)
        self._comment_allowed(data, proposal)
        data.pop("position", None)
        comment = actions.add_comment(proposal, actor=request.user, parent=data.pop("reply_to"), **data)
        return Response(s.ParticipationCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProposalAmendmentInputSerializer, responses={201: s.ProposalAmendmentSerializer})
    @route(detail=True, methods=["post"])
    def amendments(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        amendment = actions.propose_amendment(
            proposal, actor=request.user, **self._input(s.ProposalAmendmentInputSerializer)
        )
        return Response(s.ProposalAmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProposalAmendmentDecisionSerializer, responses=s.ProposalAmendmentSerializer)
    @route(detail=True, methods=["post"], url_path=r"amendments/(?P<amendment_id>\d+)/decide")
    def decide_amendment(self, request: Request, pk: str, amendment_id: str) -> Response:
        proposal = self.get_object()
        amendment = get_object_or_404(Amendment, pk=amendment_id, proposal=proposal)
        amendment = actions.decide_amendment(
            amendment, actor=request.user, **self._input(s.ProposalAmendmentDecisionSerializer)
        )
        return Response(s.ProposalAmendmentSerializer(amendment).data)


class DebateViewSet(_Base, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    checks = {
        "create": lambda user, obj: bool(permissions.eligibility.grant_paths(user, "add_debate")),
        "comments": lambda user, obj: permissions.may_comment(user, obj),
        "close": lambda user, obj: permissions.may_change_debate(user, obj),
    }

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "list":
            qs = queries.public_debates()
            process = self.request.query_params.get("process", "")
            return qs.filter(process_id=int(process)) if process.isdigit() else qs
        return queries.debate_page(self.request.user)

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.OpenDebateSerializer
        return s.DebateSerializer if self.action == "list" else s.DebateDetailSerializer

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.debate_page(self.request.user).get(pk=instance.pk)
        return Response(s.DebateDetailSerializer(fresh).data, status=status_code)

    def perform_action_create(self, serializer: Any) -> Any:
        data = dict(serializer.validated_data)
        process = data.pop("process")
        if not permissions.may_add_debate(self.request.user, process):
            raise PermissionDenied
        return actions.open_debate(process, actor=self.request.user, **data)

    @extend_schema(request=s.ParticipationCommentInputSerializer, responses={201: s.ParticipationCommentSerializer})
    @route(detail=True, methods=["post"])
    def comments(self, request: Request, pk: str) -> Response:
        debate = self.get_object()
        data = self._input(s.ParticipationCommentInputSerializer)
        _comment_allowed(request.user, data, debate)
        comment = actions.add_comment(debate, actor=request.user, parent=data.pop("reply_to"), **data)
        return Response(s.ParticipationCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DebateConclusionSerializer, responses=s.DebateDetailSerializer)
    @route(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        debate = self.get_object()
        actions.close_debate(debate, actor=request.user, **self._input(s.DebateConclusionSerializer))
        return self.output(debate)


def _reason(request: Request) -> str:
    data = request.data
    return str(data.get("reason", ""))[:500] if isinstance(data, dict) else ""


TARGETS: dict[str, type[Model]] = {
    TargetKind.PROPOSAL: Proposal,
    TargetKind.COMMENT: Comment,
    TargetKind.AMENDMENT: Amendment,
}


def _can_moderate_somewhere(user: Any, obj: Any) -> bool:
    return permissions.may_moderate(user)


class ModerationViewSet(_Base):
    """The moderation queue and moderators' actions; residents' reports."""

    serializer_class = s.ModerationTargetSerializer
    public_actions = frozenset()
    checks = {
        "queue": _can_moderate_somewhere,
        "log": _can_moderate_somewhere,
        "report": lambda user, obj: permissions.may_report(user),
        "approve": _can_moderate_somewhere,
        "hide": _can_moderate_somewhere,
        "unhide": _can_moderate_somewhere,
        "dismiss": _can_moderate_somewhere,
        "words": lambda user, obj: permissions.may_manage_words(user),
        "remove_word": lambda user, obj: permissions.may_manage_words(user),
    }

    def get_queryset(self) -> QuerySet[Any]:
        return Report.objects.none()

    def _target(self, data: dict[str, Any], *, public: bool = False) -> Any:
        model = TARGETS[data["target_kind"]]
        target: Any = get_object_or_404(model, pk=data["target_id"])
        if public and not target.is_public:
            raise PermissionDenied
        if not public and not permissions.may_moderate(self.request.user, target):
            raise PermissionDenied
        return target

    @extend_schema(responses=s.ModerationQueueSerializer)
    @route(detail=False, methods=["get"])
    def queue(self, request: Request) -> Response:
        q = queries.moderation_queue(request.user)
        held = [
            {"target_kind": "proposal", "target_id": p.pk, "text": f"{p.title}\n{p.body}", "created_at": p.created_at}
            for p in q["proposals"]
        ]
        held += [
            {"target_kind": "comment", "target_id": c.pk, "text": c.body, "created_at": c.created_at}
            for c in q["comments"]
        ]
        held += [
            {"target_kind": "amendment", "target_id": a.pk, "text": a.body, "created_at": a.created_at}
            for a in q["amendments"]
        ]
        return Response(s.ModerationQueueSerializer({"held": held, "reports": q["reports"]}).data)

    @extend_schema(responses=s.ModerationEntrySerializer(many=True))
    @route(detail=False, methods=["get"])
    def log(self, request: Request) -> Response:
        page = self.paginate_queryset(queries.moderation_log(request.user))
        return self.get_paginated_response(s.ModerationEntrySerializer(page, many=True).data)

    @extend_schema(request=s.ModerationTargetSerializer, responses={201: s.ParticipationReportSerializer})
    @route(detail=False, methods=["post"])
    def report(self, request: Request) -> Response:
        data = self._input(s.ModerationTargetSerializer)
        report = actions.report_content(self._target(data, public=True), actor=request.user, reason=data["reason"])
        return Response(s.ParticipationReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ModerationTargetSerializer, responses=s.ModerationTargetSerializer)
    @route(detail=False, methods=["post"])
    def approve(self, request: Request) -> Response:
        data = self._input(s.ModerationTargetSerializer)
        actions.approve_content(self._target(data), actor=request.user)
        return Response(data)

    @extend_schema(request=s.ModerationTargetSerializer, responses=s.ModerationTargetSerializer)
    @route(detail=False, methods=["post"])
    def hide(self, request: Request) -> Response:
        data = self._input(s.ModerationTargetSerializer)
        actions.hide_content(self._target(data), actor=request.user, reason=data["reason"])
        return Response(data)

    @extend_schema(request=s.ModerationTargetSerializer, responses=s.ModerationTargetSerializer)
    @route(detail=False, methods=["post"])
    def unhide(self, request: Request) -> Response:
        data = self._input(s.ModerationTargetSerializer)
        actions.unhide_content(self._target(data), actor=request.user, reason=data["reason"])
        return Response(data)

    @extend_schema(request=None, responses=s.ParticipationReportSerializer)
    @route(detail=False, methods=["post"], url_path=r"reports/(?P<report_id>\d+)/dismiss")
    def dismiss(self, request: Request, report_id: str) -> Response:
        report = get_object_or_404(Report, pk=report_id)
        if not permissions.may_moderate(request.user, report):
            raise PermissionDenied
        report = actions.dismiss_report(report, actor=request.user, reason=_reason(request))
        return Response(s.ParticipationReportSerializer(report).data)

    @extend_schema(request=s.SensitiveWordInputSerializer, responses=s.SensitiveWordSerializer(many=True))
    @route(detail=False, methods=["get", "post"])
    def words(self, request: Request) -> Response:
        if request.method == "POST":
            word = actions.add_sensitive_word(actor=request.user, **self._input(s.SensitiveWordInputSerializer))
            return Response(s.SensitiveWordSerializer(word).data, status=status.HTTP_201_CREATED)
        return Response(s.SensitiveWordSerializer(SensitiveWord.objects.filter(is_active=True), many=True).data)

    @extend_schema(request=None, responses=s.SensitiveWordSerializer)
    @route(detail=False, methods=["post"], url_path=r"words/(?P<word_id>\d+)/remove")
    def remove_word(self, request: Request, word_id: str) -> Response:
        word = get_object_or_404(SensitiveWord, pk=word_id, is_active=True)
        return Response(s.SensitiveWordSerializer(actions.remove_sensitive_word(word, actor=request.user)).data)
