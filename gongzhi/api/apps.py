from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gongzhi.api"
    label = "api"
    verbose_name = "API"
