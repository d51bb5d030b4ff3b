"""Opinion maps: a contested question, short statements, residents' votes and computed maps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.participation.opinion.choices import StatementStatus, VoteValue


class Conversation(ScopedModel):
    """A contested question put to the residents of an area.

    ``votes_since_map`` counts votes cast since the last computed map (an ``F()`` counter);
    the scheduled task recomputes the map when it has grown enough.
    """

    scope = ScopeSpec(area_path="area_path")

    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, editable=False, db_index=True)
    is_open = models.BooleanField(_("open for votes"), default=True)
    votes_since_map = models.PositiveIntegerField(_("votes since the last map"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation_opinion:detail", args=[self.pk])


class Statement(ScopedModel):
    """A short statement to agree or disagree with. Residents' statements are held for review."""

    scope = ScopeSpec(area_path="area_path", owner="author_id")

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="statements"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    text = models.CharField(_("statement"), max_length=280)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StatementStatus.choices, default=StatementStatus.PENDING
    )
    moderation_reason = models.CharField(_("reason"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["conversation", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [models.Index(fields=["conversation", "status"], name="op_statement_conv_status")]

    def __str__(self) -> str:
        return self.text[:50]


class OpinionVote(models.Model):
    """A participant's vote on a statement (the latest one counts; one row per pair)."""

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="+"
    )
    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="votes"
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.SmallIntegerField(_("vote"), choices=VoteValue.choices)
    voted_at = models.DateTimeField(_("voted at"))

    class Meta:
        ordering = ["conversation", "id"]
        verbose_name = _("opinion vote")
        verbose_name_plural = _("opinion votes")
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="op_one_vote_per_statement"),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="op_vote_value"),
        ]
        indexes = [models.Index(fields=["conversation", "participant"], name="op_vote_conv_participant")]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.value}"


class OpinionMapSnapshot(models.Model):
    """One computation of the map. ``data`` holds anonymous points, groups and statements:
    no participant id or name ever appears in it (it is shown publicly)."""

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="maps"
    )
    computed_at = models.DateTimeField(_("computed at"))
    participants = models.PositiveIntegerField(_("participants"))
    votes = models.PositiveIntegerField(_("votes"))
    groups = models.PositiveSmallIntegerField(_("groups"))
    silhouette = models.FloatField(_("silhouette score"), null=True, blank=True)
    seconds = models.FloatField(_("computation time (s)"))
    data = models.JSONField(_("map data"))

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = "computed_at"
        verbose_name = _("opinion map")
        verbose_name_plural = _("opinion maps")

    def __str__(self) -> str:
        return f"{self.conversation_id}@{self.computed_at:%Y-%m-%d %H:%M}"
