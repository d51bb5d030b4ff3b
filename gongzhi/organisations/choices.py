from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    GOVERNMENT_DEPARTMENT = "government_department", _("政府职能部门")
    STREET_OFFICE = "street_office", _("街道办事处")
    RESIDENTS_COMMITTEE = "residents_committee", _("居民委员会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    ENTERPRISE = "enterprise", _("驻区企业")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
    POLICE_STATION = "police_station", _("派出所")
    EVALUATOR = "evaluator", _("第三方评估机构")


class DutyRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")
