from django.urls import path

from gongzhi.web.views import home, preferences, pwa

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("services/", home.services, name="services"),
    path("me/", home.me, name="me"),
    path("preferences/elder-mode/", preferences.elder_mode, name="elder_mode"),
    path("preferences/language/", preferences.set_language, name="set_language"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", pwa.favicon, name="favicon"),
]
