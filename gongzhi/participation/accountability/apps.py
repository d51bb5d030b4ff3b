from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


def _r(*verbs: str) -> list[str]:
    return [f"{verb}_result" for verb in verbs]


#: Staff who carry results out and report on them (progress, milestones, evidence).
REPORTERS = _r("view", "change", "attach")


def _holds(user: Any, verb: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"participation_accountability.{verb}_result"))


class AccountabilityConfig(DomainConfig):
    """Accountability (信息公开): what was decided becomes a tracked, public result (issue 6)."""

    default = True
    name = "gongzhi.participation.accountability"
    label = "participation_accountability"
    verbose_name = _("Accountability")
    domain_doc = "docs/domains/participation.md"
    url_prefix = "participation/results/"
    # Results are public: everyone may read them without signing in. Grants decide who may
    # report on them (the responsible unit and the committee/street over the area) and who
    # supervises overdue ones.
    role_permissions = {
        "resident": _r("follow"),
        "grid_worker": _r("view"),
        "community_worker": sorted(set(REPORTERS + _r("add", "supervise"))),
        "street_official": sorted(set(REPORTERS + _r("add", "supervise"))),
        "district_official": _r("view", "supervise"),
        "department_handler": REPORTERS,
        "property_staff": REPORTERS,
        "owners_committee": REPORTERS,
        "social_org_staff": REPORTERS,
        "enterprise_staff": REPORTERS,
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.notifications.registry import register_group

        register_group(
            "participation_results",
            _("Decisions being carried out"),
            kinds={"participation_results.update": _("Progress of a result you follow")},
        )

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")  # the web app's config offers register_nav
        web.register_nav(
            section="console",
            key="participation_results",
            label=_("Results"),
            url_name="participation_accountability:console",
            visible=lambda user: _holds(user, "change") or _holds(user, "supervise"),
            order=41,
            icon="building",
        )
        web.register_nav(
            section="resident_services",
            key="participation_results",
            label=_("What was decided"),
            description=_("Follow the progress of decisions and proposals"),
            url_name="participation_accountability:list",
            visible=lambda user: True,
            icon="building",
            order=41,
        )
