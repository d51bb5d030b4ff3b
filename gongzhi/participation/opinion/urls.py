from django.urls import path

from gongzhi.participation.opinion import views

app_name = "participation_opinion"

urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("new/", views.conversation_new, name="new"),
    path("<int:pk>/", views.conversation_detail, name="detail"),
    path("<int:pk>/statements/", views.submit, name="submit"),
    path("<int:pk>/compute/", views.compute, name="compute"),
    path("<int:pk>/close/", views.close, name="close"),
    path("statements/<int:pk>/vote/", views.vote, name="vote"),
    path("statements/<int:pk>/moderate/", views.moderate, name="moderate"),
]
