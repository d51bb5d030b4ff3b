from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.IntegerChoices):
    CITY = 1, _("市")
    DISTRICT = 2, _("区")
    STREET = 3, _("街道")
    COMMUNITY = 4, _("社区")
    GRID = 5, _("网格")


class CommunityType(models.TextChoices):
    OLD_RESIDENTIAL = "old_residential", _("老旧小区")
    COMMODITY_HOUSING = "commodity_housing", _("新建商品房")
    URBAN_RURAL_FRINGE = "urban_rural_fringe", _("城乡结合部")
    URBAN_VILLAGE = "urban_village", _("城中村")
    RESETTLEMENT = "resettlement", _("安置小区")
    WORK_UNIT = "work_unit", _("单位大院")
    MIXED = "mixed", _("混合型")


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商业")
    MIXED = "mixed", _("商住混合")
    PUBLIC = "public", _("公共服务")
    OTHER = "other", _("其他")
