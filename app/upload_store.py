"""Uploaded data sets ("your own data"), kept in the saved-model SQLite file.

An upload is a name, a creation time, a small *summary* (kind, rows, classes,
extent, class counts, the first rows) and the *points*: the rows ``[x1, x2, y]``
of the engine's data set ``points`` (see :mod:`engine.data.points`), stored as
JSON text in their own table ``uploads`` of the file that holds the saved models
(``settings.database_path``), in WAL mode, so they survive a restart.

The id is a hash of the canonical content (the kind and the rows as floats), not
of the name: uploading the same points again gives the same id, and a spec that
names the upload always means the same numbers. :func:`resolve_uploads` turns a
run spec whose data is ``{"name": "upload", "upload": id, ...}`` into one that
carries the points inline, so a run, and a model saved from it, never depends on
the upload staying.

Each upload records the client that made it (see :mod:`app.clients`), so that
one client keeps at most ``max_per_client`` of them.

Concurrency follows :mod:`app.store`: a short-lived connection per call, writes
under ``BEGIN IMMEDIATE`` (the "is it full?" counts and the insert are one atomic
step), and a ``sqlite3.Error`` after a 5-second wait for the lock, which the app
answers with a 503. The table is created if missing; it does not change the
file's schema version (``PRAGMA user_version``, owned by the model store).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.client_limits import ClientLimitError
from app.error_codes import app_error
from app.listing_sql import count_rows, list_rows
from app.store import check_name
from engine.data.points import POINTS, Row, class_count, natural_extent, point_arrays
from engine.data.registry import Kind
from engine.data.spec import DataSpec

logger = logging.getLogger(__name__)

UPLOAD = "upload"
"""The data set name a run spec uses for an uploaded data set."""
PREVIEW_ROWS = 5
"""Rows shown in an upload's summary."""
ID_LENGTH = 24
"""Hex digits of the content hash used as id (96 bits)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    created TEXT NOT NULL,
    summary TEXT NOT NULL,
    points  TEXT NOT NULL,
    owner   TEXT,
    client  TEXT
);
CREATE INDEX IF NOT EXISTS uploads_created ON uploads (created);
CREATE INDEX IF NOT EXISTS uploads_client ON uploads (client);
"""
_ADDED = {"owner": "ALTER TABLE uploads ADD COLUMN owner TEXT",
          "client": "ALTER TABLE uploads ADD COLUMN client TEXT"}
"""Columns added since the table was first made, and how (in order)."""
# `points` is the last column, so listings that do not select it need not read
# the overflow pages that hold a large upload.


class UploadNotFound(KeyError):  # noqa: N818 (named like ModelNotFound)
    """No uploaded data set with that id (never uploaded, or deleted)."""

    def __init__(self, upload_id: object) -> None:
        super().__init__(upload_id)
        self.upload_id = upload_id

    def __str__(self) -> str:
        return f"no uploaded data set with id {self.upload_id!r}"


class UploadsFull(RuntimeError):  # noqa: N818 (named like StoreFull)
    """The limit on uploaded data sets is reached."""

    def __init__(self, max_uploads: int) -> None:
        super().__init__(max_uploads)
        self.max_uploads = max_uploads

    def __str__(self) -> str:
        return (f"the server keeps at most {self.max_uploads} uploaded data sets and has "
                "that many; delete one before uploading another")


def content_id(kind: str, points: list[list[float]], owner: str | None = None) -> str:
    """The id of an upload: a hash of its kind and rows (floats, canonical JSON),
    and of its owner when a student's."""
    content: dict[str, Any] = {"kind": kind, "points": points}
    if owner is not None:
        content["owner"] = owner
    text = json.dumps(content, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:ID_LENGTH]


def summarise(kind: Kind, points: list[list[float]]) -> dict[str, Any]:
    """What a listing shows of rows ``[[x1, x2, y], ...]``: ``kind``, ``rows``,
    ``classes`` (2, K or 0 for regression), ``counts`` (points per class, or None
    for regression), ``extent`` (the plotted range around the points, before any
    offset or scale: xmin, xmax, ymin, ymax) and ``preview`` (the first rows)."""
    rows: list[Row] = [(r[0], r[1], r[2]) for r in points]
    X, y = point_arrays(rows, kind)
    classes = class_count(kind, rows)
    counts = None if kind == "regression" else [int((y == c).sum()) for c in range(classes)]
    return {"kind": kind, "rows": len(rows), "classes": classes, "counts": counts,
            "extent": list(natural_extent(X)), "preview": points[:PREVIEW_ROWS]}


class UploadStore:
    """Uploaded data sets in the SQLite file at ``path`` (created, with its folder,
    if missing); at most ``max_uploads`` of them, and ``max_per_client`` of one
    client's (None: no such cap)."""

    def __init__(self, path: str | Path, max_uploads: int = 500,
                 max_per_client: int | None = None) -> None:
        if str(path) in ("", ":memory:") or str(path).startswith("file::memory:"):
            raise ValueError("the upload store needs a file path: an in-memory database "
                             "would vanish between calls")
        if isinstance(max_uploads, bool) or not isinstance(max_uploads, int) \
                or max_uploads < 1:
            raise ValueError(f"max_uploads must be a positive integer, not {max_uploads!r}")
        self.path = Path(path)
        self.max_uploads = max_uploads
        self.max_per_client = max_per_client
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("SQLite refused WAL mode for %s (got %r)", self.path, mode)
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                columns = {row[1] for row in conn.execute("PRAGMA table_info(uploads)")}
                for column, statement in _ADDED.items():
                    if columns and column not in columns:  # a file from before it
                        conn.execute(statement)
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection, closed on exit (as in :class:`app.store.ModelStore`)."""
        with closing(sqlite3.connect(self.path, timeout=5, isolation_level=None)) as conn:
            conn.execute("PRAGMA synchronous=FULL")
            yield conn

    def add(self, name: str, data: Mapping[str, Any], owner: str | None = None,
            client: str | None = None) -> tuple[dict[str, Any], bool]:
        """Store the data-spec fragment ``data`` (``{"name": "points", "kind",
        "points"}``, checked by the engine) under ``name``, as ``owner``'s (a
        student's or the teacher's uploads are theirs alone, and their ids their
        own), uploaded by ``client`` (as the per-client limit counts).

        Returns the listing entry ``{"id", "name", "created", **summary}`` and
        whether it is new: the same kind and rows uploaded before give the stored
        entry (with its first name) and False.

        Raises ``ValueError`` for a bad name, ``SpecError`` (``data.*``) for bad
        points, :class:`UploadsFull` at the limit, :class:`ClientLimitError` at
        the client's.
        """
        name = check_name(name)
        spec = DataSpec.from_dict(data)
        if spec.name != POINTS:
            raise app_error("data.name", "upload_not_points")
        assert spec.kind is not None
        points = [list(row) for row in spec.points]
        upload_id = content_id(spec.kind, points, owner)
        summary = summarise(spec.kind, points)
        stored = json.dumps({"kind": spec.kind, "points": points}, separators=(",", ":"))
        created = datetime.now(UTC).isoformat(timespec="microseconds")
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM uploads WHERE id = ?", (upload_id,)).fetchone():
                return self._entry(conn, upload_id), False
            (count,) = conn.execute("SELECT COUNT(*) FROM uploads").fetchone()
            if count >= self.max_uploads:
                raise UploadsFull(self.max_uploads)
            if client is not None and self.max_per_client is not None:
                (held,) = conn.execute("SELECT COUNT(*) FROM uploads WHERE client = ?",
                                       (client,)).fetchone()
                if held >= self.max_per_client:
                    raise ClientLimitError("uploaded data sets", self.max_per_client,
                                           "delete one of them (DELETE /api/uploads/{id}) "
                                           "before uploading another",
                                           "client_limit_uploads")
            conn.execute(
                "INSERT INTO uploads (id, name, created, summary, points, owner, client) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (upload_id, name, created, json.dumps(summary, separators=(",", ":")), stored,
                 owner, client))
        return {"id": upload_id, "name": name, "created": created, **summary}, True

    @staticmethod
    def _entry(conn: sqlite3.Connection, upload_id: str) -> dict[str, Any]:
        row = conn.execute("SELECT id, name, created, summary FROM uploads WHERE id = ?",
                           (upload_id,)).fetchone()
        if row is None:
            raise UploadNotFound(upload_id)
        found_id, name, created, summary = row
        return {"id": found_id, "name": name, "created": created, **json.loads(summary)}

    def list(self, owner: str | None = None, everyone: bool = False,
             limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Listing entries, newest first (without the points): ``owner``'s uploads
        (None: those nobody owns), or every one with ``everyone``; all, or ``limit``
        of them from position ``offset``."""
        with self._connect() as conn:
            return list_rows(conn, "uploads", owner, everyone, limit, offset)

    def count_listed(self, owner: str | None = None, everyone: bool = False) -> int:
        """How many uploads :meth:`list` lists in all."""
        with self._connect() as conn:
            return count_rows(conn, "uploads", owner, everyone)

    def get(self, upload_id: str) -> dict[str, Any]:
        """The listing entry of one upload plus its ``points``; :class:`UploadNotFound`
        for an unknown id."""
        if not isinstance(upload_id, str):
            raise UploadNotFound(upload_id)
        with self._connect() as conn:
            row = conn.execute("SELECT id, name, created, summary, points FROM uploads "
                               "WHERE id = ?", (upload_id,)).fetchone()
        if row is None:
            raise UploadNotFound(upload_id)
        found_id, name, created, summary, stored = row
        return {"id": found_id, "name": name, "created": created, **json.loads(summary),
                "points": json.loads(stored)["points"]}

    def owner(self, upload_id: str) -> str | None:
        """Who owns an upload (None: nobody); UploadNotFound if unknown."""
        if not isinstance(upload_id, str):
            raise UploadNotFound(upload_id)
        with self._connect() as conn:
            row = conn.execute("SELECT owner FROM uploads WHERE id = ?", (upload_id,)).fetchone()
        if row is None:
            raise UploadNotFound(upload_id)
        return row[0]

    def delete(self, upload_id: str, owner: str | None = None) -> None:
        """Delete one upload of ``owner`` (None: one nobody owns); runs made from
        it keep their points. UploadNotFound if there is no such upload of theirs."""
        if not isinstance(upload_id, str):
            raise UploadNotFound(upload_id)
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            deleted = conn.execute("DELETE FROM uploads WHERE id = ? AND owner IS ?",
                                   (upload_id, owner)).rowcount
        if deleted == 0:
            raise UploadNotFound(upload_id)

    def delete_owned(self, owner: str) -> int:
        """Delete every upload of ``owner`` (a removed student's); returns how many."""
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            return conn.execute("DELETE FROM uploads WHERE owner = ?", (owner,)).rowcount

    def count(self) -> int:
        """How many uploads are kept."""
        with self._connect() as conn:
            (count,) = conn.execute("SELECT COUNT(*) FROM uploads").fetchone()
        return int(count)


def resolve_uploads(spec: Any, store: UploadStore,
                    may_read: Callable[[str | None], bool] | None = None) -> Any:
    """A run spec whose ``data`` is ``{"name": "upload", "upload": id, ...}`` with
    the upload's points put inline: ``{"name": "points", "kind", "points", ...the
    other data settings}``. Any other spec (or a value that is not a spec, left
    to the engine to refuse) is returned unchanged.

    Raises ``SpecError`` naming ``data.upload`` for a missing or unknown id (an
    upload whose owner ``may_read`` refuses counts as unknown; default: only
    uploads nobody owns), and ``data.kind``/``data.points`` if the spec gives them
    as well.
    """
    if not isinstance(spec, Mapping) or not isinstance(spec.get("data"), Mapping):
        return spec
    data = spec["data"]
    if data.get("name") != UPLOAD:
        if "upload" in data:
            raise app_error("data.name", "must_name_upload")
        return spec
    upload_id = data.get("upload")
    if not isinstance(upload_id, str):
        raise app_error("data.upload", "upload_id_not_text")
    for key in ("kind", "points"):
        if key in data:
            raise app_error(f"data.{key}", "comes_from_upload")
    try:
        if not (may_read or (lambda owner: owner is None))(store.owner(upload_id)):
            raise UploadNotFound(upload_id)
        stored = store.get(upload_id)
    except UploadNotFound as err:
        raise app_error("data.upload", "upload_gone", id=str(err.upload_id)) from None
    rest = {key: value for key, value in data.items() if key not in ("name", "upload")}
    inline = {"name": POINTS, "kind": stored["kind"], "points": stored["points"], **rest}
    return {**spec, "data": inline}
