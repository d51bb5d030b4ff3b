from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

_CONSENT = ["view_consent", "add_consent", "withdraw_consent", "view_privacynotice"]


class PrivacyConfig(DomainConfig):
    """Encryption, masking, reveal log, consent. A low-level service: imports no territory or residents."""

    default = True
    name = "gongzhi.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
    domain_doc = "docs/privacy.md"
    role_permissions = {
        "resident": ["view_privacynotice"],
        "grid_worker": _CONSENT,
        "community_worker": [*_CONSENT, "view_reveallog"],
        "street_official": ["view_consent", "view_privacynotice", "view_reveallog"],
        "district_official": ["view_privacynotice", "view_reveallog"],
        "system_admin": ["view_privacynotice", "add_privacynotice"],
        "security_admin": ["view_keyrotationrun", "rotate_keyrotationrun", "view_reveallog"],
        "audit_admin": ["view_reveallog"],
    }
