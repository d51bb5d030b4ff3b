from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


def _pb(model: str, *verbs: str) -> list[str]:
    return [f"{verb}_{model}" for verb in verbs]


STAFF = _pb("budgetprocess", "view", "add", "manage", "vote_on_behalf") + _pb("budgetproject", "view", "review")


def _holds(user: Any, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"participation_budgeting.{perm}"))


class BudgetingConfig(DomainConfig):
    """Participatory budgeting (微实事): proposals, review, voting, counting and results."""

    default = True
    name = "gongzhi.participation.budgeting"
    label = "participation_budgeting"
    verbose_name = _("Participatory budgeting")
    domain_doc = "docs/domains/participation.md"
    url_prefix = "participation/budgeting/"
    role_permissions = {
        "resident": _pb("budgetprocess", "view", "vote", "propose") + _pb("budgetproject", "view"),
        "grid_worker": _pb("budgetprocess", "view", "vote_on_behalf") + _pb("budgetproject", "view"),
        "community_worker": STAFF,
        "street_official": STAFF,
        "district_official": _pb("budgetprocess", "view") + _pb("budgetproject", "view"),
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.participation.budgeting.models import Ballot, BudgetProcess, BudgetProject
        from gongzhi.territory.paths import register_path_field

        register_path_field(BudgetProcess, "area_path")
        register_path_field(BudgetProject, "area_path")
        register_path_field(Ballot, "area_path")
        if apps.is_installed("gongzhi.notifications"):
            from gongzhi.notifications.registry import register_group

            register_group(
                "participation_budgeting",
                _("Community micro-projects"),
                kinds={
                    "participation_budgeting.review": _("Your project was reviewed"),
                    "participation_budgeting.result": _("Results of a round you proposed in"),
                },
            )
        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")
        web.register_nav(
            section="resident_services",
            key="budgeting",
            label=_("Community micro-projects"),
            description=_("Propose and vote on small community projects"),
            url_name="participation_budgeting:list",
            visible=lambda user: True,
            icon="services",
            order=40,
        )
        web.register_nav(
            section="console",
            key="budgeting",
            label=_("Participatory budgeting"),
            url_name="participation_budgeting:list",
            visible=lambda user: _holds(user, "manage_budgetprocess"),
            order=60,
            icon="services",
        )
