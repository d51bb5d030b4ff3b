"""Root URLs. Each domain's UI (``gongzhi/<domain>/urls.py``) and API
(``gongzhi/<domain>/api/urls.py``) are found from the DomainConfig manifests."""

from importlib import import_module

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gongzhi.core import health
from gongzhi.core.apps import domain_configs


def _domain_ui_patterns() -> list:
    patterns = []
    for config in domain_configs():
        try:
            import_module(f"{config.name}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.urls":
                raise
            continue
        patterns.append(path(config.ui_prefix(), include(f"{config.name}.urls")))
    return patterns


if settings.GONGZHI_REQUIRE_STAFF_2FA:
    # The admin then demands a verified second factor too, not only the console.
    from django_otp.admin import OTPAdminSite

    admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/", include("gongzhi.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    *_domain_ui_patterns(),
    path("", include("gongzhi.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "gongzhi.web.views.errors.bad_request"
handler403 = "gongzhi.web.views.errors.permission_denied"
handler404 = "gongzhi.web.views.errors.page_not_found"
handler500 = "gongzhi.web.views.errors.server_error"
