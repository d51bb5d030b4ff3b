"""Test URLconf: the project's URLs plus the residents pages (see the report on gongzhi/urls.py)."""

from django.urls import include, path

from gongzhi.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *[p for p in project_urlpatterns if getattr(p, "pattern", None) and str(p.pattern) != "residents/"],
    path("residents/", include("gongzhi.residents.urls")),
]
