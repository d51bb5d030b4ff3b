"""WSGI entry point (gunicorn gongzhi.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.base")
application = get_wsgi_application()
