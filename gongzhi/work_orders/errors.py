"""Domain errors of work orders, each with a stable code the API returns."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class WorkOrderErrorCode(StrEnum):
    ILLEGAL_TRANSITION = "illegal_transition"
    REASON_REQUIRED = "reason_required"
    NOT_LEAD_UNIT = "not_lead_unit"
    SAME_UNIT = "same_unit"
    UNIT_NOT_SERVING_AREA = "unit_not_serving_area"
    ALREADY_SIGNED = "already_signed"
    ON_HOLD = "on_hold"
    EXTENSION_NOT_ALLOWED = "extension_not_allowed"
    EXTENSION_LIMIT_REACHED = "extension_limit_reached"
    EXTENSION_TOO_LONG = "extension_too_long"
    EXTENSION_AFTER_DEADLINE = "extension_after_deadline"
    NO_EXTENSION_REQUESTED = "no_extension_requested"
    ALREADY_RATED = "already_rated"
    NOT_RATEABLE = "not_rateable"
    NO_REVIEW_PENDING = "no_review_pending"
    MERGE_INTO_SELF = "merge_into_self"
    MASTER_NOT_OPEN = "master_not_open"
    SUPERVISION_NOT_HIGHER = "supervision_not_higher"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_TYPE_NOT_ALLOWED = "attachment_type_not_allowed"
    AREA_NOT_ALLOWED = "area_not_allowed"
    CATEGORY_INACTIVE = "category_inactive"
    CHANNEL_NOT_ALLOWED = "channel_not_allowed"
    CONTACT_REQUIRED = "contact_required"
    NOTHING_TO_DISPATCH = "nothing_to_dispatch"
    NOT_PUBLIC = "not_public"
    FOLLOW_NOT_ALLOWED = "follow_not_allowed"
    FOLLOW_CLOSED = "follow_closed"
    ALREADY_FOLLOWING = "already_following"
    NOT_FOLLOWING = "not_following"


class WorkOrderError(DomainError):
    """A work-order rule was broken (409 unless the rule is about the input: 400/413/415)."""

    http_status = 409
    messages = {
        WorkOrderErrorCode.ILLEGAL_TRANSITION.value: _("This step is not possible in the order's current state."),
        WorkOrderErrorCode.REASON_REQUIRED.value: _("A reason is required."),
        WorkOrderErrorCode.NOT_LEAD_UNIT.value: _("Only the lead unit handling the order may do this."),
        WorkOrderErrorCode.SAME_UNIT.value: _("The order is already with this unit."),
        WorkOrderErrorCode.UNIT_NOT_SERVING_AREA.value: _("This unit does not serve the order's area."),
        WorkOrderErrorCode.ALREADY_SIGNED.value: _("The order was signed for; it can no longer be returned."),
        WorkOrderErrorCode.ON_HOLD.value: _("The order is on hold."),
        WorkOrderErrorCode.EXTENSION_NOT_ALLOWED.value: _("An extension cannot be requested in this state."),
        WorkOrderErrorCode.EXTENSION_LIMIT_REACHED.value: _("No more extensions are allowed for this order."),
        WorkOrderErrorCode.EXTENSION_TOO_LONG.value: _("The extension is longer than allowed."),
        WorkOrderErrorCode.EXTENSION_AFTER_DEADLINE.value: _("Extensions must be requested before the deadline."),
        WorkOrderErrorCode.NO_EXTENSION_REQUESTED.value: _("No extension request is pending."),
        WorkOrderErrorCode.ALREADY_RATED.value: _("This reply has already been rated."),
        WorkOrderErrorCode.NOT_RATEABLE.value: _("Only a replied or closed order can be rated."),
        WorkOrderErrorCode.NO_REVIEW_PENDING.value: _("No dissatisfaction is awaiting review."),
        WorkOrderErrorCode.MERGE_INTO_SELF.value: _("An order cannot be merged into itself."),
        WorkOrderErrorCode.MASTER_NOT_OPEN.value: _("The master order must be open and not merged."),
        WorkOrderErrorCode.SUPERVISION_NOT_HIGHER.value: _("The order is already at this supervision level or higher."),
        WorkOrderErrorCode.TOO_MANY_ATTACHMENTS.value: _("At most 9 attachments per order."),
        WorkOrderErrorCode.ATTACHMENT_TOO_LARGE.value: _("The file is too large."),
        WorkOrderErrorCode.ATTACHMENT_TYPE_NOT_ALLOWED.value: _("This type of file is not accepted."),
        WorkOrderErrorCode.AREA_NOT_ALLOWED.value: _("You cannot file orders for this area."),
        WorkOrderErrorCode.CATEGORY_INACTIVE.value: _("This category is not in use."),
        WorkOrderErrorCode.CHANNEL_NOT_ALLOWED.value: _("You cannot file orders through this channel."),
        WorkOrderErrorCode.CONTACT_REQUIRED.value: _("A contact phone is required for anonymous or proxy reports."),
        WorkOrderErrorCode.NOTHING_TO_DISPATCH.value: _("None of the orders can be dispatched."),
        WorkOrderErrorCode.NOT_PUBLIC.value: _("The resident did not allow this request on the public board."),
        WorkOrderErrorCode.FOLLOW_NOT_ALLOWED.value: _("You cannot follow this request."),
        WorkOrderErrorCode.FOLLOW_CLOSED.value: _("This request is closed; please report the problem again."),
        WorkOrderErrorCode.ALREADY_FOLLOWING.value: _("You already follow this request."),
        WorkOrderErrorCode.NOT_FOLLOWING.value: _("You do not follow this request."),
    }

    INPUT_CODES = frozenset(
        {
            WorkOrderErrorCode.REASON_REQUIRED,
            WorkOrderErrorCode.EXTENSION_TOO_LONG,
            WorkOrderErrorCode.ATTACHMENT_TYPE_NOT_ALLOWED,
            WorkOrderErrorCode.ATTACHMENT_TOO_LARGE,
            WorkOrderErrorCode.CONTACT_REQUIRED,
            WorkOrderErrorCode.CATEGORY_INACTIVE,
            WorkOrderErrorCode.MERGE_INTO_SELF,
            WorkOrderErrorCode.NOT_PUBLIC,
        }
    )

    def __init__(self, code: WorkOrderErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in self.INPUT_CODES:
            self.http_status = 400  # type: ignore[misc]
