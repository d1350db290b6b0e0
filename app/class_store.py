"""Classes and their students, kept in the saved-model SQLite file.

A class has an id, a short join code that students type (``K7P2QX``: six letters
and digits without look-alikes such as O/0 and I/1), a name, and the lesson the
teacher gave it (changed by pushing another; ``lesson_version`` counts pushes).
A student has an id, a display name and a secret token (only its SHA-256 is
stored); the token is the student's key to their own runs and models. Both
survive a restart, so a class goes on after the server comes back and a student's
saved models stay theirs.

Connections are opened per call, as in :mod:`app.store`.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME = 40

_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    lesson         TEXT NOT NULL,
    variant        TEXT,
    lesson_version INTEGER NOT NULL DEFAULT 1,
    created        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    id         TEXT PRIMARY KEY,
    class_id   TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    joined     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS students_class ON students (class_id);
"""


class ClassNotFound(KeyError):  # noqa: N818 (reads as what it is)
    """No class with that id or code."""


class ClassFull(RuntimeError):  # noqa: N818
    """The class (or the server) holds as many as allowed: ``code`` says which
    (``class_full`` or ``too_many_classes``), ``max`` how many (app/error_codes.py)."""

    def __init__(self, message: str, code: str = "class_full", most: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.params = {"max": most}


class BadName(ValueError):  # noqa: N818 (reads as what it is)
    """A bad display or class name: ``code`` and ``params`` name the rule."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class StudentNotFound(KeyError):  # noqa: N818
    """No student with that id in that class."""


@dataclass(frozen=True)
class ClassInfo:
    id: str
    code: str
    name: str
    lesson: str
    variant: str | None
    lesson_version: int
    created: str


@dataclass(frozen=True)
class Student:
    id: str
    class_id: str
    name: str
    joined: str


JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: format characters that names need (Persian
spellings, emoji sequences); every other control or format character (bidi
overrides among them) is refused."""


def clean_name(value: object, field: str = "name") -> str:
    """A display or class name: text of 1..40 characters after trimming, no
    control characters; ValueError naming the rule otherwise."""
    if not isinstance(value, str):
        raise BadName(f"{field} must be text", "name_not_text", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if not text or len(text) > MAX_NAME:
        raise BadName(f"{field} must be 1 to {MAX_NAME} characters", "name_length",
                         field=field, max=MAX_NAME)
    if any(unicodedata.category(ch).startswith("C") and ch not in JOINERS for ch in text):
        raise BadName(f"{field} must not contain control characters", "name_control",
                         field=field)
    return text


def normal_code(value: str) -> str:
    """A join code as typed (any case, spaces or dashes) -> its stored form."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ClassStore:
    """Classes and students in the SQLite file at ``path``."""

    def __init__(self, path: str | Path, max_classes: int = 50, max_students: int = 100) -> None:
        self.path = Path(path)
        self.max_classes = max_classes
        self.max_students = max_students
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=5, isolation_level=None)) as conn:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=FULL")
            yield conn

    # -- classes ------------------------------------------------------------------
    def create(self, name: str, lesson: str, variant: str | None) -> ClassInfo:
        """A new class with a fresh join code; ClassFull at max_classes."""
        name = clean_name(name)
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            (count,) = conn.execute("SELECT COUNT(*) FROM classes").fetchone()
            if count >= self.max_classes:
                raise ClassFull(f"the server holds {self.max_classes} classes already; "
                                "end one first", "too_many_classes", self.max_classes)
            taken = {row[0] for row in conn.execute("SELECT code FROM classes")}
            code = self._new_code(taken)
            info = ClassInfo(secrets.token_urlsafe(12), code, name, lesson, variant, 1, _now())
            conn.execute("INSERT INTO classes VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (info.id, info.code, info.name, info.lesson, info.variant,
                          info.lesson_version, info.created))
        return info

    @staticmethod
    def _new_code(taken: set[str]) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in taken:
                return code

    def classes(self, limit: int = -1, offset: int = 0) -> list[ClassInfo]:
        """The classes, newest first: all, or ``limit`` from position ``offset``."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM classes ORDER BY created DESC, rowid DESC "
                                "LIMIT ? OFFSET ?", (limit, offset))
            return [ClassInfo(*row) for row in rows.fetchall()]

    def count(self) -> int:
        """How many classes there are."""
        with self._connect() as conn:
            return conn.execute("SELECT COUNT(*) FROM classes").fetchone()[0]

    def get(self, class_id: str) -> ClassInfo:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM classes WHERE id = ?", (class_id,)).fetchone()
        if row is None:
            raise ClassNotFound(class_id)
        return ClassInfo(*row)

    def by_code(self, code: str) -> ClassInfo:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM classes WHERE code = ?",
                               (normal_code(code),)).fetchone()
        if row is None:
            raise ClassNotFound(code)
        return ClassInfo(*row)

    def set_lesson(self, class_id: str, lesson: str, variant: str | None) -> ClassInfo:
        """Give the class another lesson (lesson_version + 1)."""
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            changed = conn.execute(
                "UPDATE classes SET lesson = ?, variant = ?, lesson_version = lesson_version + 1 "
                "WHERE id = ?", (lesson, variant, class_id)).rowcount
        if not changed:
            raise ClassNotFound(class_id)
        return self.get(class_id)

    def delete(self, class_id: str) -> None:
        """End a class: it and its students are gone (their saved models stay)."""
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            if not conn.execute("DELETE FROM classes WHERE id = ?", (class_id,)).rowcount:
                raise ClassNotFound(class_id)

    # -- students -----------------------------------------------------------------
    def join(self, code: str, name: str) -> tuple[Student, str]:
        """A new student in the class with this code -> (student, their token);
        ClassNotFound for an unknown code, ClassFull at max_students."""
        name = clean_name(name)
        token = secrets.token_urlsafe(24)
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT id FROM classes WHERE code = ?",
                               (normal_code(code),)).fetchone()
            if row is None:
                raise ClassNotFound(code)
            (count,) = conn.execute("SELECT COUNT(*) FROM students WHERE class_id = ?",
                                    row).fetchone()
            if count >= self.max_students:
                raise ClassFull(f"this class has {self.max_students} students already",
                                "class_full", self.max_students)
            student = Student(secrets.token_urlsafe(12), row[0], name, _now())
            conn.execute("INSERT INTO students VALUES (?, ?, ?, ?, ?)",
                         (student.id, student.class_id, student.name, token_hash(token),
                          student.joined))
        return student, token

    def student_by_token(self, token: str) -> Student | None:
        """The student whose token this is (None for an unknown or empty one)."""
        if not token or len(token) > 200:
            return None
        with self._connect() as conn:
            row = conn.execute("SELECT id, class_id, name, joined FROM students "
                               "WHERE token_hash = ?", (token_hash(token),)).fetchone()
        return Student(*row) if row else None

    def student(self, student_id: str) -> Student | None:
        """The student with this id (None once removed, or when their class ended)."""
        with self._connect() as conn:
            row = conn.execute("SELECT id, class_id, name, joined FROM students "
                               "WHERE id = ?", (student_id,)).fetchone()
        return Student(*row) if row else None

    def remove_student(self, class_id: str, student_id: str) -> None:
        """Remove a student from their class: their token no longer works.
        StudentNotFound if the class has no student with this id."""
        with self._connect() as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            if not conn.execute("DELETE FROM students WHERE id = ? AND class_id = ?",
                                (student_id, class_id)).rowcount:
                raise StudentNotFound(student_id)

    def students(self, class_id: str) -> list[Student]:
        """The class's students in the order they joined."""
        with self._connect() as conn:
            rows = conn.execute("SELECT id, class_id, name, joined FROM students "
                                "WHERE class_id = ? ORDER BY joined, rowid", (class_id,))
            return [Student(*row) for row in rows.fetchall()]
