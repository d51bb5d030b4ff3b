"""Organisation policies.

Viewing follows the model's scope (an organisation is visible where it is seated or
where it serves, see ``organisations.models``). Changing is narrower: the organisation's
seat must lie in the actor's change scope, so a street official sees the district
housing bureau that serves their street but cannot edit it.

| verb            | needs                                                                   |
|-----------------|-------------------------------------------------------------------------|
| view            | ``view_organisation`` and the organisation in view scope                 |
| add             | ``add_organisation`` reaching the seat                                  |
| change          | ``change_organisation`` reaching the seat (organisation-scoped roles: own organisation) |
| set served areas| change, and every served area in the actor's change scope               |
| import          | ``import_organisation`` (each row then checked like add/change)         |
| duty add/change/delete | ``<verb>_dutyassignment`` reaching the duty's area (and organisation) |
| category add/change | ``add/change_mattercategory`` (categories are shared reference data) |
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation
from gongzhi.territory.models import Area
from gongzhi.territory.permissions import grant_reaches


class OrganisationPolicy(Policy):
    model = Organisation

    @classmethod
    def can_add_at(cls, user: Any, seat: Area) -> bool:
        return grant_reaches(user, Organisation, "add", seat.path)

    @classmethod
    def can_change(cls, user: Any, org: Organisation | None) -> bool:
        if org is None:
            return cls.has_permission(user, "change")
        return grant_reaches(user, Organisation, "change", org.home_area_path, organisation_id=org.pk)

    @classmethod
    def can_move_to(cls, user: Any, org: Organisation, seat: Area) -> bool:
        return cls.can_change(user, org) and grant_reaches(user, Organisation, "change", seat.path)

    @classmethod
    def can_set_served_areas(cls, user: Any, org: Organisation, areas: Iterable[Area]) -> bool:
        return cls.can_change(user, org) and all(
            grant_reaches(user, Organisation, "change", a.path, organisation_id=org.pk) for a in areas
        )

    @classmethod
    def can_import(cls, user: Any, obj: Any = None) -> bool:
        return cls.has_permission(user, "import")


class MatterCategoryPolicy(Policy):
    model = MatterCategory

    @classmethod
    def can_add(cls, user: Any, obj: Any = None) -> bool:
        return cls.has_permission(user, "add")

    @classmethod
    def can_change(cls, user: Any, category: MatterCategory | None) -> bool:
        return cls.has_permission(user, "change")


class DutyAssignmentPolicy(Policy):
    model = DutyAssignment

    @classmethod
    def can_add_for(cls, user: Any, org: Organisation, area: Area) -> bool:
        return grant_reaches(user, DutyAssignment, "add", area.path, organisation_id=org.pk)

    @classmethod
    def can_change(cls, user: Any, duty: DutyAssignment | None) -> bool:
        if duty is None:
            return cls.has_permission(user, "change")
        return grant_reaches(user, DutyAssignment, "change", duty.area_path, organisation_id=duty.organisation_id)

    @classmethod
    def can_delete(cls, user: Any, duty: DutyAssignment | None) -> bool:
        if duty is None:
            return cls.has_permission(user, "delete")
        return grant_reaches(user, DutyAssignment, "delete", duty.area_path, organisation_id=duty.organisation_id)
