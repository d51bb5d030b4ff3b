from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.apps import DomainConfig

#: Staff who dispatch and supervise see hot spots and alerts and acknowledge alerts.
WATCHERS = ["view_hotspot", "view_textalert", "acknowledge_textalert", "view_orderinsight"]


def _holds(user: Any, perm: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.access.queries import grants_with_permission

    return bool(grants_with_permission(user, f"text.{perm}"))


class TextConfig(DomainConfig):
    """Chinese text intelligence (issue 7): classification and routing suggestions, urgency
    cues, duplicate candidates, hot spots, reply checks and redaction."""

    default = True
    name = "gongzhi.text"
    label = "text"
    verbose_name = _("Text intelligence")
    domain_doc = "docs/domains/text.md"
    role_permissions = {
        "grid_worker": WATCHERS,
        "community_worker": WATCHERS,
        "street_official": WATCHERS,
        "district_official": WATCHERS,
        "system_admin": ["view_textmodel", "add_textmodel", "change_textmodel"],
    }

    def warm_up(self) -> None:
        # The segmenter's dictionary (about 0.16 s): intake analysis and "similar requests" use it.
        from gongzhi.text.engine.tokenise import get_tokenizer

        get_tokenizer()

    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        from gongzhi.notifications.registry import register_group
        from gongzhi.privacy.redaction import register_redactor
        from gongzhi.text import panels, queries
        from gongzhi.text.engine.redact import redact
        from gongzhi.work_orders import extensions

        register_group("text", _("Text intelligence"), kinds={"text.urgent": _("Urgent message at intake")})
        # Public text (board, Open311) also loses licence plates, bank cards and exact addresses.
        register_redactor("text", redact)

        extensions.register_intake_hook("text", panels.after_intake)
        # Residents see open board requests about the same problem while they report ("me too").
        extensions.register_similar_finder(queries.duplicate_candidates)
        extensions.register_order_panel("text_insight", panels.insight_panel, slot="side", order=10)
        extensions.register_order_panel("text_reply_check", panels.reply_check_widget, slot="step_reply", order=10)

        if not apps.is_installed("gongzhi.web"):
            return
        web: Any = apps.get_app_config("web")  # WebConfig, which domains may not import
        web.register_nav(
            section="console",
            key="text_hotspots",
            label=_("Hot spots"),
            url_name="text:hotspots",
            visible=lambda user: _holds(user, "view_hotspot"),
            order=25,
            icon="flame",
        )
        web.register_nav(
            section="console",
            key="text_alerts",
            label=_("Text alerts"),
            url_name="text:alerts",
            visible=lambda user: _holds(user, "view_textalert"),
            order=26,
            icon="alert",
        )
        web.register_nav(
            section="console",
            key="text_models",
            label=_("Classification models"),
            url_name="text:models",
            visible=lambda user: _holds(user, "view_textmodel"),
            order=90,
            icon="settings",
            elder=False,
        )
