from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class LedgerConfig(DomainConfig):
    default = True
    name = "gongzhi.ledger"
    label = "ledger"
    verbose_name = _("Governance ledger")
    domain_doc = "docs/ledger.md"
    role_permissions = {
        # Reading the log is public; these are the administrative verbs.
        "security_admin": ["add_witness", "change_witness", "view_witness"],
        "audit_admin": ["view_ledgeralarm", "view_witness", "erase_personalsalt"],
    }

    def ready(self) -> None:
        from gongzhi.access.observers import register_admin_grant_observer
        from gongzhi.ledger.hooks import log_admin_grant

        register_admin_grant_observer(log_admin_grant)
