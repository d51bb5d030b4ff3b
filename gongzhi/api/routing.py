"""Resolving API paths without trying every domain's routes.

Each domain's API routes are mounted at ``/api/`` side by side (``gongzhi/api/urls.py``), so
Django resolves ``/api/work-orders/`` by trying every route of every domain listed before
work orders, and builds the "tried" list of each failure: about a tenth of a create
request's Python time under gunicorn (bench/bench_work_orders_intake.py). A
:class:`DomainRoutes` knows the literal beginnings of its routes and answers "no match" at
once for a path that starts like none of them; a domain with a route that has no literal
beginning is always tried. Which view a path resolves to does not change
(``gongzhi/api/tests/test_routing.py`` resolves every route both ways).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

_SPECIAL = set(".^$*+?{}[]\\|()")
_QUANTIFIERS = set("?*{")


def literal_start(pattern: Any) -> tuple[str, bool]:
    """The literal text every path matching ``pattern`` starts with, and whether that text
    is the whole pattern. Unknown pattern kinds start with nothing."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        before = route.split("<", 1)[0]
        return before, before == route
    if isinstance(pattern, RegexPattern):
        regex = pattern.regex.pattern
        body = regex[1:] if regex.startswith("^") else regex
        head: list[str] = []
        for i, char in enumerate(body):
            if char in _SPECIAL:
                break
            if i + 1 < len(body) and body[i + 1] in _QUANTIFIERS:
                break  # this character is optional or repeated
            head.append(char)
        text = "".join(head)
        return text, text == body
    return "", False


def route_starts(patterns: Sequence[URLPattern | URLResolver]) -> tuple[str, ...] | None:
    """The literal beginnings of ``patterns`` (nested includes followed), or None when one
    of them can start with anything."""
    starts: list[str] = []
    for entry in patterns:
        head, whole = literal_start(entry.pattern)
        if isinstance(entry, URLResolver) and whole:
            inner = route_starts(entry.url_patterns)
            if inner is None:
                if not head:
                    return None
                starts.append(head)
            else:
                starts.extend(head + start for start in inner)
        elif head:
            starts.append(head)
        else:
            return None
    return tuple(sorted(set(starts)))


class DomainRoutes(URLResolver):
    """One domain's API routes at the API root (what ``path("", include(patterns))`` gives),
    tried only for paths that begin like one of them."""

    def __init__(self, patterns: Sequence[URLPattern | URLResolver]) -> None:
        super().__init__(RoutePattern("", is_endpoint=False), list(patterns))
        self.starts = route_starts(patterns)

    def resolve(self, path: Any) -> Any:
        if self.starts is not None and not str(path).startswith(self.starts):
            raise Resolver404({"path": path})
        return super().resolve(path)
