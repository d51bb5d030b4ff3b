"""Pages of the opinion map. The map, groups and consensus are public; writes call actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.access.queries import grants_with_permission
from gongzhi.core.errors import DomainError
from gongzhi.participation.opinion import actions, queries
from gongzhi.participation.opinion.choices import VoteValue
from gongzhi.participation.opinion.models import Conversation, Statement
from gongzhi.participation.opinion.permissions import ConversationPolicy
from gongzhi.territory.models import Area


class ConversationForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    description = forms.CharField(label=_("Background"), max_length=5000, required=False, widget=forms.Textarea)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Your statement"), max_length=280, widget=forms.Textarea(attrs={"rows": 2}))


def _error(request: HttpRequest, err: DomainError) -> None:
    messages.error(request, f"{err.detail} ({err.code})")


def conversation_list(request: HttpRequest) -> HttpResponse:
    conversations = list(queries.list_public_conversations()[:100])
    return render(
        request,
        "participation_opinion/list.html",
        {"conversations": conversations, "can_add": ConversationPolicy.can_add(request.user)},
    )


@login_required
def conversation_new(request: HttpRequest) -> HttpResponse:
    if not ConversationPolicy.can_add(request.user):
        raise PermissionDenied
    q = Q(pk__in=[])
    for g in grants_with_permission(request.user, "participation_opinion.add_conversation"):
        q |= Q(path__startswith=g.area_path or "")
    form = ConversationForm(request.POST or None)
    form.fields["area"].queryset = Area.objects.filter(q).order_by("path")  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            conversation = actions.start_conversation(
                form.cleaned_data["area"],
                question=form.cleaned_data["question"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except DomainError as err:
            _error(request, err)
        else:
            return redirect("participation_opinion:detail", pk=conversation.pk)
    return render(request, "participation_opinion/new.html", {"form": form})


def _group_letter(index: int) -> str:
    return chr(ord("A") + index)


def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(queries.list_public_conversations(), pk=pk)
    user = request.user
    statements = list(queries.list_published_statements(conversation))
    text_of = {s.pk: s.text for s in statements}
    latest = queries.get_latest_map(conversation)
    groups: list[dict[str, Any]] = []
    consensus: list[dict[str, Any]] = []
    if latest is not None:
        for i, group in enumerate(latest.data.get("groups", [])):
            groups.append(
                {
                    "letter": _group_letter(i),
                    "size": group["size"],
                    "statements": [
                        {**r, "text": text_of.get(r["statement"], "")}
                        for r in group["representative"]
                        if r["statement"] in text_of
                    ],
                }
            )
        for direction in ("agree", "disagree"):
            for c in latest.data.get(f"consensus_{direction}", []):
                if c["statement"] in text_of:
                    consensus.append({**c, "direction": direction, "text": text_of[c["statement"]]})
    my_votes = queries.get_my_votes(conversation, user)
    can_moderate = ConversationPolicy.can_moderate(user, conversation)
    context = {
        "conversation": conversation,
        "statements": statements,
        "unvoted": [s for s in statements if s.pk not in my_votes],
        "voted_count": len(my_votes),
        "latest": latest,
        "groups": groups,
        "consensus": consensus,
        "map_data": {
            "points": latest.data.get("points", []) if latest else [],
            "groups": [g["letter"] for g in groups],
            "labels": {"unclustered": gettext("Too few votes to place in a group"), "group": gettext("Group")},
        },
        "can_vote": ConversationPolicy.can_vote(user, conversation),
        "can_propose": ConversationPolicy.can_propose(user, conversation) or can_moderate,
        "can_moderate": can_moderate,
        "can_manage": ConversationPolicy.can_manage(user, conversation),
        "pending": list(queries.list_pending_statements(conversation)) if can_moderate else [],
        "statement_form": StatementForm(),
        "vote_values": VoteValue,
    }
    return render(request, "participation_opinion/detail.html", context)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation.objects.all(), pk=pk)
    form = StatementForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("A statement has at most 280 characters."))
    else:
        try:
            statement = actions.submit_statement(conversation, text=form.cleaned_data["text"], actor=request.user)
        except DomainError as err:
            _error(request, err)
        else:
            if statement.status == "pending":
                messages.success(request, gettext("Thank you: your statement will appear after review."))
    return redirect("participation_opinion:detail", pk=pk)


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("conversation"), pk=pk)
    raw = request.POST.get("value", "")
    try:
        value = int(raw)
    except ValueError:
        value = 99  # refused by the action with its own code
    try:
        actions.cast_opinion_vote(statement, value=value, actor=request.user)
    except DomainError as err:
        _error(request, err)
    return redirect(f"{statement.conversation.get_absolute_url()}#vote")


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("conversation"), pk=pk)
    if not ConversationPolicy.can_moderate(request.user, statement.conversation):
        raise PermissionDenied
    try:
        actions.moderate_statement(
            statement,
            publish=request.POST.get("decision") == "publish",
            reason=request.POST.get("reason", "")[:500],
            actor=request.user,
        )
    except DomainError as err:
        _error(request, err)
    return redirect("participation_opinion:detail", pk=statement.conversation_id)


@login_required
@require_POST
def compute(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation.objects.all(), pk=pk)
    if not ConversationPolicy.can_manage(request.user, conversation):
        raise PermissionDenied
    actions.compute_map(conversation, actor=request.user)
    messages.success(request, gettext("The map was recomputed."))
    return redirect("participation_opinion:detail", pk=pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation.objects.all(), pk=pk)
    if not ConversationPolicy.can_manage(request.user, conversation):
        raise PermissionDenied
    actions.close_conversation(conversation, actor=request.user)
    return redirect("participation_opinion:detail", pk=pk)
