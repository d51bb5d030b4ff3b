from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.IntegerChoices):
    CITY = 1, _("City")
    DISTRICT = 2, _("District")
    STREET = 3, _("Street")
    COMMUNITY = 4, _("Community")
    GRID = 5, _("Grid")


class CommunityType(models.TextChoices):
    OLD_RESIDENTIAL = "old_residential", _("Old residential estate")
    COMMODITY_HOUSING = "commodity_housing", _("New commodity housing")
    URBAN_RURAL_FRINGE = "urban_rural_fringe", _("Urban-rural fringe")
    URBAN_VILLAGE = "urban_village", _("Village in the city")
    RESETTLEMENT = "resettlement", _("Resettlement estate")
    WORK_UNIT = "work_unit", _("Work-unit compound")
    MIXED = "mixed", _("Mixed")


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    MIXED = "mixed", _("Mixed use")
    PUBLIC = "public", _("Public service")
    OTHER = "other", _("Other")
