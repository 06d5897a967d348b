"""``motcua serve``: the production web server (waitress) for the embedded install.

Django's runserver is for development only; waitress is a pure-Python production WSGI server
that runs the same everywhere a commune center may have a machine.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def proxy_options() -> dict[str, bool]:
    """waitress drops X-Forwarded-* headers unless told otherwise; behind the documented proxy
    Django needs them (the client's address for login protection, HTTPS for secure cookies) and
    decides itself whom to believe (MOTCUA_TRUSTED_PROXIES, SECURE_PROXY_SSL_HEADER)."""
    if getattr(settings, "MOTCUA_BEHIND_PROXY", False):
        return {"clear_untrusted_proxy_headers": False}
    return {}


class Command(BaseCommand):
    help = "Chạy máy chủ web (waitress) phục vụ motcua."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host: str, port: int, threads: int, **options) -> None:
        if not 1 <= port <= 65535:
            raise CommandError("Cổng (--port) phải từ 1 đến 65535.")
        if not 1 <= threads <= 64:
            raise CommandError("Số luồng (--threads) phải từ 1 đến 64.")
        from waitress import serve

        from motcua.search.finder import get_finder
        from motcua.wsgi import application

        # Build the search index before the first citizen waits for it.
        get_finder()
        serve(application, host=host, port=port, threads=threads, ident="motcua", **proxy_options())
