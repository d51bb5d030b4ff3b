"""Roles (DESIGN §1). A role is always granted on an organisation and an area subtree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    STREET_OFFICIAL = "street_official", _("Street official")
    DISTRICT_OFFICIAL = "district_official", _("District official")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    PROPERTY_STAFF = "property_staff", _("Property company staff")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee member")
    SOCIAL_ORG_STAFF = "social_org_staff", _("Social organisation staff")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff")
    VOLUNTEER_LEADER = "volunteer_leader", _("Volunteer team leader")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    EVALUATOR = "evaluator", _("Third-party evaluator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class ScopeMode(models.TextChoices):
    """How a grant limits rows: by the area subtree, by the organisation within it, or not at all
    (the three administrators, whose grants have no area; their permissions limit them instead)."""

    AREA = "area", _("area subtree")
    ORGANISATION = "organisation", _("organisation within area")
    SYSTEM = "system", _("system-wide")


#: The three administrators (三员分立): none may hold another's role or do its work.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

#: Roles that see rows of their organisation only (when the model knows its organisation).
ORGANISATION_SCOPED_ROLES = frozenset(
    {
        Role.DEPARTMENT_HANDLER,
        Role.PROPERTY_STAFF,
        Role.OWNERS_COMMITTEE,
        Role.SOCIAL_ORG_STAFF,
        Role.ENTERPRISE_STAFF,
        Role.VOLUNTEER_LEADER,
        Role.POLICE_LIAISON,
    }
)

STAFF_ROLES = frozenset(set(Role) - {Role.RESIDENT})
