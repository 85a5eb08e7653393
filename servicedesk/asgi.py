"""ASGI entry point: HTTP through Django, websockets through the channels router."""

import gc
import os

import django

from servicedesk.startup import run_or_explain

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")


def _http_application():
    django.setup(set_prefix=False)
    from servicedesk.asgi_handler import SyncChainASGIHandler

    return SyncChainASGIHandler()


# Django must be set up before the routing (and so the consumers and models) is imported.
django_asgi_app = run_or_explain(_http_application)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from servicedesk.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Garbage collection, tuned for a server process (measured: docs/performance.md). Everything imported
# so far lives as long as the process: freeze it out of the collector's generations, so that a full
# collection (a pause in some request) walks only what requests create. A page allocates some 100,000
# objects; collecting the youngest generation every 50,000 instead of every 700 allocations spares
# most collections that would find nothing to free.
gc.freeze()
gc.set_threshold(50_000, 20, 100)
