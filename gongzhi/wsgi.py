"""WSGI entry point (gunicorn gongzhi.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.base")
application = get_wsgi_application()

from gongzhi.core.runtime import warm_up  # noqa: E402 (needs the settings configured above)

warm_up()  # import the views now and keep start-up objects out of the garbage collector's scans
