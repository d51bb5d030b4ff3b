"""Residents models: the register (``registry``) and data-subject requests (``rights``)."""

from gongzhi.residents.models.registry import (
    CHILD_CONSENT_AGE,
    HealthFile,
    Household,
    HouseholdMembership,
    Resident,
    ResidentTag,
    Visit,
    age_on,
)
from gongzhi.residents.models.rights import DataSubjectRequest, RetentionRun

__all__ = [
    "CHILD_CONSENT_AGE",
    "DataSubjectRequest",
    "HealthFile",
    "Household",
    "HouseholdMembership",
    "Resident",
    "ResidentTag",
    "RetentionRun",
    "Visit",
    "age_on",
]
