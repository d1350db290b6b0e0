"""Who is asking: the teacher, a student of a class, or anyone.

The classroom is on when the setting ``teacher_token`` is set. Then:

- the teacher proves themselves with ``Authorization: Bearer <teacher token>`` or
  the cookie ``nnplay_teacher`` that ``POST /api/teacher/login`` sets (a session
  of :mod:`app.teacher_sessions`: logging out ends it, and so does changing the
  token). Wrong tokens are counted per address on every route (the setting
  ``teacher_failures_per_minute``): past the limit, any token that address sends
  is refused with 429 until its minute has passed, so the token cannot be
  guessed quickly. A session cookie is never refused that way: it is 256 random
  bits, not a password, and a teacher whose school address a guesser shares
  stays logged in;
- a student is known by the token they got on joining a class: the cookie
  ``nnplay_student`` (set on joining) or the header ``X-Nnplay-Student``.

What a student makes (runs, saved models, uploaded data) is theirs (``owner`` is
their id), and what the teacher makes is the teacher's (``owner`` is
:data:`TEACHER`): nobody else can change or delete it, and to anyone else it
does not exist (404), except that the teacher may read anything (a read-only
view). What is made outside a class belongs to nobody: whoever holds the id may
use it, and lists of saved models and uploads show it to anyone who is neither
a student nor the teacher.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from app.addresses import address_of
from app.class_store import ClassStore, Student
from app.rate_limit import PerMinute
from app.teacher_sessions import TeacherSessions

TEACHER_COOKIE = "nnplay_teacher"
STUDENT_COOKIE = "nnplay_student"
STUDENT_HEADER = "x-nnplay-student"
TEACHER = "teacher"
"""The owner id of what the teacher makes (a student's id is never this word)."""


@dataclass(frozen=True)
class Viewer:
    """The asker: ``teacher`` True for the teacher, ``student`` for a student."""

    teacher: bool = False
    student: Student | None = None

    @property
    def owner(self) -> str | None:
        """The owner id what this viewer makes gets: the student's id, TEACHER,
        or None outside the classroom."""
        if self.student is not None:
            return self.student.id
        return TEACHER if self.teacher else None

    def may_read(self, owner: str | None) -> bool:
        """Whether this viewer may read a run or model owned by ``owner``."""
        return owner is None or owner == self.owner or self.teacher

    def may_change(self, owner: str | None) -> bool:
        """Whether this viewer may change or delete it."""
        return owner is None or owner == self.owner


ANYONE = Viewer()


def token_matches(given: object, token: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), token.encode())


def check_token(conn: HTTPConnection, given: object, token: str) -> bool:
    """Whether ``given`` is the teacher token, counting a wrong one against the
    connection's address; ApiError 429 (nothing compared) while the address is
    over the setting ``teacher_failures_per_minute``."""
    failures: PerMinute = conn.app.state.teacher_failures
    address = address_of(conn)
    if failures.over(address):
        raise failures.refusal(address)
    if token_matches(given, token):
        return True
    failures.hit(address)
    return False


def is_teacher(conn: HTTPConnection, token: str) -> bool:
    """Whether the request or socket carries the teacher's token or an open
    session's cookie (a wrong token is counted, see :func:`check_token`)."""
    auth = conn.headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and check_token(conn, auth[7:].strip(), token):
        return True
    sessions: TeacherSessions | None = getattr(conn.app.state, "teacher_sessions", None)
    cookie = conn.cookies.get(TEACHER_COOKIE)
    return sessions is not None and cookie is not None and sessions.valid(cookie)


def viewer_of(conn: HTTPConnection) -> Viewer:
    """The viewer a request or websocket comes from (ANYONE when the classroom
    is off), worked out once per request; ApiError 429 for a teacher token sent
    from an address that sent too many wrong ones."""
    known = getattr(conn.state, "viewer", None)
    if isinstance(known, Viewer):
        return known
    state = conn.app.state
    secret = state.settings.teacher_token
    classes: ClassStore | None = getattr(state, "classes", None)
    if secret is None or classes is None:
        return ANYONE
    teacher = is_teacher(conn, secret.get_secret_value())
    token = conn.headers.get(STUDENT_HEADER) or conn.cookies.get(STUDENT_COOKIE) or ""
    student = classes.student_by_token(token) if token else None
    viewer = Viewer(teacher=teacher, student=student)
    conn.state.viewer = viewer
    return viewer
