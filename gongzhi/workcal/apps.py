from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


class WorkcalConfig(DomainConfig):
    """The holiday calendar (节假日与调休) that working-day deadlines count on."""

    default = True
    name = "gongzhi.workcal"
    label = "workcal"
    verbose_name = _("Working-day calendar")
    domain_doc = "docs/domains/work_orders.md"
    role_permissions = {
        "system_admin": ["view_calendarday", "change_calendarday", "delete_calendarday"],
        "district_official": ["view_calendarday"],
        "street_official": ["view_calendarday"],
        "community_worker": ["view_calendarday"],
    }

    def ready(self) -> None:
        from gongzhi.core import calendar
        from gongzhi.workcal.queries import load_days

        calendar.register_day_source(load_days)
