from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Not stated")


class Relation(models.TextChoices):
    """Relation to the head of household (与户主关系)."""

    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Non-relative")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered household (hukou)")
    RESIDENT = "resident", _("Permanent resident")
    FLOATING = "floating", _("Floating population")
    TENANT = "tenant", _("Tenant")
    VACANT = "vacant", _("Registered but not living here")


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Home visit")
    APP = "app", _("In the app")
    NONE = "none", _("Do not contact")


class TagKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly")
    DISABLED = "disabled", _("Person with a disability")
    LOW_INCOME = "low_income", _("Minimum living allowance")
    EXTREME_POVERTY = "extreme_poverty", _("Extreme poverty support")
    VETERAN = "veteran", _("Veteran")
    MINOR = "minor", _("Minor needing care")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    PREGNANT = "pregnant", _("Pregnant")
    KEY_CARE = "key_care", _("Key care")
    PARTY_MEMBER = "party_member", _("Party member")
    VOLUNTEER = "volunteer", _("Volunteer")


#: Tags that reveal health or disability (sensitive personal information, PIPL art. 28):
#: setting them needs the person's separate health consent (a guardian's for under-14s).
SENSITIVE_TAGS = frozenset({TagKind.DISABLED, TagKind.PREGNANT})


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")
    CARE = "care", _("Care visit")
    FOLLOW_UP = "follow_up", _("Follow-up")
    EMERGENCY = "emergency", _("Emergency")


class MaskLevel(models.TextChoices):
    FULL_NAME = "full_name", _("Full name, masked identifiers")
    MASKED = "masked", _("Everything masked")


class RequestKind(models.TextChoices):
    """Data-subject rights (PIPL art. 44-47)."""

    ACCESS = "access", _("Copy of my data")
    CORRECTION = "correction", _("Correct my data")
    DELETION = "deletion", _("Delete my data")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REVOKED = "revoked", _("Revoked")


class PoliceRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ShareableField(models.TextChoices):
    """What a sharing agreement or police request may name (minimum necessary, PIPL art. 6)."""

    NAME = "name", _("Name")
    GENDER = "gender", _("Gender")
    BIRTH_YEAR = "birth_year", _("Year of birth")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Household address")
    RESIDENCE_TYPE = "residence_type", _("Residence type")
    TAGS = "tags", _("Care tags")


class ImportSource(models.TextChoices):
    HOUSEHOLD_REGISTER = "household_register", _("Household register extract")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs list")
    HEALTH = "health", _("Health list")
    PROPERTY = "property", _("Property owner list")
    GRID_WORKER = "grid_worker", _("Grid worker spreadsheet")
    OTHER = "other", _("Other source")


class ImportStatus(models.TextChoices):
    """``queued`` waits for a worker; ``running`` writes (``dry_run``: checks only, and stays
    ``dry_run`` once done, with ``finished_at``); ``failed`` stopped with an error (resumable);
    ``cancelled`` was stopped by a person between chunks; what was committed stays until a
    rollback."""

    QUEUED = "queued", _("Queued")
    DRY_RUN = "dry_run", _("Dry run")
    RUNNING = "running", _("Running")
    COMMITTED = "committed", _("Committed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    ROLLED_BACK = "rolled_back", _("Rolled back")


#: Import sets a worker may still pick up or is working on (the page polls while in one).
IMPORT_ACTIVE_STATUSES = frozenset({ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DRY_RUN})


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    MERGED = "merged", _("Merged into the existing person")
    CREATED = "created", _("Registered as a new person")
    DISMISSED = "dismissed", _("Dismissed")


#: Columns an import profile can map (target field -> what it means).
IMPORT_FIELDS = (
    "name", "id_number", "phone", "gender", "date_of_birth", "ethnicity", "occupation", "employer",
    "address", "household_number", "relation", "residence_type",
)  # fmt: skip
