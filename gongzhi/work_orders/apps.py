from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig


def _wo(*verbs: str) -> list[str]:
    return [f"{verb}_workorder" for verb in verbs]


#: Handling-unit verbs (主办单位): only for orders whose lead unit is the user's organisation.
HANDLER = _wo("view", "sign", "return", "contact", "start", "reply", "request_extension", "attach", "kpi")
#: Dispatcher verbs (受理/派单/回访/办结) over the user's area.
DISPATCHER = _wo(
    "view",
    "add",
    "add_on_behalf",
    "accept",
    "reject",
    "dispatch",
    "transfer",
    "merge",
    "follow_up",
    "close",
    "reopen",
    "review",
    "decide_extension",
    "hold",
    "attach",
    "export",
    "kpi",
    "publish",
)


def _holds(user: Any, verb: str) -> bool:
    """A role grant carries the verb, read from the grants cached on the user: no query per
    page, and no fall-through to Django's model backend (which queries when the answer is no)."""
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"work_orders.{verb}_workorder"))


class WorkOrdersConfig(DomainConfig):
    """Work orders: closed-loop handling of residents' requests (issue 3)."""

    default = True
    name = "gongzhi.work_orders"
    label = "work_orders"
    verbose_name = _("Work orders")
    domain_doc = "docs/domains/work_orders.md"
    # Residents hold "add" only: they see, rate and add photos to their OWN orders through
    # ownership (ScopeSpec.owner), never the orders of their neighbours.
    role_permissions = {
        "resident": _wo("add"),
        "grid_worker": _wo("view", "add", "add_on_behalf", "patrol", "follow_up", "attach", "kpi"),
        "community_worker": sorted(set(DISPATCHER + HANDLER)),
        "street_official": sorted(set(DISPATCHER + HANDLER + _wo("supervise"))),
        "district_official": _wo("view", "supervise", "decide_extension", "export", "kpi"),
        # Third-party evaluators (第三方评估) read the KPIs of their area, never the orders.
        "evaluator": _wo("kpi"),
        "department_handler": HANDLER,
        "property_staff": HANDLER,
        "owners_committee": HANDLER,
        "social_org_staff": HANDLER,
        "enterprise_staff": HANDLER,
        "volunteer_leader": HANDLER,
        "police_liaison": HANDLER,
        "system_admin": [
            "view_deadlinepolicy",
            "add_deadlinepolicy",
            "change_deadlinepolicy",
            "delete_deadlinepolicy",
        ],
    }

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.work_orders import notifications

        notifications.register()

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")
        web.register_nav(
            section="console",
            key="work_orders",
            label=_("Requests"),
            url_name="work_orders:inbox",
            visible=lambda user: _holds(user, "view"),
            order=20,
            icon="services",
        )
        web.register_nav(
            section="console",
            key="work_orders_kpis",
            label=_("Performance dashboard"),
            url_name="work_orders:kpis",
            visible=lambda user: _holds(user, "kpi"),
            order=22,
            icon="chart",
        )
        web.register_nav(
            section="console",
            key="work_orders_new",
            label=_("New request for a resident"),
            url_name="work_orders:staff_new",
            visible=lambda user: _holds(user, "add_on_behalf") or _holds(user, "patrol"),
            order=21,
            icon="chat",
            elder=False,
        )
        web.register_nav(
            section="resident_services",
            key="work_orders_report",
            label=_("Report a problem"),
            description=_("Repairs, safety, environment, help and suggestions"),
            url_name="work_orders:report",
            visible=lambda user: user.is_authenticated and user.kind == "resident",
            icon="wrench",
            order=10,
        )
        web.register_nav(
            section="resident_services",
            key="work_orders_board",
            label=_("Public board"),
            description=_("What neighbours reported and how it was handled"),
            url_name="work_orders:board",
            visible=lambda user: True,
            icon="services",
            order=11,
        )
        web.register_nav(
            section="resident_home",
            key="work_orders_mine",
            label=_("My requests"),
            description=_("Follow and rate what you reported"),
            url_name="work_orders:mine",
            visible=lambda user: user.is_authenticated and user.kind == "resident",
            icon="chat",
            order=10,
        )
