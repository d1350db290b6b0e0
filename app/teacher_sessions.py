"""The teacher's logins: one random session id per login, kept in the class
database so that a restart keeps the teacher logged in and a logout ends the
session for good.

The cookie ``nnplay_teacher`` holds the session id (32 random bytes); the
database holds only its SHA-256, the time it expires and a key of the teacher
token it was opened with (an HMAC), so changing the token ends every session.
Logging out deletes the session: the old cookie, if kept or copied, no longer
works. Expired sessions are deleted when the next one opens, and at most
:data:`MAX_SESSIONS` are kept (the oldest go first).

Connections are opened per call, as in :mod:`app.store`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

COOKIE_AGE = 12 * 3600
"""Seconds a session (and so the teacher's cookie) lasts: a school day. A
student's cookie lasts as long."""

MAX_SESSIONS = 100
"""Sessions kept at once (browsers and devices the teacher logged in from)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS teacher_sessions (
    id_hash   TEXT PRIMARY KEY,
    token_key TEXT NOT NULL,
    expires   REAL NOT NULL
)
"""


def token_key(token: str) -> str:
    """A key of the teacher token (an HMAC: the token is not stored)."""
    return hmac.new(token.encode(), b"nnplay teacher", hashlib.sha256).hexdigest()


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class TeacherSessions:
    """The teacher's sessions in the SQLite file at ``path``, for the teacher token
    ``token``; each lasts ``max_age`` seconds."""

    def __init__(self, path: str | Path, token: str, max_age: float) -> None:
        self.path = Path(path)
        self.key = token_key(token)
        self.max_age = max_age
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=5, isolation_level=None)) as conn:
            conn.execute("PRAGMA synchronous=FULL")
            yield conn

    def open(self, now: float | None = None) -> str:
        """A new session; returns its id (the cookie's value)."""
        now = time.time() if now is None else now
        session_id = secrets.token_urlsafe(32)
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM teacher_sessions WHERE expires <= ? OR token_key != ?",
                         (now, self.key))
            conn.execute("DELETE FROM teacher_sessions WHERE id_hash NOT IN (SELECT id_hash "
                         "FROM teacher_sessions ORDER BY expires DESC LIMIT ?)",
                         (MAX_SESSIONS - 1,))
            conn.execute("INSERT INTO teacher_sessions VALUES (?, ?, ?)",
                         (_hash(session_id), self.key, now + self.max_age))
        return session_id

    def valid(self, session_id: object, now: float | None = None) -> bool:
        """Whether ``session_id`` is an open, unexpired session of this token."""
        if not isinstance(session_id, str) or not session_id or len(session_id) > 100:
            return False
        now = time.time() if now is None else now
        with self._connect() as conn:
            row = conn.execute("SELECT 1 FROM teacher_sessions WHERE id_hash = ? AND "
                               "token_key = ? AND expires > ?",
                               (_hash(session_id), self.key, now)).fetchone()
        return row is not None

    def close(self, session_id: object) -> None:
        """End a session (nothing happens for an unknown one)."""
        if not isinstance(session_id, str) or not session_id or len(session_id) > 100:
            return
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM teacher_sessions WHERE id_hash = ?", (_hash(session_id),))
