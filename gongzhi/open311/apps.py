from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class Open311Config(DomainConfig):
    """Open311 GeoReport v2 (docs/domains/open311.md): other systems file and read requests."""

    default = True
    name = "gongzhi.open311"
    label = "open311"
    verbose_name = _("Open311 GeoReport v2")
    domain_doc = "docs/domains/open311.md"
    #: The GeoReport endpoints (``gongzhi/open311/urls.py``) are the whole interface.
    url_prefix = "open311/v2/"
    role_permissions = {
        "system_admin": ["view_open311client", "add_open311client", "change_open311client"],
    }
