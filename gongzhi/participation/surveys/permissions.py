"""Who may do what to a survey: scope (the grant reaches the survey's area) plus state."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.participation.surveys.choices import SurveyStatus
from gongzhi.participation.surveys.models import Survey


class SurveyPolicy(Policy):
    model = Survey

    @classmethod
    def can_view(cls, user: Any, survey: Survey | None) -> bool:
        if survey is None:
            return cls.has_permission(user, "view")
        if survey.status == SurveyStatus.DRAFT and not cls.in_scope(user, "change", survey):
            return False
        return cls.in_scope(user, "view", survey)

    @classmethod
    def can_change(cls, user: Any, survey: Survey | None) -> bool:
        if survey is None:
            return cls.has_permission(user, "change")
        return survey.status != SurveyStatus.CLOSED and cls.in_scope(user, "change", survey)

    @classmethod
    def can_respond(cls, user: Any, survey: Survey | None) -> bool:
        if survey is None:
            return cls.has_permission(user, "respond")
        return survey.status == SurveyStatus.OPEN and cls.in_scope(user, "respond", survey)

    @classmethod
    def can_assist(cls, user: Any, survey: Survey | None) -> bool:
        if survey is None:
            return cls.has_permission(user, "assist")
        return survey.status == SurveyStatus.OPEN and cls.in_scope(user, "assist", survey)

    @classmethod
    def can_results(cls, user: Any, survey: Survey | None) -> bool:
        """Staff holding ``results`` see live results; anyone who can see a closed survey with
        public results sees those (residents too, and the public page without login)."""
        if survey is None:
            return cls.has_permission(user, "results") or cls.has_permission(user, "view")
        if survey.status == SurveyStatus.DRAFT:
            return False
        if cls.in_scope(user, "results", survey):
            return True
        return survey.status == SurveyStatus.CLOSED and survey.results_public and cls.in_scope(user, "view", survey)

    @classmethod
    def can_export(cls, user: Any, survey: Survey | None) -> bool:
        if survey is None:
            return cls.has_permission(user, "export")
        return survey.status != SurveyStatus.DRAFT and cls.in_scope(user, "export", survey)
