"""Django's ASGI handler with fewer thread hops per request and threads kept between requests.

Nearly every motcua view is synchronous; only the calling display's event stream is a coroutine
(``queue.display_views``). Django's ``ASGIHandler`` builds one middleware chain for both: the
innermost handler is asynchronous, so a chain of synchronous middleware hands the request from
its thread to the event loop and back to the thread for the view (``async_to_sync`` then
``sync_to_async``), and the middleware that can run asynchronously (django-csp, django-axes)
run on the loop with a thread hop for each of their hooks. Each request also got a new thread
(``ThreadSensitiveContext()`` makes a one-thread executor per request), so a database
connection could never outlive its request: ``asgi.py`` had to set ``CONN_MAX_AGE = 0`` and
every request opened a new PostgreSQL connection (a server process forked and authenticated).
Profiled under 4 workers and 4–8 kiosks (docs/benchmarks.md, "Kiosk intake over HTTP"), these
were the largest costs around the views.

This handler changes only how a request reaches the same middleware and views:

- A request whose view is synchronous runs through a second, all-synchronous middleware chain
  (the same ``settings.MIDDLEWARE``, built as the WSGI handler builds it) in one call on one
  thread, as under WSGI. Coroutine views (the display stream) keep Django's asynchronous chain.
  Every middleware runs for every request either way: sessions, CSRF, authentication, the
  second factor, CSP headers, axes' lockout, the NUL guard.
- Each request still runs its synchronous code on a thread of its own for as long as it lasts
  (``ThreadSensitiveContext`` with an executor, the API asgiref provides for this), but the
  one-thread executors are kept and reused by later requests: their database connections can
  then persist (``CONN_MAX_AGE``) as they do under a threaded WSGI server. A request that lasts
  (the display's endless stream) keeps its executor to itself; when more requests run at once
  than executors are idle, new ones are made, and executors beyond ``KEEP_IDLE`` are shut down
  after closing their connections.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.urls import Resolver404, get_resolver

# Idle request threads kept per process. A worker rarely serves more requests at once than
# kiosks and counters hitting it together; each idle thread may hold one database connection,
# so (workers x KEEP_IDLE) stays well under PostgreSQL's default 100 connections.
KEEP_IDLE = 8


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


class ExecutorPool:
    """One-thread executors handed out one per request and kept for the next ones.

    Used only from the event loop's thread (``take`` and ``give_back`` never run concurrently),
    so it needs no lock."""

    def __init__(self, keep_idle: int = KEEP_IDLE):
        self.keep_idle = keep_idle
        self._idle: list[ThreadPoolExecutor] = []
        self.created = 0

    def take(self) -> ThreadPoolExecutor:
        if self._idle:
            return self._idle.pop()  # the most recently used: its thread and connection are warm
        self.created += 1
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        if len(self._idle) < self.keep_idle:
            self._idle.append(executor)
            return
        # Connections are per thread: close this thread's own before the thread goes away.
        executor.submit(_close_connections)
        executor.shutdown(wait=False)

    def idle(self) -> int:
        return len(self._idle)

    def close(self) -> None:
        """Close the idle threads' connections and end the threads (tests, shutdown)."""
        while self._idle:
            executor = self._idle.pop()
            executor.submit(_close_connections).result()
            executor.shutdown(wait=True)


class MotcuaASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.executors = ExecutorPool()
        # The WSGI way: the same middleware, all synchronous, the view called directly.
        self.sync_handler = BaseHandler()
        self.sync_handler.load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)  # Django refuses it
        if not _view_is_sync(settings.ROOT_URLCONF, scope["path"]):
            # A coroutine view (the display's endless stream) goes through Django's own handler
            # with a thread of its own, as before this handler: with a kept executor a call read
            # by the SQLite polling path was sometimes never delivered (seen in
            # tests/queue/test_display_stream.py under load), and a stream that lasts hours has
            # nothing to gain from a kept thread.
            return await super().__call__(scope, receive, send)
        executor = self.executors.take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.executors.give_back(executor)

    async def get_response_async(self, request):
        if _view_is_sync(settings.ROOT_URLCONF, request.path_info):
            # One hop to this request's thread for middleware and view together.
            return await sync_to_async(self.sync_handler.get_response, thread_sensitive=True)(
                request
            )
        return await super().get_response_async(request)


@functools.lru_cache(maxsize=4096)
def _view_is_sync(urlconf: str, path_info: str) -> bool:
    """Whether the view this path resolves to is synchronous (or nothing: the 404 page is).

    No middleware here sets ``request.urlconf``, so the URLconf and the path decide; cached
    (lookups and dossier codes repeat; a miss costs one resolve, as Django does anyway)."""
    try:
        match = get_resolver(urlconf).resolve(path_info)
    except Resolver404:
        return True
    return not iscoroutinefunction(match.func)
