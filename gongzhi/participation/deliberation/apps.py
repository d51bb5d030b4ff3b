from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

PREFIX = "participation_deliberation"

#: What residents do in processes of their area (eligibility is checked per process).
RESIDENT = [
    "add_proposal",
    "support_proposal",
    "follow_proposal",
    "add_comment",
    "add_amendment",
    "add_report",
]
#: Grid workers enter proposals, supports and comments for residents without a phone.
PROXY = ["view_process", "view_proposal", "proxy_proposal"]
#: Committee and street staff run processes, answer proposals, moderate and close debates.
ORGANISER = [
    "view_process",
    "add_process",
    "change_process",
    "view_proposal",
    "answer_proposal",
    "proxy_proposal",
    "add_comment",
    "add_debate",
    "change_debate",
    "moderate_process",
]


def _holds(user: Any, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"{PREFIX}.{perm}"))


class DeliberationConfig(DomainConfig):
    """The deliberation hall (议事厅): processes, proposals, debates, moderation (issue 6)."""

    default = True
    name = "gongzhi.participation.deliberation"
    label = PREFIX
    verbose_name = _("Deliberation hall")
    domain_doc = "docs/domains/participation.md"
    url_prefix = "participation/"
    role_permissions = {
        "resident": RESIDENT,
        "grid_worker": PROXY,
        "community_worker": ORGANISER,
        "street_official": sorted({*ORGANISER, "change_sensitiveword"}),
        "district_official": ["view_process", "view_proposal"],
        "system_admin": ["change_sensitiveword"],
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.notifications.registry import register_group

        register_group(
            "deliberation",
            _("Deliberation hall"),
            kinds={
                "deliberation.proposal": _("Support and answers for proposals you follow"),
                "deliberation.reply": _("Replies to your comments"),
                "deliberation.amendment": _("Amendments to your proposals"),
            },
        )

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")  # the web app's config offers register_nav
        web.register_nav(
            section="console",
            key="participation_hall",
            label=_("Deliberation hall"),
            url_name="participation_deliberation:processes",
            visible=lambda user: _holds(user, "view_process"),
            order=40,
            icon="chat",
        )
        web.register_nav(
            section="console",
            key="participation_moderation",
            label=_("Moderation"),
            url_name="participation_deliberation:moderation",
            visible=lambda user: _holds(user, "moderate_process") or _holds(user, "change_sensitiveword"),
            order=42,
            icon="bell",
        )
        web.register_nav(
            section="resident_services",
            key="participation_hall",
            label=_("Deliberation hall"),
            description=_("Make proposals, support them and debate"),
            url_name="participation_deliberation:processes",
            visible=lambda user: True,
            icon="chat",
            order=40,
        )
