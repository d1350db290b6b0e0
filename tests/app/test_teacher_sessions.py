"""The teacher's sessions: logging in opens one (its cookie is a random id, not
a function of the token), logging out ends it for good, a restart keeps it, a
new teacher token ends every one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.teacher_sessions import MAX_SESSIONS, TeacherSessions
from tests.app.conftest import CheckedClient

TOKEN = "teacher-secret-42"


def logged_in(client: CheckedClient) -> str:
    """Log ``client`` in; the session cookie's value."""
    assert client.post("/api/teacher/login", json={"token": TOKEN}).status_code == 204
    return client.cookies["nnplay_teacher"]


def with_cookie(client: CheckedClient, cookie: str) -> CheckedClient:
    """Another browser of the same server holding this teacher cookie."""
    other = CheckedClient(client.app)
    other.cookies.set("nnplay_teacher", cookie)
    return other


def test_logging_out_ends_the_session_even_for_a_kept_cookie(open_client: Callable[..., Any]):
    with open_client(teacher_token=TOKEN) as teacher:
        first, second = logged_in(teacher), logged_in(CheckedClient(teacher.app))
        assert first != second  # a session each, not a fixed value of the token
        kept = with_cookie(teacher, first)
        assert kept.get("/api/classes").status_code == 200
        assert teacher.post("/api/teacher/logout").status_code == 204
        assert "nnplay_teacher" not in teacher.cookies
        assert kept.get("/api/classes").status_code == 401  # the copy no longer works
        assert 'data-teacher="no"' in kept.get("/teacher").text
        assert with_cookie(teacher, second).get("/api/classes").status_code == 200


def test_a_session_survives_a_restart_but_not_a_new_token(open_client: Callable[..., Any]):
    with open_client(teacher_token=TOKEN) as first:
        cookie = logged_in(first)
    with open_client(teacher_token=TOKEN) as again:
        assert with_cookie(again, cookie).get("/api/classes").status_code == 200
    with open_client(teacher_token="another-token-43") as changed:
        assert with_cookie(changed, cookie).get("/api/classes").status_code == 401


def test_sessions_expire_and_only_the_newest_are_kept(tmp_path: Path):
    sessions = TeacherSessions(tmp_path / "db.sqlite", TOKEN, max_age=100.0)
    old = sessions.open(now=1000.0)
    assert sessions.valid(old, now=1099.0) and not sessions.valid(old, now=1100.0)
    ids = [sessions.open(now=2000.0 + i) for i in range(MAX_SESSIONS + 5)]
    assert not any(sessions.valid(i, now=2000.0) for i in ids[:5])
    assert all(sessions.valid(i, now=2000.0) for i in ids[5:])
    for bad in ("", "x" * 101, None, 7):
        assert not sessions.valid(bad)
    sessions.close(ids[-1])
    assert not sessions.valid(ids[-1], now=2000.0)
