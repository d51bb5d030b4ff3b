from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The UI shell. Domains add menu entries with ``apps.get_app_config("web").register_nav(...)``
    in their own ``ready`` (they may not import gongzhi.web); see gongzhi/web/navigation.py."""

    name = "gongzhi.web"
    label = "web"
    verbose_name = _("Web UI")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gongzhi.web import navigation

        navigation.register_defaults(navigation.registry)

    def register_nav(self, **entry: Any) -> Any:
        """Register a navigation entry; keyword arguments of ``NavigationRegistry.register``."""
        from gongzhi.web import navigation

        return navigation.registry.register(**entry)
