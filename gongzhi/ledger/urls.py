from django.urls import path

from gongzhi.ledger import views

app_name = "ledger"
urlpatterns = [path("verify/", views.verify_record, name="verify")]
