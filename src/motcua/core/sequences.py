"""Gapless daily numbers: one row per (owner, day) counted up in one statement.

Dossier numbers (``<agency>-<yyMMdd>-<nnnn>``) and queue ticket numbers are both handed out
this way. Counting rows instead would give two concurrent takers the same number (bcgov TheQ's
queue numbers broke exactly so, and again at midnight); a sequence would leave gaps on rollback.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def next_number(model: type[Model], key: dict[str, Any], field: str = "last_number") -> int:
    """Count ``model``'s row for ``key`` up by one and return the new value; the row stays locked.

    ``UPDATE … SET n = n + 1 … RETURNING n`` locks the row and reads the new value at once. A
    concurrent taker's UPDATE waits for that lock until this transaction ends: after a commit it
    counts on from our number, after a rollback it gets our number again, so numbers stay unique
    and gapless. The lock is held to the commit, so callers take the number last. The first
    number of a key creates the row; a twin creating it at the same moment is counted by
    ``ON CONFLICT … DO UPDATE`` (the model needs a unique constraint on exactly ``key``'s
    fields). On SQLite, IMMEDIATE transactions serialize writers anyway.
    """
    if not _update_returning_supported():
        return _next_number_portable(model, key, field)
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    columns = []
    params = []
    for name, value in key.items():
        model_field, column = _column(model, name)
        if isinstance(value, Model):
            value = value.pk
        columns.append(quote(column))
        params.append(model_field.get_db_prep_value(value, connection))
    last = quote(_column(model, field)[1])
    where = " AND ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 WHERE {where} RETURNING {last}",  # noqa: S608 (quoted model names only)
            params,
        )
        row = cursor.fetchone()
        if row is None:
            names = ", ".join(columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.execute(
                f"INSERT INTO {table} ({names}, {last}) VALUES ({marks}, 1)"  # noqa: S608
                f" ON CONFLICT ({names}) DO UPDATE SET {last} = {table}.{last} + 1"
                f" RETURNING {last}",
                params,
            )
            row = cursor.fetchone()
    return int(row[0])


def _column(model: type[Model], name: str) -> tuple[Field, str]:
    """A field of ``model`` with a column of its own (not a reverse relation), and the column."""
    model_field = model._meta.get_field(name)
    if not isinstance(model_field, Field) or model_field.column is None:
        raise ValueError(f"{model._meta.label}.{name} has no column to count in")
    return model_field, model_field.column


def _update_returning_supported() -> bool:
    """PostgreSQL, and SQLite from 3.35 (the first with RETURNING); other engines use the ORM."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)


def _next_number_portable(model: type[Model], key: dict[str, Any], field: str) -> int:
    """The same in three statements, for an engine without UPDATE … RETURNING.

    ``select_for_update`` makes a concurrent taker wait for this one's commit and then read its
    number; creating the row races too: ``get_or_create`` retries the read when a twin inserted
    it first.
    """
    row, _ = model._default_manager.get_or_create(**key)
    row = model._default_manager.select_for_update().get(pk=row.pk)
    setattr(row, field, getattr(row, field) + 1)
    row.save(update_fields=[field])
    return getattr(row, field)
