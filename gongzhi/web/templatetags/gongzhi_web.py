"""Template tags of the shell: navigation items and resident tabs."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.web.navigation import NavItem, registry

register = template.Library()

#: The resident portal's bottom tab bar: (key, label, URL name, icon).
RESIDENT_TABS = [
    ("home", _("Home"), "web:home", "home"),
    ("services", _("Services"), "web:services", "services"),
    ("me", _("Me"), "web:me", "user"),
]


@register.simple_tag(takes_context=True)
def nav_items(context: Any, section: str) -> list[NavItem]:
    """``{% nav_items "console" as items %}``: the registry entries this user may see."""
    request = context.get("request")
    if request is None:
        return []
    return registry.items_for(request, section, elder_mode=bool(context.get("elder_mode")))


@register.simple_tag(takes_context=True)
def resident_tabs(context: Any) -> list[NavItem]:
    """``{% resident_tabs as tabs %}``; a page may set ``active_tab`` to pick the current tab."""
    request = context.get("request")
    path = request.path if request is not None else ""
    chosen = context.get("active_tab")
    tabs = []
    for key, label, url_name, icon in RESIDENT_TABS:
        url = reverse(url_name)
        active = key == chosen if chosen else (path == url if url == "/" else path.startswith(url))
        tabs.append(NavItem(key, label, url, icon, "", active))
    return tabs


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """A rate in [0, 1] as a percentage ("87.5%"); "—" when there is no rate (no cases)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.{int(digits)}f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def number_or_dash(value: Any, digits: int = 1) -> str:
    """A number with ``digits`` decimals, or "—" when there is none."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):.{int(digits)}f}"
    except (TypeError, ValueError):
        return "—"
