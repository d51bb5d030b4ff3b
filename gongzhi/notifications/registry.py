"""Kind groups: the unit of a user's preferences.

A notice's ``kind`` is ``"<group>.<name>"`` (``"work_orders.reminder"``); its group is the part
before the first dot. Domains register their group with a label from ``AppConfig.ready``::

    from gongzhi.notifications.registry import register_group
    register_group("work_orders", _("Requests"), kinds={"work_orders.status": _("Status change")})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class KindGroup:
    key: str
    label: Any
    kinds: dict[str, Any] = field(default_factory=dict)
    #: Whether users may choose the digest or switch the group off (system notices: no).
    configurable: bool = True


_groups: dict[str, KindGroup] = {}


def register_group(
    key: str, label: Any, *, kinds: dict[str, Any] | None = None, configurable: bool = True
) -> KindGroup:
    group = KindGroup(key=key, label=label, kinds=dict(kinds or {}), configurable=configurable)
    _groups[key] = group
    return group


def group_of(kind: str) -> str:
    return kind.split(".", 1)[0]


def groups() -> list[KindGroup]:
    return sorted(_groups.values(), key=lambda g: g.key)


def get_group(key: str) -> KindGroup | None:
    return _groups.get(key)


def kind_label(kind: str) -> Any:
    group = _groups.get(group_of(kind))
    if group is None:
        return kind
    return group.kinds.get(kind, group.label)


register_group("notifications", _("Notices"), kinds={"notifications.digest": _("Daily digest")}, configurable=False)
