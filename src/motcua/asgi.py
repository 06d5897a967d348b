"""The ASGI application: what ``motcua serve`` runs under uvicorn.

Pages and the API are the same Django views as under WSGI; the calling display's event stream
(``queue.display_views.display_events``) needs ASGI, where an open connection costs a coroutine
rather than a thread. ``core.asgi_handler`` runs a synchronous view with its middleware in one
call on a request thread that is kept for later requests, so database connections persist
(``DB_CONN_MAX_AGE``) as under a threaded WSGI server.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
django.setup(set_prefix=False)

from motcua.core.asgi_handler import MotcuaASGIHandler  # noqa: E402  (needs the apps ready)

application = MotcuaASGIHandler()
