"""The results pages, mounted at /participation/results/."""

from django.urls import path

from gongzhi.participation.accountability import views

app_name = "participation_accountability"

urlpatterns = [
    path("", views.result_list, name="list"),
    path("console/", views.console, name="console"),
    path("overdue/", views.overdue, name="overdue"),
    path("<int:pk>/", views.result_detail, name="detail"),
    path("<int:pk>/act/<slug:verb>/", views.act, name="act"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="evidence"),
]
