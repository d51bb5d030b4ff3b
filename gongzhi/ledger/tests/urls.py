"""Root URLconf plus the public verification page (until gongzhi/urls.py mounts ``ledger/``)."""

from django.urls import include, path

from gongzhi.urls import urlpatterns as root_patterns

urlpatterns = [path("ledger/", include("gongzhi.ledger.urls")), *root_patterns]
