"""The core app and the DomainConfig base that every domain's AppConfig extends."""

from __future__ import annotations

from typing import ClassVar

from django.apps import AppConfig, apps


class DomainConfig(AppConfig):
    """An AppConfig that is also the domain's manifest.

    ``role_permissions`` maps a role value (see ``gongzhi.access.choices.Role``) to the
    permission codenames (``"<verb>_<model>"``) that the role holds in this domain. The
    access layer collects these at start-up, so a domain declares who may do what in
    one place. ``audit_redacted_fields`` names fields that never appear in audit diffs.
    """

    default_auto_field = "django.db.models.BigAutoField"
    role_permissions: ClassVar[dict[str, list[str]]] = {}
    domain_doc: ClassVar[str] = ""
    #: Where the domain's UI (``<app>/urls.py``, if any) is mounted; defaults to the label
    #: with underscores as hyphens, e.g. ``work_orders`` → ``/work-orders/``.
    url_prefix: ClassVar[str | None] = None

    def ui_prefix(self) -> str:
        return self.url_prefix if self.url_prefix is not None else self.label.replace("_", "-") + "/"

    def warm_up(self) -> None:
        """Load, at server start-up (``gongzhi.core.runtime.warm_up``), what the domain's
        first request would otherwise load: no database access here (the process may start
        before the database is reachable). Nothing by default."""


def domain_configs() -> list[DomainConfig]:
    """All installed domain manifests, in INSTALLED_APPS order."""
    return [c for c in apps.get_app_configs() if isinstance(c, DomainConfig)]


class CoreConfig(AppConfig):
    # This module defines two AppConfig subclasses (DomainConfig is imported by every domain),
    # so Django picks neither unless one says it is the default: without this line the core
    # app got a plain AppConfig and ready() below never ran (no in-process scheduler).
    default = True
    name = "gongzhi.core"
    label = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gongzhi.core import runtime, scheduler

        runtime.cache_statement_conversion()

        scheduler.start_if_configured()
