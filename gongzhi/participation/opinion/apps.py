from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


def _op(model: str, *verbs: str) -> list[str]:
    return [f"{verb}_{model}" for verb in verbs]


STAFF = _op("conversation", "view", "add", "manage", "moderate", "propose")


def _holds(user: Any, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"participation_opinion.{perm}"))


class OpinionConfig(DomainConfig):
    """Opinion maps for contested questions (Polis method)."""

    default = True
    name = "gongzhi.participation.opinion"
    label = "participation_opinion"
    verbose_name = _("Opinion maps")
    domain_doc = "docs/domains/participation.md"
    url_prefix = "participation/opinion/"
    role_permissions = {
        "resident": _op("conversation", "view", "vote", "propose"),
        "grid_worker": _op("conversation", "view"),
        "community_worker": STAFF,
        "street_official": STAFF,
        "district_official": _op("conversation", "view"),
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.participation.opinion.models import Conversation
        from gongzhi.territory.paths import register_path_field

        register_path_field(Conversation, "area_path")
        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")
        web.register_nav(
            section="resident_services",
            key="opinion",
            label=_("Opinion maps"),
            description=_("Agree or disagree with your neighbours' statements and see where opinions stand"),
            url_name="participation_opinion:list",
            visible=lambda user: True,
            icon="pie",
            order=41,
        )
        web.register_nav(
            section="console",
            key="opinion",
            label=_("Opinion maps"),
            url_name="participation_opinion:list",
            visible=lambda user: _holds(user, "manage_conversation"),
            order=61,
            icon="pie",
        )
