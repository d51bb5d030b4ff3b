"""Who may do what to households and residents (see docs/domains/residents.md for the table)."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.privacy.choices import ConsentPurpose
from gongzhi.privacy.permissions import holds_at
from gongzhi.privacy.queries import has_consent
from gongzhi.residents.choices import AgreementStatus, ImportStatus, PoliceRequestStatus, RequestStatus, ReviewStatus
from gongzhi.residents.models import (
    DataSubjectRequest,
    HealthFile,
    Household,
    ImportBatch,
    ImportProfile,
    ImportReview,
    PoliceRequest,
    Resident,
    ResidentTag,
    SharingAgreement,
    Visit,
)

__all__ = [
    "DataSubjectRequestPolicy",
    "HouseholdPolicy",
    "ImportBatchPolicy",
    "ImportProfilePolicy",
    "ImportReviewPolicy",
    "PoliceRequestPolicy",
    "ResidentPolicy",
    "SharingAgreementPolicy",
    "TagPolicy",
    "VisitPolicy",
    "holds_at",
]


def holds_for_organisation(user: Any, perm: str, organisation_id: int, area_path: str) -> bool:
    """``user`` holds ``perm`` through a grant on that organisation reaching ``area_path``."""
    return any(
        g.organisation_id == organisation_id and area_path.startswith(g.area_path)
        for g in grants_with_permission(user, perm)
    )


class HouseholdPolicy(Policy):
    model = Household

    @classmethod
    def can_add_at(cls, user: Any, area_path: str) -> bool:
        return holds_at(user, "residents.add_household", area_path)

    @classmethod
    def can_move_in(cls, user: Any, obj: Household | None) -> bool:
        if obj is None:
            return cls.has_permission(user, "add_householdmembership")
        return obj.is_active and holds_at(user, "residents.add_householdmembership", obj.area_path)

    @classmethod
    def can_change(cls, user: Any, obj: Household | None) -> bool:
        if obj is None:
            return cls.has_permission(user, "change")
        return holds_at(user, "residents.change_household", obj.area_path)


class ResidentPolicy(Policy):
    model = Resident

    @classmethod
    def can_add_at(cls, user: Any, area_path: str) -> bool:
        return holds_at(user, "residents.add_resident", area_path)

    @classmethod
    def can_change(cls, user: Any, obj: Resident | None) -> bool:
        if obj is None:
            return cls.has_permission(user, "change")
        return obj.anonymised_at is None and holds_at(user, "residents.change_resident", obj.area_path)

    @classmethod
    def can_reveal(cls, user: Any, obj: Resident | None) -> bool:
        if obj is None:
            return False
        return obj.anonymised_at is None and holds_at(user, "residents.reveal_resident", obj.area_path)

    @classmethod
    def can_identify(cls, user: Any, obj: Resident) -> bool:
        """May see the real name (others see 张*). The person themself always may."""
        return obj.user_id == getattr(user, "pk", None) or holds_at(user, "residents.identify_resident", obj.area_path)

    @classmethod
    def can_export(cls, user: Any, obj: Resident | None) -> bool:
        """A copy of everything held (PIPL art. 45): the person themself, or staff answering requests."""
        if obj is None:
            return False
        return obj.user_id == getattr(user, "pk", None) or holds_at(user, "residents.export_resident", obj.area_path)

    @classmethod
    def can_audit_access(cls, user: Any, obj: Resident | None) -> bool:
        """Who read or received this person's data: the person, or staff who may read the reveal log."""
        if obj is None:
            return False
        return obj.user_id == getattr(user, "pk", None) or holds_at(user, "privacy.view_reveallog", obj.area_path)

    @classmethod
    def can_hold(cls, user: Any, obj: Resident | None) -> bool:
        """Put under (or release from) legal hold, which stops retention and deletion."""
        return obj is not None and holds_at(user, "residents.hold_resident", obj.area_path)

    @classmethod
    def can_tag(cls, user: Any, obj: Resident | None) -> bool:
        return (
            obj is not None and obj.anonymised_at is None and holds_at(user, "residents.add_residenttag", obj.area_path)
        )

    @classmethod
    def can_consent(cls, user: Any, obj: Resident | None) -> bool:
        return obj is not None and obj.anonymised_at is None and holds_at(user, "privacy.add_consent", obj.area_path)

    @classmethod
    def can_view_health(cls, user: Any, obj: Resident | None) -> bool:
        """Health data: a separate permission, and only while the person's consent stands."""
        return (
            obj is not None
            and holds_at(user, "residents.view_healthfile", obj.area_path)
            and has_consent(obj, ConsentPurpose.HEALTH)
        )

    @classmethod
    def can_save_health(cls, user: Any, obj: Resident | None) -> bool:
        # Consent is checked by the action (with its own error code), not here.
        return (
            obj is not None and obj.anonymised_at is None and holds_at(user, "residents.add_healthfile", obj.area_path)
        )


class TagPolicy(Policy):
    model = ResidentTag

    @classmethod
    def can_remove(cls, user: Any, obj: ResidentTag | None) -> bool:
        return obj is not None and holds_at(user, "residents.remove_residenttag", obj.area_path)


class VisitPolicy(Policy):
    model = Visit

    @classmethod
    def can_complete(cls, user: Any, obj: Visit | None) -> bool:
        return obj is not None and holds_at(user, "residents.change_visit", obj.area_path)


class HealthFilePolicy(Policy):
    model = HealthFile


class DataSubjectRequestPolicy(Policy):
    model = DataSubjectRequest

    @classmethod
    def can_handle(cls, user: Any, obj: DataSubjectRequest | None) -> bool:
        return (
            obj is not None
            and obj.status == RequestStatus.OPEN
            and holds_at(user, "residents.handle_datasubjectrequest", obj.area_path)
        )


class SharingAgreementPolicy(Policy):
    model = SharingAgreement

    @classmethod
    def can_approve(cls, user: Any, obj: SharingAgreement | None) -> bool:
        return (
            obj is not None
            and obj.status == AgreementStatus.DRAFT
            and holds_at(user, "residents.approve_sharingagreement", obj.area_path)
        )

    @classmethod
    def can_revoke(cls, user: Any, obj: SharingAgreement | None) -> bool:
        return (
            obj is not None
            and obj.status != AgreementStatus.REVOKED
            and holds_at(user, "residents.revoke_sharingagreement", obj.area_path)
        )

    @classmethod
    def can_use(cls, user: Any, obj: SharingAgreement | None) -> bool:
        """Only staff of the agreement's own organisation receive data under it."""
        return obj is not None and holds_for_organisation(
            user, "residents.use_sharingagreement", obj.organisation_id, obj.area_path
        )


class PoliceRequestPolicy(Policy):
    model = PoliceRequest

    @classmethod
    def can_approve(cls, user: Any, obj: PoliceRequest | None) -> bool:
        return (
            obj is not None
            and obj.status == PoliceRequestStatus.PENDING
            and holds_at(user, "residents.approve_policerequest", obj.area_path)
        )

    @classmethod
    def can_use(cls, user: Any, obj: PoliceRequest | None) -> bool:
        return obj is not None and holds_for_organisation(
            user, "residents.use_policerequest", obj.organisation_id, obj.area_path
        )


class ImportProfilePolicy(Policy):
    model = ImportProfile


class ImportBatchPolicy(Policy):
    model = ImportBatch

    @classmethod
    def can_add_at(cls, user: Any, area_path: str) -> bool:
        return holds_at(user, "residents.add_importbatch", area_path)

    @classmethod
    def can_rollback(cls, user: Any, obj: ImportBatch | None) -> bool:
        """A set that wrote data: committed, or stopped part-way (running from the command
        line, failed or cancelled); not a dry run, not a queued set (cancel that)."""
        return (
            obj is not None
            and obj.status
            in (ImportStatus.RUNNING, ImportStatus.COMMITTED, ImportStatus.FAILED, ImportStatus.CANCELLED)
            and not obj.dry_run
            and holds_at(user, "residents.rollback_importbatch", obj.area_path)
        )

    @classmethod
    def can_cancel(cls, user: Any, obj: ImportBatch | None) -> bool:
        """Queued or running: whoever may import into the set's grid."""
        return obj is not None and obj.is_active and holds_at(user, "residents.add_importbatch", obj.area_path)

    @classmethod
    def can_resume(cls, user: Any, obj: ImportBatch | None) -> bool:
        """A failed set whose upload is still kept."""
        return (
            obj is not None
            and obj.status == ImportStatus.FAILED
            and bool(obj.upload)
            and holds_at(user, "residents.add_importbatch", obj.area_path)
        )


class ImportReviewPolicy(Policy):
    model = ImportReview

    @classmethod
    def can_resolve(cls, user: Any, obj: ImportReview | None) -> bool:
        return (
            obj is not None
            and obj.status == ReviewStatus.PENDING
            and holds_at(user, "residents.resolve_importreview", obj.area_path)
        )
