from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


def _sv(*verbs: str) -> list[str]:
    return [f"{verb}_survey" for verb in verbs]


MANAGER = _sv("view", "add", "change", "results", "export", "assist")


def _holds(user: Any, verb: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"participation_surveys.{verb}_survey"))


class SurveysConfig(DomainConfig):
    """Polls and surveys (问卷与投票), part of resident participation (issue 6)."""

    default = True
    name = "gongzhi.participation.surveys"
    label = "participation_surveys"
    verbose_name = _("Polls and surveys")
    domain_doc = "docs/domains/participation.md"
    url_prefix = "participation/surveys/"
    role_permissions = {
        "resident": _sv("view", "respond"),
        "grid_worker": _sv("view", "assist"),
        "community_worker": MANAGER,
        "street_official": MANAGER,
        "district_official": _sv("view", "results", "export"),
        "evaluator": _sv("view", "results"),
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.notifications.registry import register_group

        register_group(
            "participation_surveys",
            _("Polls and surveys"),
            kinds={"participation_surveys.reminder": _("Reminder to answer a survey")},
        )

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")
        web.register_nav(
            section="console",
            key="surveys",
            label=_("Surveys"),
            url_name="participation_surveys:manage",
            visible=lambda user: _holds(user, "view") and getattr(user, "kind", "") != "resident",
            order=40,
            icon="clipboard",
        )
        web.register_nav(
            section="resident_services",
            key="surveys_answer",
            label=_("Polls and surveys"),
            description=_("Have your say on questions in your community"),
            url_name="participation_surveys:list",
            visible=lambda user: user.is_authenticated and user.kind == "resident",
            icon="clipboard",
            order=40,
        )
