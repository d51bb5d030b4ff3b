"""Enums of polls and surveys."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ResponseUnit(models.TextChoices):
    """Who may answer once: each resident, or each household (one answer for the family)."""

    RESIDENT = "resident", _("One response per resident")
    HOUSEHOLD = "household", _("One response per household")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RANKING = "ranking", _("Ranking")
    SCALE = "scale", _("Scale")
    MATRIX = "matrix", _("Matrix")
    TEXT = "text", _("Free text")
    FILE = "file", _("File upload")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING, QuestionKind.MATRIX})


class AgeGroup(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    UNDER_18 = "0-17", _("Under 18")
    YOUNG = "18-34", _("18-34")
    MIDDLE = "35-59", _("35-59")
    SENIOR = "60-79", _("60-79")
    ELDER = "80+", _("80 and over")


def age_group(age: int | None) -> str:
    if age is None:
        return AgeGroup.UNKNOWN
    if age < 18:
        return AgeGroup.UNDER_18
    if age < 35:
        return AgeGroup.YOUNG
    if age < 60:
        return AgeGroup.MIDDLE
    if age < 80:
        return AgeGroup.SENIOR
    return AgeGroup.ELDER


class Breakdown(models.TextChoices):
    """Attributes results may be broken down by (nothing finer: see k-anonymity in tally.py)."""

    AREA = "area", _("Grid")
    AGE_GROUP = "age_group", _("Age group")
    GENDER = "gender", _("Gender")
