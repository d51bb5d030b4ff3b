from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class NotificationsConfig(DomainConfig):
    """Notifications: in-app notices, channel preferences, quiet hours and the daily digest.

    Every signed-in user owns their notices and preferences (``ScopeSpec.owner``); no role
    holds a grant here, so nobody sees anyone else's."""

    default = True
    name = "gongzhi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    domain_doc = "docs/domains/notifications.md"
    role_permissions: ClassVar[dict[str, list[str]]] = {}

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")
        web.register_nav(
            section="resident_home",
            key="notifications",
            label=_("Notifications"),
            description=_("Messages about your requests and your community"),
            url_name="notifications:list",
            visible=lambda user: user.is_authenticated and user.kind == "resident",
            icon="chat",
            order=90,
        )
