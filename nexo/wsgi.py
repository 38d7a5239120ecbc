"""WSGI entry point for gunicorn and `nexo run`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexo.settings")
application = get_wsgi_application()
