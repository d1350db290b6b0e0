"""Who is asking: the teacher, a student of a class, or anyone.

The classroom is on when the setting ``teacher_token`` is set. Then:

- the teacher proves themselves with ``Authorization: Bearer <teacher token>`` or
  the cookie ``nnplay_teacher`` that ``POST /api/teacher/login`` sets (an HMAC of
  the token, so the token itself never sits in a cookie and changing it logs
  every teacher out);
- a student is known by the token they got on joining a class: the cookie
  ``nnplay_student`` (set on joining) or the header ``X-Nnplay-Student``.

Runs, saved models and uploaded data a student makes are theirs (``owner``): nobody else can
read, change or delete them, and to anyone else they do not exist (404). The
teacher may read any of them (a read-only view), never change one. What is made
outside a class belongs to nobody: whoever holds the id may use it, as before.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from app.class_store import ClassStore, Student

TEACHER_COOKIE = "nnplay_teacher"
STUDENT_COOKIE = "nnplay_student"
STUDENT_HEADER = "x-nnplay-student"


@dataclass(frozen=True)
class Viewer:
    """The asker: ``teacher`` True for the teacher, ``student`` for a student."""

    teacher: bool = False
    student: Student | None = None

    @property
    def owner(self) -> str | None:
        """The owner id what this viewer makes gets (None outside a class)."""
        return self.student.id if self.student is not None else None

    def may_read(self, owner: str | None) -> bool:
        """Whether this viewer may read a run or model owned by ``owner``."""
        return owner is None or owner == self.owner or self.teacher

    def may_change(self, owner: str | None) -> bool:
        """Whether this viewer may change or delete it."""
        return owner is None or owner == self.owner


ANYONE = Viewer()


def teacher_key(token: str) -> str:
    """The teacher cookie's value for a teacher token."""
    return hmac.new(token.encode(), b"nnplay teacher", hashlib.sha256).hexdigest()


def token_matches(given: object, token: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), token.encode())


def is_teacher(conn: HTTPConnection, token: str) -> bool:
    """Whether the request or socket carries the teacher's token or cookie."""
    auth = conn.headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and token_matches(auth[7:].strip(), token):
        return True
    return token_matches(conn.cookies.get(TEACHER_COOKIE), teacher_key(token))


def viewer_of(conn: HTTPConnection) -> Viewer:
    """The viewer a request or websocket comes from (ANYONE when the classroom
    is off)."""
    state = conn.app.state
    secret = state.settings.teacher_token
    classes: ClassStore | None = getattr(state, "classes", None)
    if secret is None or classes is None:
        return ANYONE
    teacher = is_teacher(conn, secret.get_secret_value())
    token = conn.headers.get(STUDENT_HEADER) or conn.cookies.get(STUDENT_COOKIE) or ""
    student = classes.student_by_token(token) if token else None
    return Viewer(teacher=teacher, student=student)
