"""Role-administration error codes (三员分立 and grant shape rules)."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class AccessErrorCode(StrEnum):
    NOT_SECURITY_ADMIN = "not_security_admin"
    SELF_GRANT = "self_grant"
    ADMIN_ROLE_EXCLUSIVE = "admin_role_exclusive"
    ADMIN_ROLE_SCOPED = "admin_role_scoped"
    AREA_REQUIRED = "area_required"
    ORGANISATION_REQUIRED = "organisation_required"
    ORGANISATION_NOT_SERVING_AREA = "organisation_not_serving_area"
    ROLE_KIND_MISMATCH = "role_kind_mismatch"
    USER_INACTIVE = "user_inactive"
    ALREADY_GRANTED = "already_granted"
    ALREADY_REVOKED = "already_revoked"
    VALID_UNTIL_PAST = "valid_until_past"


class AccessError(DomainError):
    http_status = 409
    messages = {
        AccessErrorCode.NOT_SECURITY_ADMIN: _("Only the security administrator grants and revokes roles."),
        AccessErrorCode.SELF_GRANT: _("Nobody may grant or revoke their own roles."),
        AccessErrorCode.ADMIN_ROLE_EXCLUSIVE: _(
            "The system, security and audit administrator roles are exclusive: their holder may hold no other role."
        ),
        AccessErrorCode.ADMIN_ROLE_SCOPED: _("Administrator roles are granted without organisation or area."),
        AccessErrorCode.AREA_REQUIRED: _("This role needs an area."),
        AccessErrorCode.ORGANISATION_REQUIRED: _("This role needs an organisation."),
        AccessErrorCode.ORGANISATION_NOT_SERVING_AREA: _("The organisation does not serve this area."),
        AccessErrorCode.ROLE_KIND_MISMATCH: _(
            "Resident accounts hold only the resident role, and staff accounts only staff roles."
        ),
        AccessErrorCode.USER_INACTIVE: _("The account is deactivated."),
        AccessErrorCode.ALREADY_GRANTED: _("The user already holds this role here."),
        AccessErrorCode.ALREADY_REVOKED: _("This grant is already revoked."),
        AccessErrorCode.VALID_UNTIL_PAST: _("The end of validity must be in the future."),
    }
