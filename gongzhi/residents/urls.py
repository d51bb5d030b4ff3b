from django.urls import path

from gongzhi.residents import views

app_name = "residents"

urlpatterns = [
    path("households/<int:pk>/", views.household_file, name="household_file"),
]
