"""The API root: each domain contributes ``<domain>/api/urls.py`` with a ``router``."""

from __future__ import annotations

from importlib import import_module

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gongzhi.api.routing import DomainRoutes
from gongzhi.core.apps import domain_configs

app_name = "api"


def _domain_patterns() -> list:
    patterns = []
    for config in domain_configs():
        try:
            module = import_module(f"{config.name}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{config.name}.api", f"{config.name}.api.urls"):
                raise
            continue
        patterns.append(DomainRoutes(module.urlpatterns))
    return patterns


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *_domain_patterns(),
]
