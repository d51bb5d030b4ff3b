from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

_READ = ["view_organisation", "view_mattercategory", "view_dutyassignment"]
_MANAGE = [
    "add_organisation",
    "change_organisation",
    "add_dutyassignment",
    "change_dutyassignment",
    "delete_dutyassignment",
]


class OrganisationsConfig(DomainConfig):
    default = True
    name = "gongzhi.organisations"
    label = "organisations"
    verbose_name = _("Organisations")
    domain_doc = "docs/domains/organisations.md"
    role_permissions = {
        "resident": ["view_organisation", "view_mattercategory"],
        "grid_worker": _READ,
        "community_worker": _READ,
        "street_official": _READ + _MANAGE + ["import_organisation"],
        "district_official": _READ,
        "department_handler": _READ,
        "property_staff": _READ,
        "owners_committee": _READ,
        "social_org_staff": _READ,
        "enterprise_staff": _READ,
        "volunteer_leader": _READ,
        "police_liaison": _READ,
        "evaluator": _READ,
        "system_admin": _READ
        + _MANAGE
        + ["import_organisation", "add_mattercategory", "change_mattercategory", "delete_mattercategory"],
    }

    def ready(self) -> None:
        # Territory rewrites these copies of area paths when it moves a subtree.
        from gongzhi.organisations.models import DutyAssignment, Organisation
        from gongzhi.territory.paths import register_path_field

        register_path_field(Organisation, "home_area_path")
        register_path_field(DutyAssignment, "area_path")
