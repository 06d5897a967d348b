"""The ASGI application: what ``motcua serve`` runs under uvicorn.

Pages and the API are the same Django views as under WSGI; the calling display's event stream
(``queue.display_views.display_events``) needs ASGI, where an open connection costs a coroutine
rather than a thread.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_asgi_application()
