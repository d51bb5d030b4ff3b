"""Enums of meetings and owners' votes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    RESIDENTS_COUNCIL = "council", _("Residents' council (居民议事会)")
    REPRESENTATIVES = "representatives", _("Residents' representatives assembly (居民代表大会)")
    OWNERS_ASSEMBLY = "owners", _("Owners' assembly (业主大会)")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("QR sign-in")
    STAFF = "staff", _("Signed in by staff")
    PAPER = "paper", _("Paper sign-in sheet (entered by staff)")


class VoteChoice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class VoteMethod(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper ballot (entered by staff)")
    WRITTEN = "written", _("Written vote (entered by staff)")
    PROXY = "proxy", _("Proxy vote (entered by staff)")


STAFF_METHODS = frozenset({VoteMethod.PAPER, VoteMethod.WRITTEN, VoteMethod.PROXY})


class ResolutionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VOTING = "voting", _("Voting")
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")


class OwnersVoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class OwnersMatter(models.TextChoices):
    """The matters owners decide jointly (Civil Code art. 278, para. 1, items 1-9)."""

    RULES_OF_PROCEDURE = "rules", _("(1) Adopt or amend the rules of procedure of the owners' assembly")
    MANAGEMENT_STATUTE = "statute", _("(2) Adopt or amend the management statute")
    ELECT_COMMITTEE = "committee", _("(3) Elect the owners' committee or replace its members")
    PROPERTY_MANAGER = "manager", _("(4) Engage or dismiss the property service company or other manager")
    USE_MAINTENANCE_FUND = "use_fund", _("(5) Use the maintenance fund of the buildings and their facilities")
    RAISE_MAINTENANCE_FUND = "raise_fund", _("(6) Raise the maintenance fund of the buildings and their facilities")
    REBUILD = "rebuild", _("(7) Renovate or rebuild the buildings and their ancillary facilities")
    COMMON_PARTS_USE = "common_use", _("(8) Change the use of common parts or use common parts for business activities")
    OTHER_MAJOR = "other", _("(9) Other major matters of common ownership and joint management")


#: Items 6-8 need ≥ 3/4 of the participating area and of the participating owners (art. 278, para. 2).
SPECIAL_MATTERS = frozenset({OwnersMatter.RAISE_MAINTENANCE_FUND, OwnersMatter.REBUILD, OwnersMatter.COMMON_PARTS_USE})
