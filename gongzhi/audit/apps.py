from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class AuditConfig(DomainConfig):
    default = True
    name = "gongzhi.audit"
    label = "audit"
    verbose_name = _("Audit")
    role_permissions = {
        "audit_admin": ["view_changerecord", "export_changerecord"],
    }
