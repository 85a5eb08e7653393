"""WSGI entry point, for HTTP-only deployments (websockets need the ASGI application)."""

import os

from django.core.wsgi import get_wsgi_application

from servicedesk.startup import run_or_explain

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

application = run_or_explain(get_wsgi_application)
