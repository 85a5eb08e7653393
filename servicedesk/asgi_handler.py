"""Django's ASGI handler with the middleware chain run as one synchronous call per request.

Under ASGI, Django runs each middleware that supports both modes in async mode, and such a middleware
then calls each of its sync hooks (`process_request`, `process_response`) through `sync_to_async`: on
our stack that is some twenty thread hand-offs per request, about 8 ms of CPU on the queue page, a
third of its own work. All our middleware and views are synchronous, so this handler builds the chain
in sync mode and enters it once, through one `sync_to_async`, as a WSGI server would. Websockets do
not pass through here (channels routes them).
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
