"""Roles (DESIGN §1). A role is always granted on an organisation and an area subtree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    STREET_OFFICIAL = "street_official", _("街道干部")
    DISTRICT_OFFICIAL = "district_official", _("区级干部")
    DEPARTMENT_HANDLER = "department_handler", _("职能部门承办人")
    PROPERTY_STAFF = "property_staff", _("物业公司人员")
    OWNERS_COMMITTEE = "owners_committee", _("业委会成员")
    SOCIAL_ORG_STAFF = "social_org_staff", _("社会组织人员")
    ENTERPRISE_STAFF = "enterprise_staff", _("驻区单位人员")
    VOLUNTEER_LEADER = "volunteer_leader", _("志愿队负责人")
    POLICE_LIAISON = "police_liaison", _("派出所联络员")
    EVALUATOR = "evaluator", _("第三方评估员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全保密管理员")
    AUDIT_ADMIN = "audit_admin", _("安全审计员")


class ScopeMode(models.TextChoices):
    """How a grant limits rows: by the area subtree alone, or by the organisation within it."""

    AREA = "area", _("area subtree")
    ORGANISATION = "organisation", _("organisation within area")


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
