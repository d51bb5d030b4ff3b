"""The survey pages, mounted at /participation/surveys/."""

from django.urls import path

from gongzhi.participation.surveys import views

app_name = "participation_surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("manage/", views.survey_list, name="manage"),
    path("public/", views.public_list, name="public"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/export.<str:kind>", views.export_file, name="export"),
    path("<int:pk>/act/<slug:verb>/", views.act, name="act"),
]
