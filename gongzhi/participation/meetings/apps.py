from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

CONVENER = [
    "view_meeting",
    "add_meeting",
    "change_meeting",
    "view_resolution",
    "add_resolution",
    "change_resolution",
    "view_owner",
    "add_owner",
    "change_owner",
    "view_ownersvote",
    "add_ownersvote",
    "change_ownersvote",
    "enter_ownersvote",
]


def _holds(user: Any, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"participation_meetings.{perm}"))


class MeetingsConfig(DomainConfig):
    """Meetings, resolutions and statutory owners' votes, part of resident participation (issue 6)."""

    default = True
    name = "gongzhi.participation.meetings"
    label = "participation_meetings"
    verbose_name = _("Meetings and owners' votes")
    domain_doc = "docs/domains/participation.md"
    url_prefix = "participation/meetings/"
    role_permissions = {
        "resident": [
            "view_meeting",
            "attend_meeting",
            "vote_resolution",
            "view_resolution",
            "view_ownersvote",
            "cast_ownersvote",
        ],
        "grid_worker": ["view_meeting", "view_resolution", "view_ownersvote"],
        "community_worker": CONVENER,
        "street_official": CONVENER,
        "owners_committee": ["view_meeting", "view_resolution", "view_owner", "view_ownersvote", "enter_ownersvote"],
        "district_official": ["view_meeting", "view_resolution", "view_ownersvote"],
        "evaluator": ["view_meeting", "view_resolution", "view_ownersvote"],
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.notifications.registry import register_group

        register_group(
            "participation_meetings",
            _("Meetings and votes"),
            kinds={
                "participation_meetings.invitation": _("Invitation to a meeting"),
                "participation_meetings.reminder": _("Reminder before a meeting"),
            },
        )

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")
        web.register_nav(
            section="console",
            key="meetings",
            label=_("Meetings and owners' votes"),
            url_name="participation_meetings:list",
            visible=lambda user: _holds(user, "add_meeting"),
            order=41,
            icon="ballot",
        )
        web.register_nav(
            section="resident_services",
            key="meetings_resident",
            label=_("Meetings and votes"),
            description=_("Meetings of your community and owners' votes"),
            url_name="participation_meetings:list",
            visible=lambda user: user.is_authenticated and user.kind == "resident",
            icon="ballot",
            order=41,
        )
