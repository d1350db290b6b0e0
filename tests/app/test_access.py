"""Who may do what: wrong teacher tokens counted per address on every route that
takes the token, and what the teacher makes belonging to the teacher."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error

TOKEN = "teacher-secret-42"
WRONG = {"Authorization": "Bearer teacher-secret-43"}
RIGHT = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def server(open_client: Callable[..., Any]) -> Iterator[CheckedClient]:
    """A server with the classroom on, allowing 3 wrong teacher tokens a minute."""
    with open_client(teacher_token=TOKEN, teacher_failures_per_minute=3) as client:
        yield client


def test_wrong_bearer_tokens_are_counted_on_every_route(server: CheckedClient):
    """A guesser using routes that are not the teacher's own (here the list of
    saved models) is stopped as on the login form: after 3 wrong tokens, even
    the right one is refused from that address until the minute has passed."""
    for _ in range(3):
        assert server.get("/api/models", headers=WRONG).status_code == 200  # as anyone
    for method, path, headers, body in [
            ("GET", "/api/models", RIGHT, None),
            ("GET", "/api/classes", RIGHT, None),
            ("GET", "/api/runs/some-id", RIGHT, None),
            ("POST", "/api/teacher/login", {}, {"token": TOKEN})]:
        refused = server.request(method, path, headers=headers, json=body)
        assert refused.status_code == 429, (path, refused.text)
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        error = only_error(refused)
        assert error["type"] == "rate_teacher_failures" and "wrong teacher tokens" in error["msg"]
        assert error["loc"] == (["body", "token"] if body else ["header", "authorization"])
    # a request without a token is not refused, and a session cookie still works:
    # the real teacher behind the guesser's school address stays logged in
    assert server.get("/api/models").status_code == 200
    with pytest.raises(WebSocketDisconnect) as closed, \
            server.websocket_connect("/ws/runs/any", headers=RIGHT) as ws:
        error = ws.receive_json()
        assert error["type"] == "error" and error["field"] == "authorization"
        ws.receive_json()
    assert closed.value.code == 4429


def test_a_session_cookie_is_not_refused_for_the_addresss_guesses(server: CheckedClient):
    assert server.post("/api/teacher/login", json={"token": TOKEN}).status_code == 204
    for _ in range(3):
        assert server.post("/api/teacher/login", json={"token": "nope-nope"}).status_code == 401
    assert server.post("/api/teacher/login", json={"token": TOKEN}).status_code == 429
    assert server.get("/api/classes").status_code == 200  # the session from before


def saved_model(client: CheckedClient, name: str) -> str:
    run = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
    answer = client.post(f"/api/runs/{run}/save", json={"name": name})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_what_the_teacher_makes_is_the_teachers(server: CheckedClient):
    teacher = server
    assert teacher.post("/api/teacher/login", json={"token": TOKEN}).status_code == 204
    anyone = CheckedClient(teacher.app)
    model = saved_model(teacher, "answer key")
    public = saved_model(anyone, "public")
    csv = "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
    upload = teacher.post("/api/uploads", content=csv,
                          headers={"content-type": "text/csv"}).json()["id"]
    run = teacher.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
    code = teacher.post("/api/classes", json={"name": "3B", "lesson": "dead-relu"}).json()["code"]
    student = CheckedClient(teacher.app)
    assert student.post("/api/classroom/join",
                        json={"code": code, "name": "Mei"}).status_code == 201
    for other in (anyone, student):
        assert [m["id"] for m in other.get("/api/models").json()["items"]] == (
            [public] if other is anyone else [])
        assert other.get("/api/uploads").json()["items"] == []
        for method, path, body in [("GET", f"/api/models/{model}", None),
                                   ("DELETE", f"/api/models/{model}", None),
                                   ("GET", f"/api/uploads/{upload}", None),
                                   ("DELETE", f"/api/uploads/{upload}", None),
                                   ("GET", f"/api/runs/{run}", None),
                                   ("POST", f"/api/runs/{run}/train", {"steps": 5}),
                                   ("PATCH", f"/api/runs/{run}/hyper", {"lr": 0.5}),
                                   ("POST", f"/api/runs/{run}/jobs", {"steps": 5}),
                                   ("DELETE", f"/api/runs/{run}", None)]:
            answer = other.request(method, path, json=body)
            assert answer.status_code == 404, (method, path, answer.text)
        imported = other.post("/api/models/import", json={"model_id": model})
        assert imported.status_code == 404
        with pytest.raises(WebSocketDisconnect) as closed, \
                other.websocket_connect(f"/ws/runs/{run}") as ws:
            ws.receive_json()
            ws.receive_json()
        assert closed.value.code == 4404
    assert teacher.get(f"/api/runs/{run}").json()["step"] == 0  # nothing changed it
    listed = {m["id"] for m in teacher.get("/api/models").json()["items"]}
    assert listed == {model, public}  # the teacher reads everything
    for path in (f"/api/models/{model}", f"/api/uploads/{upload}", f"/api/runs/{run}"):
        assert teacher.delete(path).status_code == 204
