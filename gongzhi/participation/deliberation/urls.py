"""The deliberation hall pages, mounted at /participation/."""

from django.urls import path

from gongzhi.participation.deliberation import views

app_name = "participation_deliberation"

urlpatterns = [
    path("", views.process_list, name="processes"),
    path("processes/new/", views.create_process, name="process_new"),
    path("processes/<int:pk>/", views.process_detail, name="process"),
    path("processes/<int:pk>/act/<slug:verb>/", views.process_act, name="process_act"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/act/<slug:verb>/", views.proposal_act, name="proposal_act"),
    path("debates/<int:pk>/", views.debate_detail, name="debate"),
    path("debates/<int:pk>/act/<slug:verb>/", views.debate_act, name="debate_act"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<slug:kind>/<int:pk>/<slug:verb>/", views.moderate_act, name="moderate"),
    path("moderation/reports/<int:pk>/dismiss/", views.report_dismiss, name="report_dismiss"),
    path("moderation/words/<slug:verb>/", views.words_act, name="words"),
]
