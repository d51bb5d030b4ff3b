from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    GOVERNMENT_DEPARTMENT = "government_department", _("Government department")
    STREET_OFFICE = "street_office", _("Street office")
    RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee")
    PROPERTY_COMPANY = "property_company", _("Property company")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    ENTERPRISE = "enterprise", _("Enterprise")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    POLICE_STATION = "police_station", _("Police station")
    EVALUATOR = "evaluator", _("Third-party evaluator")


class DutyRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    ASSIST = "assist", _("Assisting")
