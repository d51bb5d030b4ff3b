from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class CalendarErrorCode(StrEnum):
    DAY_NOT_FOUND = "calendar_day_not_found"


class WorkcalError(DomainError):
    http_status = 409
    messages = {CalendarErrorCode.DAY_NOT_FOUND.value: str(_("This day is not in the holiday calendar."))}
