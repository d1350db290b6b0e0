"""Saved models, kept in one SQLite file so they survive a restart of the server.

A saved model is a name, a creation time, a small *summary* shown in listings
(the lesson, the dataset, the step, the test loss ...) and a *record*: the whole
JSON document a user can download and later import back as a new run (the spec,
the weights, the metrics). Both are stored as JSON text; each model has an
unguessable URL-safe id.

Concurrency. The FastAPI app calls the store from worker threads, and a teacher
may start the server with several worker processes on the same file. So every
call opens its own short-lived connection (``sqlite3.connect(path, timeout=5)``)
instead of sharing one behind a Python lock: no Python state is shared between
threads, SQLite's own file locking serialises writers across threads *and*
processes, and in WAL mode readers never wait for a writer. Opening a connection
costs tens of microseconds, nothing next to an HTTP request. Writes start with
``BEGIN IMMEDIATE`` (the write lock is taken before anything is read), so the
"is the store full?" count and the insert that follows are one atomic step.
A writer that finds the file locked waits up to 5 seconds; only after that (or on
a disk failure) does a ``sqlite3.Error`` escape, which the caller should answer
with a 503, not a 500.

Errors the caller turns into 4xx answers: :class:`ModelNotFound` (a ``KeyError``)
for an unknown id, ``ValueError`` for a bad name or a record that is not strict
JSON, :class:`StoreFull` when ``max_models`` are saved already, and
:class:`app.client_limits.ClientLimitError` when the saving client (see
:mod:`app.clients`) keeps ``max_per_client`` already.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.client_limits import ClientLimitError
from app.error_codes import app_error
from app.listing_sql import count_rows, list_rows

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3
"""Stored in ``PRAGMA user_version``; bump it (and migrate) when the table changes.
Version 2 added ``owner`` (the student who saved a model; NULL for everyone's),
version 3 ``client`` (the client that saved it, which per-client limits count;
NULL for models saved before, and from the command line)."""

MAX_NAME_LENGTH = 80
LISTING_KEYS = ("id", "name", "created")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS models (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    created TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}',
    record  TEXT NOT NULL,
    owner   TEXT,
    client  TEXT
);
CREATE INDEX IF NOT EXISTS models_created ON models (created);
CREATE INDEX IF NOT EXISTS models_client ON models (client);
"""
_MIGRATIONS = {2: ("owner", "ALTER TABLE models ADD COLUMN owner TEXT"),
               3: ("client", "ALTER TABLE models ADD COLUMN client TEXT")}
"""Schema version -> the column it added and the statement that adds it."""
# `record` is the last column on purpose: listings never select it, and SQLite
# then need not read the overflow pages that hold a large record.


class ModelNotFound(KeyError):  # noqa: N818 (the name the routes import)
    """No saved model with that id (never existed, or deleted)."""

    def __init__(self, model_id: object) -> None:
        super().__init__(model_id)
        self.model_id = model_id

    def __str__(self) -> str:
        return f"no saved model with id {self.model_id!r}"


def summary_of(record: dict[str, Any], lesson: str | None = None,
               variant: str | None = None) -> dict[str, Any]:
    """What a listing shows of a saved run's ``record`` (see
    :func:`engine.checkpoint.export_run`): its lesson and variant, data set, step,
    test loss and accuracy. The API's save and ``nnplay train --save`` both use it."""
    metrics = record["metrics"]
    return {"lesson": lesson, "variant": variant, "dataset": record["spec"]["data"]["name"],
            "step": record["step"], "test_loss": metrics.get("test_loss"),
            "test_accuracy": metrics.get("test_accuracy")}


class StoreFull(RuntimeError):  # noqa: N818 (the name the routes import)
    """The limit on saved models is reached."""

    def __init__(self, max_models: int) -> None:
        super().__init__(max_models)
        self.max_models = max_models

    def __str__(self) -> str:
        return (f"the server keeps at most {self.max_models} saved models and has "
                "that many; delete one before saving another")


REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories a name may not hold: controls (tabs, newlines, escape codes),
format characters (bidi overrides and isolates such as U+202E, which make a name
display as other text, and zero-width spaces), lone surrogates, line and
paragraph separators."""

NAME_JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: format characters that names need (Persian
spellings, emoji sequences), so allowed, as in class and student names."""


def check_name(name: object) -> str:
    """Return ``name`` stripped, or raise a SpecError about ``name`` (a ValueError)
    saying what is wrong with it.

    A name has 1 to 80 characters after stripping and no character of
    :data:`REFUSED_CATEGORIES` but the joiners.
    """
    if not isinstance(name, str):
        raise app_error("name", "name_not_string", got=type(name).__name__)
    name = name.strip()
    if not name:
        raise app_error("name", "name_empty")
    if len(name) > MAX_NAME_LENGTH:
        raise app_error("name", "name_too_long", max=MAX_NAME_LENGTH, count=len(name))
    for ch in name:
        if unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in NAME_JOINERS:
            raise app_error("name", "name_bad_character", char=f"U+{ord(ch):04X}")
    return name


def _to_json(value: object, what: str) -> str:
    """Strict JSON text of a dict, or ``ValueError`` naming ``what`` was wrong."""
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object (a dict), not {type(value).__name__}")
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError as err:
        if "Out of range float" in str(err):
            raise ValueError(
                f"{what} contains NaN or Infinity, which JSON cannot hold "
                "(a diverged run? replace such numbers with null)") from err
        raise ValueError(f"{what} cannot be stored as JSON: {err}") from err
    except (TypeError, RecursionError) as err:
        raise ValueError(f"{what} cannot be stored as JSON: {err}") from err


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class ModelStore:
    """Saved models in the SQLite file at ``path`` (created, with its folder, if missing).

    ``max_models`` caps how many models the file holds, ``max_per_client`` how
    many one client keeps (None: no such cap); :meth:`save` raises
    :class:`StoreFull` or :class:`ClientLimitError` beyond them.
    """

    def __init__(self, path: str | Path, max_models: int = 1000,
                 max_per_client: int | None = None) -> None:
        if str(path) in ("", ":memory:") or str(path).startswith("file::memory:"):
            raise ValueError("the model store needs a file path: an in-memory database "
                             "would vanish between calls")
        if isinstance(max_models, bool) or not isinstance(max_models, int) or max_models < 1:
            raise ValueError(f"max_models must be a positive integer, not {max_models!r}")
        self.path = Path(path)
        self.max_models = max_models
        self.max_per_client = max_per_client
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            # The journal mode is stored in the file, so setting it once is enough;
            # it cannot change inside a transaction, hence before the schema.
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("SQLite refused WAL mode for %s (got %r); saved models still "
                               "work, but readers may wait for writers", self.path, mode)
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise RuntimeError(
                        f"{self.path} was written by a newer nnplay (schema {version}, "
                        f"this one knows {SCHEMA_VERSION}); upgrade nnplay or use another file")
                columns = {row[1] for row in conn.execute("PRAGMA table_info(models)")}
                for _, (column, statement) in sorted(_MIGRATIONS.items()):
                    if columns and column not in columns:  # a file from before it
                        conn.execute(statement)
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                if version < SCHEMA_VERSION:
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection, closed on exit (``with conn:`` inside commits or rolls back).

        ``isolation_level=None`` lets each write say ``BEGIN IMMEDIATE`` itself.
        ``synchronous=FULL``: in WAL mode NORMAL can lose the last commits on a power
        cut, and a save is a rare click, so one fsync per save is a small price for
        "never loses a saved run".
        """
        with closing(sqlite3.connect(self.path, timeout=5, isolation_level=None)) as conn:
            conn.execute("PRAGMA synchronous=FULL")
            yield conn

    def save(self, name: str, record: dict[str, Any],
             summary: dict[str, Any] | None = None, owner: str | None = None,
             client: str | None = None) -> dict[str, Any]:
        """Store a model and return its listing entry ``{"id", "name", "created", **summary}``.
        ``owner``: the student (or the teacher) who saves it (only they, and the
        teacher, see it); ``client``: who saves it, as the per-client limit counts.

        Raises ``ValueError`` for a bad name, a record or summary that is not a
        dict of strict JSON (no NaN/Infinity), or a summary using the keys
        ``id``/``name``/``created``; :class:`StoreFull` at the limit, and
        :class:`ClientLimitError` at the client's.
        """
        name = check_name(name)
        summary = {} if summary is None else summary
        record_json = _to_json(record, "record")
        summary_json = _to_json(summary, "summary")
        clash = [key for key in LISTING_KEYS if key in summary]
        if clash:
            raise ValueError(f"summary must not use the keys {clash} (the store sets them)")
        model_id = secrets.token_urlsafe(12)
        created = _now()
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            (count,) = conn.execute("SELECT COUNT(*) FROM models").fetchone()
            if count >= self.max_models:
                raise StoreFull(self.max_models)
            if client is not None and self.max_per_client is not None:
                (held,) = conn.execute("SELECT COUNT(*) FROM models WHERE client = ?",
                                       (client,)).fetchone()
                if held >= self.max_per_client:
                    raise ClientLimitError("saved models", self.max_per_client,
                                           "delete one of them (DELETE /api/models/{id}) "
                                           "before saving another",
                                           "client_limit_models")
            conn.execute(
                "INSERT INTO models (id, name, created, summary, record, owner, client) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (model_id, name, created, summary_json, record_json, owner, client))
        return {"id": model_id, "name": name, "created": created, **json.loads(summary_json)}

    def list(self, owner: str | None = None, everyone: bool = False,
             limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Listing entries, newest first (records are not read): the models of
        ``owner`` (None: the models nobody owns), or all of them with ``everyone``;
        all, or ``limit`` of them from position ``offset``."""
        with self._connect() as conn:
            return list_rows(conn, "models", owner, everyone, limit, offset)

    def count_listed(self, owner: str | None = None, everyone: bool = False) -> int:
        """How many models :meth:`list` lists in all."""
        with self._connect() as conn:
            return count_rows(conn, "models", owner, everyone)

    def owner(self, model_id: str) -> str | None:
        """Who owns a model (None: nobody); :class:`ModelNotFound` if unknown."""
        if not isinstance(model_id, str):
            raise ModelNotFound(model_id)
        with self._connect() as conn:
            row = conn.execute("SELECT owner FROM models WHERE id = ?", (model_id,)).fetchone()
        if row is None:
            raise ModelNotFound(model_id)
        return row[0]

    def get(self, model_id: str) -> dict[str, Any]:
        """``{"id", "name", "created", "record"}`` of one model.

        Raises :class:`ModelNotFound` for an unknown id.
        """
        if not isinstance(model_id, str):
            raise ModelNotFound(model_id)
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, name, created, record FROM models WHERE id = ?",
                (model_id,)).fetchone()
        if row is None:
            raise ModelNotFound(model_id)
        found_id, name, created, record = row
        return {"id": found_id, "name": name, "created": created, "record": json.loads(record)}

    def delete(self, model_id: str, owner: str | None = None) -> None:
        """Delete one model of ``owner`` (None: a model nobody owns);
        :class:`ModelNotFound` if there is no such model of theirs."""
        if not isinstance(model_id, str):
            raise ModelNotFound(model_id)
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            deleted = conn.execute("DELETE FROM models WHERE id = ? AND owner IS ?",
                                   (model_id, owner)).rowcount
        if deleted == 0:
            raise ModelNotFound(model_id)

    def delete_owned(self, owner: str) -> int:
        """Delete every model of ``owner`` (a removed student's); returns how many."""
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            return conn.execute("DELETE FROM models WHERE owner = ?", (owner,)).rowcount

    def count(self) -> int:
        """How many models are saved."""
        with self._connect() as conn:
            (count,) = conn.execute("SELECT COUNT(*) FROM models").fetchone()
        return int(count)

    def close(self) -> None:
        """Fold the write-ahead log back into the main file (for a clean shutdown).

        No connection is kept between calls, so there is nothing else to close, and
        the store stays usable after this. Safe to call more than once.
        """
        with self._connect() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

