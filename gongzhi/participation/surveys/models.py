"""Polls and surveys (问卷与投票): a survey, its questions, and the responses to it.

Anonymity by construction: a :class:`Response` of an anonymous survey stores no link to
the respondent — no user, no household, a random UUID key (so ids do not follow the order
of submission) and only the day it was given. One response per resident or per household
is enforced by a unique keyed-hash ``token`` (HMAC with a server key, see ``tokens.py``)
that staff cannot recompute, so they cannot test whether a person answered.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel, TimeStampedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.participation.surveys.choices import AgeGroup, QuestionKind, ResponseUnit, SurveyStatus


def _see_published_above(grant: Any, verb: str) -> Q | None:
    """Anyone holding ``view``/``respond``/``assist`` for an area also sees the published
    surveys of every area above it (a district survey reaches every community's residents)."""
    if not grant.area_path or verb not in {"view", "respond", "assist"}:
        return None
    codes = grant.area_path.rstrip("/").split("/")
    ancestors = ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return Q(area_path__in=ancestors) & ~Q(status=SurveyStatus.DRAFT)


class Survey(ScopedModel):
    """A poll or survey addressed to the residents of an area (optionally narrowed by tags,
    age and role), answered once per resident or once per household."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    unit = models.CharField(
        _("response unit"), max_length=12, choices=ResponseUnit.choices, default=ResponseUnit.RESIDENT
    )
    requires_verified = models.BooleanField(_("requires a verified (real-name) account"), default=False)
    target_tags = models.JSONField(_("only residents with these tags"), default=list, blank=True)
    target_min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    target_max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    target_roles = models.JSONField(_("only holders of these roles"), default=list, blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    results_public = models.BooleanField(_("results public after closing"), default=True)
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown in breakdowns"),
        default=5,
        help_text=_("Groups with fewer responses are suppressed in breakdowns (k-anonymity)."),
    )
    response_count = models.PositiveIntegerField(_("responses"), default=0)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    live_results = models.JSONField(_("live results snapshot"), null=True, blank=True, editable=False)
    live_results_count = models.PositiveIntegerField(_("responses in the live snapshot"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(area_path="area_path", extra=_see_published_above)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        permissions = [
            ("respond_survey", "Can respond to a survey"),
            ("assist_survey", "Can enter a response for a resident"),
            ("results_survey", "Can see the results of a survey"),
            ("export_survey", "Can export the results of a survey"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="surveys_survey_times_ordered",
            ),
            models.CheckConstraint(condition=Q(min_group_size__gte=2), name="surveys_survey_k_at_least_2"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="surveys_survey_status_ix")]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    """One question. ``options`` are the choices (or ranked items); ``rows`` the rows of a
    matrix; a scale runs from ``scale_min`` to ``scale_max``. ``show_if`` makes it
    conditional: shown (and required) only when that earlier question's answer includes
    one of ``show_if_options``."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    rows = models.JSONField(_("matrix rows"), default=list, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("at most this many choices"), null=True, blank=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    show_if = models.ForeignKey(
        "self",
        verbose_name=_("show only if question"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dependents",
    )
    show_if_options = models.JSONField(_("has one of these options"), default=list, blank=True)

    class Meta:
        ordering = ["survey_id", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="surveys_question_unique_position"),
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="surveys_question_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class Response(models.Model):
    """One response. For anonymous surveys it holds no respondent, no household and no
    precise time; the breakdown attributes (grid, age group, gender) are coarse and only
    ever shown in groups of at least ``survey.min_group_size``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    token = models.CharField(_("uniqueness token"), max_length=64)
    submitted_on = models.DateField(_("submitted on"))
    grid = models.ForeignKey(
        "territory.Area", verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=8, blank=True)
    # Named surveys only (always empty for anonymous ones: a check constraint makes sure).
    is_named = models.BooleanField(_("named"), default=False)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    household = models.ForeignKey(
        "residents.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via_proxy = models.BooleanField(_("entered by staff for the resident"), default=False)

    audit_redacted_fields = frozenset({"token"})

    class Meta:
        ordering = ["survey_id", "submitted_on"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "token"], name="surveys_response_one_per_token"),
            models.CheckConstraint(
                condition=Q(is_named=True)
                | Q(respondent__isnull=True, household__isnull=True, entered_by__isnull=True),
                name="surveys_response_anonymous_unlinked",
            ),
        ]
        indexes = [models.Index(fields=["survey", "grid"], name="surveys_response_grid_ix")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{str(self.id)[:8]}"


class Answer(models.Model):
    """One answer cell, shaped for SQL aggregates: a choice is one row per chosen option
    (``option``), a ranking one row per item with its ``rank``, a matrix one row per matrix
    row (``row`` + ``option``), a scale its ``value``; text and files as they are.
    ``survey``, ``grid``, ``age_group`` and ``gender`` are copied from the response so
    tallies and breakdowns read one table."""

    id = models.BigAutoField(primary_key=True)
    response = models.ForeignKey(Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+")
    option = models.SmallIntegerField(_("option"), null=True, blank=True)
    row = models.SmallIntegerField(_("matrix row"), null=True, blank=True)
    rank = models.SmallIntegerField(_("rank"), null=True, blank=True)
    value = models.SmallIntegerField(_("scale value"), null=True, blank=True)
    text = models.TextField(_("text"), max_length=2000, blank=True)
    file = models.FileField(_("file"), upload_to="surveys/%Y/%m/", blank=True)
    grid = models.ForeignKey(
        "territory.Area", verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_group = models.CharField(_("age group"), max_length=8, blank=True)
    gender = models.CharField(_("gender"), max_length=8, blank=True)
    lead = models.BooleanField(
        _("first cell of the answer"),
        default=True,
        help_text=_("Counting these counts the responses that answered a question, without COUNT(DISTINCT)."),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["survey", "question"], name="surveys_answer_survey_ix")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option if self.option is not None else self.value}"
