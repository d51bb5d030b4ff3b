from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class AccessConfig(DomainConfig):
    default = True
    name = "gongzhi.access"
    label = "access"
    verbose_name = _("Roles and access")
    role_permissions = {
        "security_admin": ["view_rolegrant", "add_rolegrant", "revoke_rolegrant"],
    }

    def ready(self) -> None:
        from gongzhi.access.scope import GrantScopeProvider
        from gongzhi.core import scoping

        scoping.register_provider(GrantScopeProvider())
