from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

_READ = ["view_area", "view_building", "view_unit", "view_room"]
_WRITE = ["add_area", "change_area", "add_building", "change_building", "add_unit", "change_unit", "add_room", "change_room"]


class TerritoryConfig(DomainConfig):
    default = True
    name = "gongzhi.territory"
    label = "territory"
    verbose_name = _("Territory")
    role_permissions = {
        "resident": ["view_area"],
        "grid_worker": _READ + ["add_building", "change_building", "add_unit", "change_unit", "add_room", "change_room"],
        "community_worker": _READ + _WRITE,
        "street_official": _READ + _WRITE + ["import_area"],
        "district_official": _READ,
        "department_handler": _READ,
        "property_staff": _READ,
        "owners_committee": _READ,
        "social_org_staff": ["view_area"],
        "enterprise_staff": ["view_area"],
        "volunteer_leader": ["view_area"],
        "police_liaison": _READ,
        "evaluator": ["view_area"],
        "system_admin": _READ + _WRITE + ["import_area", "delete_area"],
    }
