"""Residents models: the register (``registry``) and data-subject requests (``rights``)."""

from gongzhi.residents.models.imports import (
    ImportBatch,
    ImportChange,
    ImportCreatedRange,
    ImportProfile,
    ImportReview,
    ImportRowError,
    ValueLineage,
)
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
from gongzhi.residents.models.sharing import (
    Disclosure,
    PoliceRequest,
    PoliceRequestApproval,
    SharingAgreement,
)

__all__ = [
    "CHILD_CONSENT_AGE",
    "DataSubjectRequest",
    "Disclosure",
    "HealthFile",
    "Household",
    "HouseholdMembership",
    "ImportBatch",
    "ImportChange",
    "ImportCreatedRange",
    "ImportProfile",
    "ImportReview",
    "ImportRowError",
    "PoliceRequest",
    "PoliceRequestApproval",
    "Resident",
    "ResidentTag",
    "RetentionRun",
    "SharingAgreement",
    "ValueLineage",
    "Visit",
    "age_on",
]
