"""Who may answer a survey, and the keyed-hash token that makes "once" enforceable.

The token is an HMAC (server key derived from ``SECRET_KEY``) of the survey and the
resident or household: the database can refuse a second response with a unique
constraint, while staff reading the database cannot tell whose token is whose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.crypto import salted_hmac

from gongzhi.access.choices import Role
from gongzhi.access.queries import active_grants
from gongzhi.participation.surveys.choices import ResponseUnit, age_group
from gongzhi.participation.surveys.errors import SurveyError, SurveyErrorCode
from gongzhi.participation.surveys.models import Survey
from gongzhi.residents.models import HouseholdMembership, Resident

E = SurveyErrorCode
TOKEN_SALT = "gongzhi.participation.surveys.token.v1"  # noqa: S105  (an HMAC salt, not a secret)


def response_token(survey: Survey, kind: str, subject_id: int) -> str:
    return salted_hmac(TOKEN_SALT, f"{survey.pk}:{kind}:{subject_id}", algorithm="sha256").hexdigest()


@dataclass
class Profile:
    """What a response may carry about its respondent (coarse attributes only)."""

    user: Any
    resident: Resident | None = None
    household_id: int | None = None
    grid_id: int | None = None
    area_path: str = ""
    age: int | None = None
    gender: str = ""
    tags: set[str] = field(default_factory=set)

    @property
    def age_group(self) -> str:
        return age_group(self.age)


def profile_of(user: Any) -> Profile:
    resident = Resident.objects.filter(user=user, anonymised_at__isnull=True).select_related("grid").first()
    profile = Profile(user=user, resident=resident)
    if resident is not None:
        profile.grid_id = resident.grid_id
        profile.area_path = resident.area_path
        profile.age = resident.age()
        profile.gender = resident.gender
        profile.tags = set(resident.tags.filter(removed_at__isnull=True).values_list("kind", flat=True))
        membership = (
            HouseholdMembership.objects.filter(resident=resident, moved_out_on__isnull=True)
            .order_by("moved_in_on", "id")
            .first()
        )
        profile.household_id = membership.household_id if membership else None
    elif getattr(user, "home_area_id", None):
        profile.grid_id = user.home_area_id
        profile.area_path = user.home_area.path
    else:
        paths = [g.area_path for g in active_grants(user) if g.role == Role.RESIDENT and g.area_path]
        profile.area_path = min(paths, key=len) if paths else ""
    return profile


def _reaches(grant_path: str, survey_path: str) -> bool:
    return bool(grant_path) and (grant_path.startswith(survey_path) or survey_path.startswith(grant_path))


def check_eligible(survey: Survey, user: Any) -> Profile:
    """The respondent's profile if they may answer ``survey``; raises otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise SurveyError(E.NOT_ELIGIBLE)
    profile = profile_of(user)
    if survey.target_roles:
        if not any(
            g.role in survey.target_roles and _reaches(g.area_path, survey.area_path) for g in active_grants(user)
        ):
            raise SurveyError(E.NOT_ELIGIBLE)
    elif not (getattr(user, "kind", "") == "resident" and profile.area_path.startswith(survey.area_path)):
        raise SurveyError(E.NOT_ELIGIBLE)
    if survey.requires_verified and profile.resident is None:
        raise SurveyError(E.NOT_VERIFIED)
    if survey.target_tags and not profile.tags.intersection(survey.target_tags):
        raise SurveyError(E.NOT_ELIGIBLE)
    if survey.target_min_age is not None or survey.target_max_age is not None:
        if profile.age is None:
            raise SurveyError(E.NOT_ELIGIBLE)
        if survey.target_min_age is not None and profile.age < survey.target_min_age:
            raise SurveyError(E.NOT_ELIGIBLE)
        if survey.target_max_age is not None and profile.age > survey.target_max_age:
            raise SurveyError(E.NOT_ELIGIBLE)
    if survey.unit == ResponseUnit.HOUSEHOLD and profile.household_id is None:
        raise SurveyError(E.NO_HOUSEHOLD)
    return profile


def token_for(survey: Survey, profile: Profile) -> str:
    if survey.unit == ResponseUnit.HOUSEHOLD:
        assert profile.household_id is not None
        return response_token(survey, "household", profile.household_id)
    return response_token(survey, "user", profile.user.pk)


def has_responded(survey: Survey, user: Any) -> bool:
    """Whether the user (or their household) has answered — for the respondent's own page."""
    from gongzhi.participation.surveys.models import Response

    try:
        profile = check_eligible(survey, user)
    except SurveyError:
        return False
    return Response.objects.filter(survey=survey, token=token_for(survey, profile)).exists()
