from django.urls import path

from gongzhi.text import views

app_name = "text"

urlpatterns = [
    path("hotspots/", views.hotspots, name="hotspots"),
    path("hotspots/<int:pk>/", views.hotspot_detail, name="hotspot"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("models/", views.models, name="models"),
    path("models/<int:pk>/activate/", views.activate, name="activate"),
    path("orders/<int:pk>/analyse/", views.analyse, name="analyse"),
    path("orders/<int:pk>/reply-check/", views.reply_check, name="reply_check"),
]
