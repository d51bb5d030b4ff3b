from django.apps import apps
from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class AuditConfig(DomainConfig):
    default = True
    name = "gongzhi.audit"
    label = "audit"
    verbose_name = _("Audit")
    domain_doc = "docs/domains/audit.md"
    role_permissions = {
        "audit_admin": ["view_changerecord", "export_changerecord"],
    }

    def ready(self) -> None:
        if apps.is_installed("gongzhi.web"):
            from gongzhi.audit.permissions import can_view_change_records

            apps.get_app_config("web").register_nav(  # type: ignore[attr-defined]
                section="console",
                key="audit",
                label=_("Audit log"),
                url_name="audit:list",
                visible=can_view_change_records,
                order=850,
                icon="log",
                elder=False,
            )
