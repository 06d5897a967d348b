"""The process-wide procedure finder used by the lookup pages, the API, the kiosk and the CLI.

It indexes the published procedures of the database; before the catalog is loaded (a fresh
install, or the CLI run without a database) it falls back to the bundled national catalog.
Every web worker keeps its own index; at most every ``REFRESH_SECONDS`` it compares a cheap
stamp of the catalog (count and last edit of procedures) and rebuilds after an admin edit or
an import, embedding only the passages that changed.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError

from motcua.search.engine import Engine, Hit, ProcedureDoc, QueryError

__all__ = ["Hit", "QueryError", "get_finder", "reset_finder", "build_finder"]

log = logging.getLogger(__name__)
_lock = threading.Lock()
_finder: Engine | None = None
_stamp: tuple | None = None
_checked_at = 0.0
REFRESH_SECONDS = 30.0


def _catalog_stamp() -> tuple | None:
    from django.db.models import Count, Max

    from motcua.catalog.models import Procedure

    try:
        row = Procedure.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    except DatabaseError:
        return None
    return (row["n"], row["last"])


def _docs_from_database() -> list[ProcedureDoc]:
    from motcua.catalog.models import Procedure

    try:
        rows = list(
            Procedure.objects.published()
            .order_by("code")
            .values_list("code", "name", "sector__name", "result", "popularity")
        )
    except DatabaseError:
        return []
    return [ProcedureDoc(*row) for row in rows]


def _docs_from_bundle() -> list[ProcedureDoc]:
    from motcua.catalog.services import bundled_catalog_path

    data = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
    return [
        ProcedureDoc(p["code"], p["name"], p["sector"], p.get("result", ""), p.get("popularity"))
        for p in data["procedures"]
        if p.get("status", "published") == "published"
    ]


def build_finder(*, use_database: bool = True) -> Engine:
    from motcua.search.embedding import E5Embedder
    from motcua.search.examples import load_examples
    from motcua.search.lexicon import Lexicon
    from motcua.search.normalize import dictionary_folded

    docs = (_docs_from_database() if use_database else []) or _docs_from_bundle()
    embedder = E5Embedder(cache_dir=settings.MOTCUA_SEARCH_CACHE_DIR)
    engine = Engine(docs, Lexicon.load(), embedder, examples=load_examples())
    # The word list that tells a typing slip from a real word is read on first use: ~150 ms
    # of CPU the first request with a slip paid in each process; now the build pays it.
    dictionary_folded()
    return engine


def get_finder(*, now: float | None = None) -> Engine:
    global _finder, _stamp, _checked_at
    now = time.monotonic() if now is None else now
    with _lock:
        if _finder is not None and now - _checked_at < REFRESH_SECONDS:
            return _finder
        stamp = _catalog_stamp()
        _checked_at = now
        if _finder is None or stamp != _stamp:
            if _finder is not None:
                log.info("catalog changed; rebuilding the procedure finder")
            _finder = build_finder()
            _stamp = stamp
        return _finder


def reset_finder() -> None:
    """Forget the index; the next search rebuilds it from the current catalog."""
    global _finder, _stamp, _checked_at
    with _lock:
        _finder, _stamp, _checked_at = None, None, 0.0
