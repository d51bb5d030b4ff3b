"""Meeting and owners' vote pages, mounted at /participation/meetings/."""

from django.urls import path

from gongzhi.participation.meetings import views

app_name = "participation_meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.new_meeting, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:verb>/", views.meeting_act, name="act"),
    path("<int:pk>/check-in/<str:token>/", views.check_in, name="check_in"),
    path("votes/new/", views.new_vote, name="new_vote"),
    path("owners/", views.owner_roll, name="roll"),
    path("owners/<int:pk>/transfer/", views.owner_transfer, name="owner_transfer"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/act/<slug:verb>/", views.vote_act, name="vote_act"),
]
