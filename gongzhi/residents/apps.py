from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

_VIEW = ["view_household", "view_resident", "view_householdmembership", "view_residenttag", "view_visit"]
_KEEP = [
    "add_household",
    "change_household",
    "add_resident",
    "change_resident",
    "add_householdmembership",
    "change_householdmembership",
    "add_residenttag",
    "remove_residenttag",
    "add_visit",
    "change_visit",
    "view_healthfile",
    "add_healthfile",
    "change_healthfile",
    # may see residents' real names (others see 张*)
    "identify_resident",
]

# file a data-subject request for a person in scope, see the queue
_RIGHTS = ["view_datasubjectrequest", "add_datasubjectrequest"]
# answer requests: complete (deletion anonymises), refuse with a reason, export a person's data
_HANDLE = ["handle_datasubjectrequest", "export_resident", "hold_resident"]

# import from other sources: profiles, import sets (dry run, rollback), the match review queue
_IMPORT = [
    "view_importprofile",
    "add_importprofile",
    "view_importbatch",
    "add_importbatch",
    "rollback_importbatch",
    "view_importreview",
    "resolve_importreview",
]
# draft, approve (not one's own) and revoke sharing agreements; approve police requests (two needed)
_SHARING_MANAGE = [
    "view_sharingagreement",
    "add_sharingagreement",
    "approve_sharingagreement",
    "revoke_sharingagreement",
    "view_policerequest",
    "approve_policerequest",
]
# an outside organisation's staff: read their agreements and receive the agreed fields
_SHARING_USE = ["view_sharingagreement", "use_sharingagreement"]


class ResidentsConfig(DomainConfig):
    """Households and residents ("一户一案"). Grid workers and committee staff keep the files;
    street and district officials see them masked; nobody outside sees them except through
    privacy sharing agreements. Revealing a full ID number or phone is its own permission."""

    default = True
    name = "gongzhi.residents"
    label = "residents"
    verbose_name = _("Residents and households")
    domain_doc = "docs/domains/residents.md"
    role_permissions = {
        # residents see their own record and requests through owner scope (Resident.user), not a grant
        "resident": ["add_datasubjectrequest"],
        "grid_worker": _VIEW + _KEEP + _RIGHTS,
        "community_worker": [*_VIEW, *_KEEP, *_RIGHTS, *_IMPORT, *_HANDLE, "reveal_resident", "view_sharingagreement"],
        "street_official": [
            *_VIEW,
            *_SHARING_MANAGE,
            *_IMPORT,
            "reveal_resident",
            "view_datasubjectrequest",
            "hold_resident",
        ],
        "district_official": [*_VIEW, *_SHARING_MANAGE],
        "property_staff": _SHARING_USE,
        "department_handler": _SHARING_USE,
        "social_org_staff": _SHARING_USE,
        "police_liaison": ["view_policerequest", "add_policerequest", "use_policerequest"],
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")
        for key, label, url_name, perm, order, icon in (
            (
                "residents_requests",
                _("Data requests"),
                "residents:request_queue",
                "view_datasubjectrequest",
                40,
                "user",
            ),
            (
                "residents_sharing",
                _("Sharing agreements"),
                "residents:agreement_list",
                "view_sharingagreement",
                41,
                "people",
            ),
            (
                "residents_police",
                _("Police data requests"),
                "residents:police_list",
                "view_policerequest",
                42,
                "shield",
            ),
            ("residents_imports", _("Imports"), "residents:import_list", "view_importbatch", 43, "services"),
        ):
            web.register_nav(
                section="console",
                key=key,
                label=label,
                url_name=url_name,
                visible=_holding(f"residents.{perm}"),
                order=order,
                icon=icon,
                elder=False,
            )
        web.register_nav(
            section="resident_home",
            key="residents_my_data",
            label=_("My data"),
            description=_("Download what the community holds about you; ask for a correction or deletion"),
            url_name="residents:my_data",
            visible=lambda user: user.is_authenticated and user.kind == "resident",
            icon="user",
            order=60,
        )


def _holding(perm: str) -> Any:
    """Predicate: a role grant carries ``perm`` (read from the grants cached on the user)."""

    def check(user: Any) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        from gongzhi.access.queries import grants_with_permission

        return bool(grants_with_permission(user, perm))

    return check
