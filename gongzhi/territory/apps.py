from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

_READ = ["view_area", "view_building", "view_unit", "view_room"]
_WRITE = [
    "add_area",
    "change_area",
    "add_building",
    "change_building",
    "add_unit",
    "change_unit",
    "add_room",
    "change_room",
]


class TerritoryConfig(DomainConfig):
    default = True
    name = "gongzhi.territory"
    label = "territory"
    verbose_name = _("Territory")
    domain_doc = "docs/domains/territory.md"
    role_permissions = {
        "resident": ["view_area"],
        "grid_worker": [*_READ, *_WRITE[2:]],  # buildings, units and rooms, not areas
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

    def ready(self) -> None:
        # Copies of area paths that live at or below this layer; domains above
        # territory register their own columns in their ready().
        from gongzhi.access.models import RoleGrant
        from gongzhi.territory.models import Building
        from gongzhi.territory.paths import register_path_field

        register_path_field(Building, "area_path")
        register_path_field(RoleGrant, "area_path")
