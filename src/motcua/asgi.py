"""The ASGI application: what ``motcua serve`` runs under uvicorn.

Pages and the API are the same Django views as under WSGI; the calling display's event stream
(``queue.display_views.display_events``) needs ASGI, where an open connection costs a coroutine
rather than a thread.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_asgi_application()


def _no_persistent_connections() -> None:
    """Under ASGI Django runs each request's sync code in a thread of its own, so a connection
    kept open for the next request (DB_CONN_MAX_AGE) would never be reused, only left behind
    with its thread; Django's documentation asks to disable persistent connections there. Each
    request closes its connection when it ends."""
    from django.db import connections

    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


_no_persistent_connections()
