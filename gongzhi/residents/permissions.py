"""Who may do what to households and residents (see docs/domains/residents.md for the table)."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.privacy.choices import ConsentPurpose
from gongzhi.privacy.permissions import holds_at
from gongzhi.privacy.queries import has_consent
from gongzhi.residents.choices import RequestStatus
from gongzhi.residents.models import DataSubjectRequest, HealthFile, Household, Resident, ResidentTag, Visit

__all__ = ["DataSubjectRequestPolicy", "HouseholdPolicy", "ResidentPolicy", "TagPolicy", "VisitPolicy", "holds_at"]


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
