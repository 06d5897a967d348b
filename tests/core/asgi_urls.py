"""Two tiny views for tests/core/test_asgi_handler.py: one synchronous, one a coroutine."""

import threading

from django.db import connection
from django.http import JsonResponse
from django.urls import path


def where_sync(request):
    was_open = connection.connection is not None  # kept from an earlier request?
    connection.ensure_connection()
    return JsonResponse({"thread": threading.get_ident(), "was_open": was_open})


def backend_pid(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return JsonResponse({"pid": cursor.fetchone()[0]})


async def where_async(request):
    return JsonResponse({"thread": threading.get_ident()})


urlpatterns = [
    path("sync/", where_sync),
    path("async/", where_async),
    path("pid/", backend_pid),
]
