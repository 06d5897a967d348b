"""The process-wide procedure finder used by the lookup pages, the API, the kiosk and the CLI.

It indexes the published procedures of the database; before the catalog is loaded (a fresh
install, or the CLI run without a database) it falls back to the bundled national catalog.
"""

from __future__ import annotations

import json
import logging
import threading

from django.conf import settings
from django.db import DatabaseError

from motcua.search.engine import Engine, Hit, ProcedureDoc, QueryError

__all__ = ["Hit", "QueryError", "get_finder", "reset_finder", "build_finder"]

log = logging.getLogger(__name__)
_lock = threading.Lock()
_finder: Engine | None = None


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
    from motcua.search.lexicon import Lexicon

    docs = (_docs_from_database() if use_database else []) or _docs_from_bundle()
    embedder = E5Embedder(cache_dir=settings.MOTCUA_SEARCH_CACHE_DIR)
    return Engine(docs, Lexicon.load(), embedder)


def get_finder() -> Engine:
    global _finder
    if _finder is None:
        with _lock:
            if _finder is None:
                _finder = build_finder()
    return _finder


def reset_finder() -> None:
    """Forget the index; the next search rebuilds it from the current catalog."""
    global _finder
    with _lock:
        _finder = None
