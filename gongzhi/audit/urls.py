from django.urls import path

from gongzhi.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.change_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("<int:pk>/", views.change_detail, name="detail"),
]
