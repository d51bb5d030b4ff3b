from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district loader (``manage.py seed_demo``). It sits above every domain and
    may import all of them; nothing imports it. It has no models."""

    name = "gongzhi.demo"
    label = "demo"
    verbose_name = "Demo district"
    default_auto_field = "django.db.models.BigAutoField"
