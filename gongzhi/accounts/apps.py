from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class AccountsConfig(DomainConfig):
    default = True
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    role_permissions = {
        "system_admin": ["view_user", "add_user", "change_user", "deactivate_user"],
        "security_admin": ["view_user", "unlock_user", "reset_2fa_user"],
    }
