"""The API root skips domains whose routes cannot match a path, and resolves every route to
the same view, arguments and name as Django's plain ``path("", include(...))`` does."""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, include, path
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

from gongzhi.api.routing import DomainRoutes, literal_start, route_starts
from gongzhi.core.apps import domain_configs


def _domain_modules() -> list[Any]:
    modules = []
    for config in domain_configs():
        try:
            modules.append(import_module(f"{config.name}.api.urls"))
        except ModuleNotFoundError:
            continue
    return modules


def _leaves(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for entry in patterns:
        text = _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            out += _leaves(entry.url_patterns, prefix + text)
        else:
            out.append((prefix + text, entry))
    return out


def _sample(pattern: Any) -> str:
    """A path that ``pattern`` matches: every captured part becomes 7 (``format`` json)."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "json" if m.group(1) == "format" else "7", str(pattern))
    regex = pattern.regex.pattern.removeprefix("^").removesuffix("$")
    regex = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "json" if m.group(1) == "format" else "7", regex)
    return regex.replace("/?", "/").replace("\\.", ".")


def _match(resolver: URLResolver, url: str) -> tuple[Any, ...] | None:
    try:
        m = resolver.resolve(url)
    except Resolver404:
        return None
    return (m.func, m.args, m.kwargs, m.url_name, m.namespaces, m.route)


def test_every_api_route_resolves_as_with_plain_includes() -> None:
    modules = _domain_modules()
    plain = URLResolver(RoutePattern("api/"), [path("", include(m.urlpatterns)) for m in modules])
    indexed = URLResolver(RoutePattern("api/"), [DomainRoutes(m.urlpatterns) for m in modules])
    samples = [f"api/{url}" for m in modules for url, _ in _leaves(m.urlpatterns)]
    assert len(samples) > 200  # every domain's routes, format suffixes included
    resolved = 0
    for url in samples:
        expected = _match(plain, url)
        assert _match(indexed, url) == expected, url
        resolved += expected is not None
    assert resolved == len(samples)  # every sample really is a route (the test compares matches)
    for url in ("api/", "api/nothing/", "api/work-orders", "api/work-ordersx/", "api/accounts/usersx/"):
        assert _match(plain, url) is None, url
        assert _match(indexed, url) is None, url


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (RegexPattern(r"^work-orders/(?P<pk>[^/.]+)/$"), ("work-orders/", False)),
        (RegexPattern(r"^accounts/users\.(?P<format>[a-z0-9]+)/?$"), ("accounts/users", False)),
        (RegexPattern(r"^colou?r/$"), ("colo", False)),
        (RegexPattern(r"^ab*c/$"), ("a", False)),
        (RegexPattern(r"^x{2}/$"), ("", False)),
        (RegexPattern(r"^(?:a|b)/$"), ("", False)),
        (RegexPattern(r"^"), ("", True)),
        (RegexPattern(r"^text/"), ("text/", True)),
        (RoutePattern("board/<int:pk>/follow/"), ("board/", False)),
        (RoutePattern("ledger/entries"), ("ledger/entries", True)),
        (RoutePattern(""), ("", True)),
    ],
)
def test_literal_start(pattern: Any, expected: tuple[str, bool]) -> None:
    assert literal_start(pattern) == expected


def test_a_domain_with_a_route_that_starts_with_anything_is_always_tried() -> None:
    def view(request: Any) -> None:
        return None

    assert route_starts([path("a/", view), path("<int:pk>/", view)]) is None
    assert route_starts([path("a/", view), path("", include([path("b/", view), path("c/<int:n>/", view)]))]) == (
        "a/",
        "b/",
        "c/",
    )
    routes = DomainRoutes([path("a/", view), path("<int:pk>/", view)])
    assert routes.resolve("7/").kwargs == {"pk": 7}
