from django.urls import path

from gongzhi.participation.budgeting import views

app_name = "participation_budgeting"

urlpatterns = [
    path("", views.process_list, name="list"),
    path("new/", views.process_new, name="new"),
    path("<int:pk>/", views.process_detail, name="detail"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/advance/", views.advance, name="advance"),
    path("<int:pk>/tally/", views.tally, name="tally"),
    path("projects/<int:pk>/review/", views.review, name="review"),
]
