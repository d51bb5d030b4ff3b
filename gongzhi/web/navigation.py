"""The navigation registry: which menu items each shell shows to which user.

Two shells read it: the staff console's side navigation (``Section.CONSOLE``) and the
resident portal (``Section.RESIDENT_SERVICES``: the cards on the 办事 tab, and
``Section.RESIDENT_HOME``: the cards on the resident home page). An entry has a label,
a URL name and a predicate on the user; the shell shows the entries whose predicate
is true, ordered by ``order``.

Domains must not import ``gongzhi.web`` (see the import-linter layers), so they
register through the app registry in their ``AppConfig.ready``::

    def ready(self) -> None:
        if apps.is_installed("gongzhi.web"):
            apps.get_app_config("web").register_nav(
                section="console",
                key="work_orders",
                label=_("Requests"),
                url_name="work_orders:list",
                permission="work_orders.view_workorder",
                order=20,
            )

See docs/ui.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

Predicate = Callable[[Any], bool]


class Section(StrEnum):
    CONSOLE = "console"
    RESIDENT_HOME = "resident_home"
    RESIDENT_SERVICES = "resident_services"


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def has_perm(permission: str) -> Predicate:
    """Predicate: the user holds ``permission`` (``"<app_label>.<verb>_<model>"``)."""

    def check(user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and user.has_perm(permission)

    check.__name__ = f"has_perm_{permission}"
    return check


def django_admin_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


@dataclass(frozen=True)
class NavEntry:
    """One menu item. ``icon`` names a symbol in web/partials/icons.html.

    ``elder`` False hides the entry in elder mode (elder mode shows fewer items).
    ``description`` is a short line shown on cards (resident sections).
    """

    section: Section
    key: str
    label: Any
    url_name: str
    visible: Predicate = signed_in
    order: int = 100
    icon: str = "dot"
    description: Any = ""
    elder: bool = True
    url_kwargs: dict[str, Any] = field(default_factory=dict)

    def url(self) -> str | None:
        try:
            return reverse(self.url_name, kwargs=self.url_kwargs or None)
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class NavItem:
    """A resolved entry, ready for a template."""

    key: str
    label: Any
    url: str
    icon: str
    description: Any
    active: bool


class NavigationRegistry:
    def __init__(self) -> None:
        self._entries: dict[tuple[Section, str], NavEntry] = {}

    def register(
        self,
        *,
        section: str,
        key: str,
        label: Any,
        url_name: str,
        permission: str | None = None,
        visible: Predicate | None = None,
        order: int = 100,
        icon: str = "dot",
        description: Any = "",
        elder: bool = True,
        url_kwargs: dict[str, Any] | None = None,
    ) -> NavEntry:
        """Add (or replace, by ``section`` + ``key``) an entry.

        Give ``permission`` for the common case, or ``visible`` for any predicate on the user.
        """
        if permission and visible:
            raise ValueError("give either permission or visible, not both")
        predicate = has_perm(permission) if permission else (visible or signed_in)
        entry = NavEntry(
            section=Section(section),
            key=key,
            label=label,
            url_name=url_name,
            visible=predicate,
            order=order,
            icon=icon,
            description=description,
            elder=elder,
            url_kwargs=url_kwargs or {},
        )
        self._entries[(entry.section, key)] = entry
        return entry

    def unregister(self, section: str, key: str) -> None:
        self._entries.pop((Section(section), key), None)

    def entries(self, section: str) -> list[NavEntry]:
        wanted = Section(section)
        return sorted((e for e in self._entries.values() if e.section == wanted), key=lambda e: (e.order, e.key))

    def items_for(self, request: Any, section: str, *, elder_mode: bool = False) -> list[NavItem]:
        """Entries of ``section`` the request's user may see, with the current one marked."""
        user = request.user
        path = request.path
        items: list[NavItem] = []
        for entry in self.entries(section):
            if elder_mode and not entry.elder:
                continue
            if not entry.visible(user):
                continue
            url = entry.url()
            if url is None:
                continue
            active = path == url if url == "/" else path.startswith(url)
            items.append(NavItem(entry.key, entry.label, url, entry.icon, entry.description, active))
        return items


registry = NavigationRegistry()


def register_defaults(reg: NavigationRegistry) -> None:
    """The shell's own entries; domains add theirs in their AppConfig.ready."""
    reg.register(
        section=Section.CONSOLE, key="overview", label=_("Overview"), url_name="web:home", order=0, icon="home"
    )
    reg.register(
        section=Section.CONSOLE,
        key="admin",
        label=_("Administration"),
        url_name="admin:index",
        visible=django_admin_user,
        order=900,
        icon="settings",
        elder=False,
    )


def keys(items: Iterable[NavItem]) -> list[str]:
    return [item.key for item in items]
