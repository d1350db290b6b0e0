"""The listing query the model store and the upload store share: a viewer's rows
(a student's own, those nobody owns, or everyone's for the teacher), newest first,
one page of them at a time, and how many there are in all.

Both tables have ``id, name, created, summary, owner``; ``summary`` is JSON that
is spread into each listing entry.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

TABLES = frozenset({"models", "uploads"})


def owner_clause(owner: str | None, everyone: bool) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause for ``owner``'s rows (None: the rows nobody owns), or none
    with ``everyone``."""
    if everyone:
        return "", ()
    return ("WHERE owner IS NULL", ()) if owner is None else ("WHERE owner = ?", (owner,))


def list_rows(conn: sqlite3.Connection, table: str, owner: str | None, everyone: bool,
              limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Listing entries ``{"id", "name", "created", **summary}``, newest first: all
    of them, or ``limit`` from position ``offset``."""
    if table not in TABLES:
        raise ValueError(f"no listing for the table {table!r}")
    where, args = owner_clause(owner, everyone)
    page = "" if limit is None else " LIMIT ? OFFSET ?"
    rows = conn.execute(
        f"SELECT id, name, created, summary FROM {table} {where} "
        f"ORDER BY created DESC, rowid DESC{page}",
        args if limit is None else (*args, limit, offset)).fetchall()
    return [{"id": row_id, "name": name, "created": created, **json.loads(summary)}
            for row_id, name, created, summary in rows]


def count_rows(conn: sqlite3.Connection, table: str, owner: str | None,
               everyone: bool) -> int:
    """How many rows :func:`list_rows` lists in all."""
    if table not in TABLES:
        raise ValueError(f"no listing for the table {table!r}")
    where, args = owner_clause(owner, everyone)
    return conn.execute(f"SELECT COUNT(*) FROM {table} {where}", args).fetchone()[0]
