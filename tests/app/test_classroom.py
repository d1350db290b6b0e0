"""The classroom: the teacher's token, classes and join codes, students' own runs
and models, the class table, pushed lessons, and the class socket."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.class_store import CODE_ALPHABET
from app.frames import decode
from tests.app.conftest import SMALL_SPEC, CheckedClient

TOKEN = "teacher-secret-42"


@pytest.fixture
def teacher(open_client: Callable[..., Any]) -> Iterator[CheckedClient]:
    """The teacher's client (logged in) on a server with the classroom on."""
    with open_client(teacher_token=TOKEN) as client:
        assert client.post("/api/teacher/login", json={"token": TOKEN}).status_code == 204
        yield client


def other_client(client: TestClient) -> CheckedClient:
    """Another browser on the same server (its own cookies)."""
    return CheckedClient(client.app)


def start_class(teacher: TestClient, lesson: str = "dead-relu", **extra: Any) -> dict:
    answer = teacher.post("/api/classes", json={"name": "3B Tuesday", "lesson": lesson, **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()


def join(teacher: TestClient, code: str, name: str) -> CheckedClient:
    student = other_client(teacher)
    answer = student.post("/api/classroom/join", json={"code": code, "name": name})
    assert answer.status_code == 201, answer.text
    assert student.cookies.get("nnplay_student") == answer.json()["token"]
    return student


def new_run(client: TestClient, **body: Any) -> str:
    answer = client.post("/api/runs", json=body or {"spec": SMALL_SPEC})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def step_reached(ws: Any, step: int, frames: int = 10) -> bool:
    """Whether one of the next few frames on a socket shows ``step`` or later."""
    for _ in range(frames):
        message = ws.receive()
        if message.get("bytes") and decode(message["bytes"])[0]["step"] >= step:
            return True
    return False


def next_notice(ws: Any, frames: int = 10) -> dict:
    """The next JSON message on a socket (frames before it skipped)."""
    for _ in range(frames):
        message = ws.receive()
        if message.get("text"):
            return json.loads(message["text"])
    raise AssertionError("no notice")


def test_without_a_teacher_token_the_classroom_is_not_there(client: CheckedClient):
    for method, path, body in [("GET", "/teacher", None), ("GET", "/join", None),
                               ("POST", "/api/teacher/login", {"token": "anything!"}),
                               ("GET", "/api/classes", None),
                               ("POST", "/api/classes", {"name": "x", "lesson": "xor-two-relu"}),
                               ("POST", "/api/classroom/join", {"code": "ABCDEF", "name": "x"}),
                               ("GET", "/api/classroom/me", None)]:
        answer = client.request(method, path, json=body)
        assert answer.status_code == 404, (path, answer.text)
        assert "classroom is off" in answer.json()["detail"][0]["msg"]
    assert_class_over(client)


def assert_class_over(client: TestClient, headers: dict[str, str] | None = None) -> None:
    """The class socket tells a page with no class that it has ended, and closes
    with 4401 after accepting (a refused handshake would look like a network
    failure to a browser, which would retry for ever)."""
    with pytest.raises(WebSocketDisconnect) as closed, \
            client.websocket_connect("/ws/classroom", headers=headers or {}) as ws:
        assert json.loads(ws.receive_text()) == {"type": "ended"}
        ws.receive_text()
    assert closed.value.code == 4401


def test_teacher_routes_need_the_token(open_client: Callable[..., Any]):
    with open_client(teacher_token=TOKEN) as client:
        answer = client.get("/api/classes")
        assert answer.status_code == 401
        assert answer.json()["detail"][0]["loc"] == ["header", "authorization"]
        wrong = client.post("/api/teacher/login", json={"token": "teacher-secret-43"})
        assert wrong.status_code == 401 and wrong.json()["detail"][0]["loc"] == ["body", "token"]
        assert "nnplay_teacher" not in client.cookies
        bearer = client.get("/api/classes", headers={"Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 200 and bearer.json()["items"] == []
        assert 'data-teacher="no"' in client.get("/teacher").text  # the login form
        client.post("/api/teacher/login", json={"token": TOKEN})
        assert client.cookies["nnplay_teacher"] != TOKEN  # never the token itself
        assert 'data-teacher="yes"' in client.get("/teacher").text
        client.post("/api/teacher/logout")
        assert client.get("/api/classes").status_code == 401


def test_a_class_has_a_short_code_students_join_with(teacher: CheckedClient):
    made = start_class(teacher, "xor-two-relu", variant="learned")
    assert len(made["code"]) == 6 and set(made["code"]) <= set(CODE_ALPHABET)
    assert made["lesson"] == "xor-two-relu" and made["variant"] == "learned"
    assert made["lesson_version"] == 1
    assert [c["id"] for c in teacher.get("/api/classes").json()["items"]] == [made["id"]]
    typed = f"{made['code'][:3].lower()}-{made['code'][3:]} "
    student = join(teacher, typed, "  Mei  ")
    me = student.get("/api/classroom/me").json()
    assert me["student"]["name"] == "Mei"
    assert me["class"]["code"] == made["code"] and me["class"]["lesson"] == "xor-two-relu"
    assert "Mei" in student.get("/").text  # the page shows the student's class banner


@pytest.mark.parametrize(("body", "status", "loc"), [
    ({"code": "ZZZZZZ", "name": "Mei"}, 404, ["body", "code"]),
    ({"code": "{code}", "name": "   "}, 422, ["body", "name"]),
    ({"code": "{code}", "name": "x" * 41}, 422, ["body", "name"]),
    ({"code": "{code}", "name": "a\u0007b"}, 422, ["body", "name"]),
    ({"code": "{code}", "name": "Mei\u202e"}, 422, ["body", "name"]),  # a bidi override
    ({"code": "{code}"}, 422, ["body", "name"]),
    ({"code": "{code}", "name": 7}, 422, ["body", "name"]),
])
def test_bad_joins_name_the_field(teacher: CheckedClient, body: dict, status: int, loc: list):
    code = start_class(teacher)["code"]
    body = {k: (v.replace("{code}", code) if isinstance(v, str) else v) for k, v in body.items()}
    answer = other_client(teacher).post("/api/classroom/join", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize("name", ["\u0639\u0644\u06cc\u200c\u0631\u0636\u0627",
                                  "\U0001f469\u200d\U0001f393", "Zoë", "王小明"])
def test_names_with_joiners_and_any_script_join(teacher: CheckedClient, name: str):
    """A Persian name with a zero-width non-joiner, an emoji sequence with a
    zero-width joiner: format characters that are part of real names."""
    code = start_class(teacher)["code"]
    answer = other_client(teacher).post("/api/classroom/join", json={"code": code, "name": name})
    assert answer.status_code == 201, answer.text
    assert answer.json()["student"]["name"] == name


@pytest.mark.parametrize(("body", "loc"), [
    ({"name": "x", "lesson": "no-such-lesson"}, ["body", "lesson"]),
    ({"name": "x", "lesson": "dead-relu", "variant": "bogus"}, ["body", "variant"]),
    ({"name": "", "lesson": "dead-relu"}, ["body", "name"]),
    ({"lesson": "dead-relu"}, ["body", "name"]),
])
def test_bad_classes_name_the_field(teacher: CheckedClient, body: dict, loc: list):
    answer = teacher.post("/api/classes", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == loc


def test_a_students_run_is_theirs_alone(teacher: CheckedClient):
    code = start_class(teacher)["code"]
    mei, kai = join(teacher, code, "Mei"), join(teacher, code, "Kai")
    anyone = other_client(teacher)
    run = new_run(mei, lesson="dead-relu")
    assert mei.post(f"/api/runs/{run}/train", json={"steps": 20}).status_code == 200
    for intruder in (kai, anyone):
        for method, path, body in [("GET", f"/api/runs/{run}", None),
                                   ("GET", f"/api/runs/{run}/snapshot", None),
                                   ("POST", f"/api/runs/{run}/train", {"steps": 5}),
                                   ("PATCH", f"/api/runs/{run}/hyper", {"lr": 0.5}),
                                   ("POST", f"/api/runs/{run}/reset", None),
                                   ("POST", f"/api/runs/{run}/save", {"name": "stolen"}),
                                   ("DELETE", f"/api/runs/{run}", None)]:
            answer = intruder.request(method, path, json=body)
            assert answer.status_code == 404, (method, path, answer.text)
        with pytest.raises(WebSocketDisconnect) as closed, \
                intruder.websocket_connect(f"/ws/runs/{run}") as ws:
            ws.receive_text()
            ws.receive_text()
        assert closed.value.code == 4404
    assert mei.get(f"/api/runs/{run}").json()["step"] == 20  # nothing changed it
    # the teacher may read it, never change it
    assert teacher.get(f"/api/runs/{run}").json()["step"] == 20
    assert teacher.post(f"/api/runs/{run}/train", json={"steps": 5}).status_code == 404
    assert teacher.delete(f"/api/runs/{run}").status_code == 404
    # a run made outside the class is still anyone's who holds its id
    open_run = new_run(anyone)
    assert kai.get(f"/api/runs/{open_run}").status_code == 200
    assert mei.delete(f"/api/runs/{run}").status_code == 204


def test_a_students_models_are_theirs_alone(teacher: CheckedClient):
    code = start_class(teacher)["code"]
    mei, kai = join(teacher, code, "Mei"), join(teacher, code, "Kai")
    anyone = other_client(teacher)
    saved = mei.post(f"/api/runs/{new_run(mei)}/save", json={"name": "mine"}).json()
    public = anyone.post(f"/api/runs/{new_run(anyone)}/save", json={"name": "public"}).json()
    assert [m["name"] for m in mei.get("/api/models").json()["items"]] == ["mine"]
    assert [m["name"] for m in kai.get("/api/models").json()["items"]] == []
    assert [m["name"] for m in anyone.get("/api/models").json()["items"]] == ["public"]
    assert {m["name"] for m in teacher.get("/api/models").json()["items"]} == {"mine", "public"}
    for intruder in (kai, anyone):
        assert intruder.get(f"/api/models/{saved['id']}").status_code == 404
        assert intruder.delete(f"/api/models/{saved['id']}").status_code == 404
        stolen = intruder.post("/api/models/import", json={"model_id": saved["id"]})
        assert stolen.status_code == 404 and stolen.json()["detail"][0]["loc"] == [
            "body", "model_id"]
    assert teacher.get(f"/api/models/{saved['id']}").status_code == 200
    assert teacher.delete(f"/api/models/{saved['id']}").status_code == 404
    opened = mei.post("/api/models/import", json={"model_id": saved["id"]}).json()
    assert kai.get(f"/api/runs/{opened['id']}").status_code == 404  # the opened run is Mei's
    assert mei.get(f"/api/models/{public['id']}").status_code == 200
    assert mei.delete(f"/api/models/{saved['id']}").status_code == 204
    assert teacher.get("/api/models").json()["items"][0]["name"] == "public"


def test_the_class_table_shows_each_students_newest_run(teacher: CheckedClient):
    made = start_class(teacher, "dead-relu")
    mei, kai = join(teacher, made["code"], "Mei"), join(teacher, made["code"], "Kai")
    new_run(mei, lesson="xor-two-relu")
    run = new_run(mei, lesson="dead-relu")
    mei.post(f"/api/runs/{run}/train", json={"steps": 300})
    table = teacher.get(f"/api/classes/{made['id']}").json()
    assert table["class"]["code"] == made["code"]
    rows = {row["name"]: row for row in table["students"]}
    assert list(rows) == ["Mei", "Kai"]
    assert rows["Kai"]["run"] is None and rows["Kai"]["runs"] == 0
    row = rows["Mei"]["run"]
    assert rows["Mei"]["runs"] == 2 and row["id"] == run and row["lesson"] == "dead-relu"
    info = mei.get(f"/api/runs/{run}").json()
    assert row["step"] == 300 and row["test_loss"] == pytest.approx(info["metrics"]["test_loss"])
    assert row["units"] == sum(layer.get("units", 0) for layer in info["layers"]
                               if layer["type"] == "dense") - 1 or row["units"] > 0
    snapshot = mei.get(f"/api/runs/{run}/snapshot").json()
    dead = sum(sum(layer["dead"]) for layer in snapshot["layers"] if "dead" in layer)
    assert row["dead_units"] == dead
    assert row["status"] == "idle" and row["playing"] is False and row["watched"] is False
    # live: the row follows the frames the student's page receives
    with mei.websocket_connect(f"/ws/runs/{run}") as ws:
        ws.receive_bytes()
        ws.send_json({"type": "step", "n": 7})
        header, _ = decode(ws.receive_bytes())
        assert header["step"] == 307
        now = teacher.get(f"/api/classes/{made['id']}").json()["students"][0]["run"]
        assert now["step"] == 307 and now["watched"] is True
    assert teacher.get(f"/api/classes/{made['id']}").status_code == 200
    assert kai.get(f"/api/classes/{made['id']}").status_code == 401


def test_a_new_run_drops_the_students_runs_no_page_shows(
        teacher: CheckedClient, monkeypatch: pytest.MonkeyPatch):
    """A reloaded page or a pushed lesson makes a new run: the student's older
    runs that none of their pages shows go, so a class does not fill the server;
    a run open in another tab stays, and so do other people's runs."""
    made = start_class(teacher, "dead-relu")
    ali = join(teacher, made["code"], "Ali")
    young = new_run(ali)  # a page that has not connected yet: younger than 5 s, kept
    new_run(ali, lesson="xor-two-relu")
    assert ali.get(f"/api/runs/{young}").status_code == 200
    monkeypatch.setattr("app.classroom.RETIRE_AFTER_SECONDS", 0.0)
    mei, kai = join(teacher, made["code"], "Mei"), join(teacher, made["code"], "Kai")
    kais = new_run(kai)
    anyones = new_run(other_client(teacher))  # outside the class: nobody's
    first = new_run(mei)
    with mei.websocket_connect(f"/ws/runs/{first}") as ws:  # a tab shows it
        ws.receive_bytes()
        second = new_run(mei, lesson="xor-two-relu")  # the page reloaded or left
        third = new_run(mei, lesson="dead-relu")
        assert mei.get(f"/api/runs/{first}").status_code == 200
        assert mei.get(f"/api/runs/{second}").status_code == 404
    model = mei.post(f"/api/runs/{third}/save", json={"name": "kept"}).json()["id"]
    fourth = mei.post("/api/models/import", json={"model_id": model}).json()["id"]
    for gone in (first, third):  # the tab closed; importing makes a run too
        assert mei.get(f"/api/runs/{gone}").status_code == 404
    assert mei.get(f"/api/runs/{fourth}").status_code == 200
    assert mei.get(f"/api/models/{model}").status_code == 200
    assert kai.get(f"/api/runs/{kais}").status_code == 200
    assert teacher.get(f"/api/runs/{anyones}").status_code == 200
    rows = {r["name"]: r for r in teacher.get(f"/api/classes/{made['id']}").json()["students"]}
    assert rows["Mei"]["runs"] == 1 and rows["Mei"]["run"]["id"] == fourth


def test_a_full_server_makes_room_for_a_class_run_from_runs_outside_the_class_first(
        open_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch):
    """At the cap, a student's new run takes the place of a run made outside the
    class (one no page shows first), then of another student's run no page shows;
    runs a class page shows stay, and a run from outside the class is refused."""
    monkeypatch.setattr("app.classroom.RETIRE_AFTER_SECONDS", 0.0)
    with open_client(teacher_token=TOKEN, max_runs=4) as teacher:
        assert teacher.post("/api/teacher/login", json={"token": TOKEN}).status_code == 204
        made = start_class(teacher)
        mei, kai, ali, bo = (join(teacher, made["code"], n) for n in ("Mei", "Kai", "Ali", "Bo"))
        outside = other_client(teacher)
        watched, unwatched = new_run(outside), new_run(outside)
        shown, left = new_run(mei), new_run(kai)
        as_mei = {"X-Nnplay-Student": mei.cookies["nnplay_student"]}
        # one client (one event loop) for both sockets: Mei's page, and a page outside
        with outside.websocket_connect(f"/ws/runs/{shown}", headers=as_mei) as ws, \
                outside.websocket_connect(f"/ws/runs/{watched}") as other:
            ws.receive_bytes()
            other.receive_bytes()
            alis = new_run(ali)  # full: the outside run no page shows goes
            assert outside.get(f"/api/runs/{unwatched}").status_code == 404
            assert kai.get(f"/api/runs/{left}").status_code == 200
            refused = outside.post("/api/runs", json={"spec": SMALL_SPEC})
            assert refused.status_code == 429  # outside the class: no room is made
            bos = new_run(bo)  # full: the outside run a page shows goes before Kai's
            assert outside.get(f"/api/runs/{watched}").status_code == 404
            assert kai.get(f"/api/runs/{left}").status_code == 200
            kais = new_run(kai)  # Kai's own run no page shows makes room for Kai
            assert kai.get(f"/api/runs/{left}").status_code == 404
            third = new_run(mei)  # full: Ali's run (used least recently) goes
            assert ali.get(f"/api/runs/{alis}").status_code == 404
            for client, run in ((mei, shown), (mei, third), (bo, bos), (kai, kais)):
                assert client.get(f"/api/runs/{run}").status_code == 200


def test_the_teacher_watches_a_run_read_only(teacher: CheckedClient):
    made = start_class(teacher)
    code = made["code"]
    mei = join(teacher, code, "Mei")
    run = new_run(mei)
    # one client (one event loop) for both sockets, as in the server: the student's
    # socket carries the student's token
    as_mei = {"X-Nnplay-Student": mei.cookies["nnplay_student"]}
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with teacher.websocket_connect(f"/ws/runs/{run}", headers=bearer) as watch:
        watch.receive_bytes()
        with teacher.websocket_connect(f"/ws/runs/{run}", headers=as_mei) as own:
            own.receive_bytes()
            watch.send_json({"type": "step", "n": 5})
            error = next_notice(watch)
            assert error["field"] == "type" and "read-only" in error["message"]
            own.send_json({"type": "step", "n": 4})
            assert step_reached(own, 4)
            assert step_reached(watch, 4)  # the teacher sees it too
            own.send_json({"type": "play"})
            assert step_reached(watch, 14)  # it plays (10 steps a frame)
        # the student's tab closed: the run pauses, though the teacher still watches,
        # and the class table says the student's page is closed
        time.sleep(0.3)
        row = teacher.get(f"/api/classes/{made['id']}").json()["students"][0]["run"]
        assert row["watched"] is False and row["playing"] is False
        first = mei.get(f"/api/runs/{run}").json()["step"]
        time.sleep(0.3)
        assert mei.get(f"/api/runs/{run}").json()["step"] == first


def test_a_pushed_lesson_reaches_every_students_class_socket(teacher: CheckedClient):
    made = start_class(teacher, "dead-relu")
    # one client (one event loop) for the sockets and the push, as in the server;
    # each student is told by their token's header
    tokens = [join(teacher, made["code"], name).cookies["nnplay_student"]
              for name in ("Mei", "Kai")]
    mei, kai = ({"X-Nnplay-Student": token} for token in tokens)
    with teacher.websocket_connect("/ws/classroom", headers=mei) as a, \
            teacher.websocket_connect("/ws/classroom", headers=kai) as b:
        for ws in (a, b):
            first = ws.receive_json()
            assert first == {"type": "lesson", "lesson": "dead-relu", "variant": None,
                             "lesson_version": 1, "class": "3B Tuesday", "code": made["code"]}
        pushed = teacher.put(f"/api/classes/{made['id']}/lesson",
                             json={"lesson": "dropout", "variant": None}).json()
        assert pushed["lesson_version"] == 2
        for ws in (a, b):
            message = ws.receive_json()
            assert (message["lesson"], message["lesson_version"]) == ("dropout", 2)
        bad = teacher.put(f"/api/classes/{made['id']}/lesson", json={"lesson": "nope"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "lesson"]
        student = other_client(teacher)
        assert student.put(f"/api/classes/{made['id']}/lesson", headers=mei,
                           json={"lesson": "xor-two-relu"}).status_code == 401
        me = student.get("/api/classroom/me", headers=mei).json()
        assert me["class"]["lesson"] == "dropout"
        teacher.delete(f"/api/classes/{made['id']}")
        assert a.receive_json() == {"type": "ended"}
        assert b.receive_json() == {"type": "ended"}
    # a page that reconnects later (its socket had dropped) learns it too
    assert_class_over(other_client(teacher), headers=mei)


def test_ending_a_class_drops_its_runs_and_keeps_saved_models(teacher: CheckedClient):
    made = start_class(teacher)
    mei = join(teacher, made["code"], "Mei")
    run = new_run(mei)
    saved = mei.post(f"/api/runs/{run}/save", json={"name": "kept"}).json()
    assert teacher.delete(f"/api/classes/{made['id']}").status_code == 204
    assert teacher.get(f"/api/classes/{made['id']}").status_code == 404
    assert mei.get("/api/classroom/me").status_code == 401
    assert teacher.get(f"/api/runs/{run}").status_code == 404
    assert teacher.get(f"/api/models/{saved['id']}").status_code == 200
    assert other_client(teacher).post("/api/classroom/join", json={
        "code": made["code"], "name": "late"}).status_code == 404


def test_classes_students_and_their_models_survive_a_restart(
        open_client: Callable[..., Any]):
    with open_client(teacher_token=TOKEN) as first:
        first.post("/api/teacher/login", json={"token": TOKEN})
        made = start_class(first, "dropout")
        mei = join(first, made["code"], "Mei")
        token = mei.cookies["nnplay_student"]
        saved = mei.post(f"/api/runs/{new_run(mei)}/save", json={"name": "mine"}).json()
    with open_client(teacher_token=TOKEN) as second:
        headers = {"X-Nnplay-Student": token}
        me = second.get("/api/classroom/me", headers=headers).json()
        assert me["student"]["name"] == "Mei" and me["class"]["lesson"] == "dropout"
        assert [m["id"] for m in second.get("/api/models", headers=headers).json()["items"]] == [
            saved["id"]]
        assert second.get("/api/models").json()["items"] == []
        table = second.get(f"/api/classes/{made['id']}",
                           headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert [s["name"] for s in table["students"]] == ["Mei"]


def test_a_class_holds_at_most_max_students(open_client: Callable[..., Any]):
    with open_client(teacher_token=TOKEN, max_students=2, max_classes=1) as teacher:
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        code = start_class(teacher)["code"]
        join(teacher, code, "a")
        join(teacher, code, "b")
        full = other_client(teacher).post("/api/classroom/join", json={"code": code, "name": "c"})
        assert full.status_code == 409 and full.json()["detail"][0]["loc"] == ["body", "code"]
        second = teacher.post("/api/classes", json={"name": "y", "lesson": "dropout"})
        assert second.status_code == 409


def test_students_behind_one_address_each_have_their_own_run_allowance(
        open_client: Callable[..., Any]):
    """Students, the teacher and the address each count on their own: logging in
    and joining do not use up the address's allowance of runs."""
    with open_client(teacher_token=TOKEN, runs_per_minute=3) as teacher:
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        code = start_class(teacher)["code"]
        mei, kai = join(teacher, code, "Mei"), join(teacher, code, "Kai")
        anyone = other_client(teacher)
        for client in (mei, kai, teacher, anyone):  # the same test address, yet 3 runs each
            for _ in range(3):
                new_run(client)
            refused = client.post("/api/runs", json={"spec": SMALL_SPEC})
            assert refused.status_code == 429


def test_a_students_uploaded_data_is_theirs_alone(teacher: CheckedClient):
    code = start_class(teacher)["code"]
    mei, kai = join(teacher, code, "Mei"), join(teacher, code, "Kai")
    csv = "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.5,0.5,1\n"
    headers = {"content-type": "text/csv"}
    mine = mei.post("/api/uploads", content=csv, headers=headers).json()
    assert [u["id"] for u in mei.get("/api/uploads").json()["items"]] == [mine["id"]]
    assert kai.get("/api/uploads").json()["items"] == []
    assert [u["id"] for u in teacher.get("/api/uploads").json()["items"]] == [mine["id"]]
    for intruder in (kai, other_client(teacher)):
        assert intruder.get(f"/api/uploads/{mine['id']}").status_code == 404
        assert intruder.delete(f"/api/uploads/{mine['id']}").status_code == 404
        refused = intruder.post("/api/runs", json={"spec": {"data": mine["data"]}})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "spec", "data", "upload"]
    # the same file from Kai is Kai's own upload, with its own id
    theirs = kai.post("/api/uploads", content=csv, headers=headers).json()
    assert theirs["id"] != mine["id"]
    run = mei.post("/api/runs", json={"spec": {"data": mine["data"], "hidden": [3]}})
    assert run.status_code == 201
    assert teacher.get(f"/api/uploads/{mine['id']}").status_code == 200
    assert teacher.delete(f"/api/uploads/{mine['id']}").status_code == 404
    assert mei.delete(f"/api/uploads/{mine['id']}").status_code == 204


def test_joining_is_limited_per_address_and_per_class(open_client: Callable[..., Any]):
    """Made-up students cannot fill a class in seconds: an address may try 3 joins a
    minute (wrong codes count too), and a class takes 2 students a minute."""
    with open_client(teacher_token=TOKEN, joins_per_minute=3, class_joins_per_minute=2
                     ) as teacher:
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        first, second = start_class(teacher)["code"], start_class(teacher)["code"]

        def attempt(address: str, code: str) -> Any:
            client = CheckedClient(teacher.app, client=(address, 5000))
            return client.post("/api/classroom/join", json={"code": code, "name": "x"})

        assert [attempt("192.0.2.1", first).status_code for _ in range(2)] == [201, 201]
        full = attempt("192.0.2.1", first)
        assert full.status_code == 429 and "this class was joined by 2" in full.text
        assert full.json()["detail"][0]["loc"] == ["body", "code"]
        busy = attempt("192.0.2.1", second)  # the address's fourth try in the minute
        assert busy.status_code == 429 and "this address tried to join a class 3" in busy.text
        assert 1 <= int(busy.headers["retry-after"]) <= 60
        assert attempt("192.0.2.2", second).status_code == 201
        for _ in range(2):  # wrong codes count too
            assert attempt("192.0.2.2", "ZZZZZZ").status_code == 404
        assert attempt("192.0.2.2", second).status_code == 429
        classes = teacher.get("/api/classes").json()["items"]
        assert sorted(len(teacher.get(f"/api/classes/{c['id']}").json()["students"])
                      for c in classes) == [1, 2]


def test_the_teacher_removes_a_student(teacher: CheckedClient):
    """Their token stops working, their class socket is told, their runs, saved
    models and uploads go; the other students keep theirs."""
    made = start_class(teacher)
    mei, kai = join(teacher, made["code"], "Mei"), join(teacher, made["code"], "Kai")
    runs = {name: new_run(client) for name, client in (("Mei", mei), ("Kai", kai))}
    models = {name: client.post(f"/api/runs/{runs[name]}/save", json={"name": name}).json()["id"]
              for name, client in (("Mei", mei), ("Kai", kai))}
    csv = "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
    upload = kai.post("/api/uploads", content=csv, headers={"content-type": "text/csv"})
    rows = teacher.get(f"/api/classes/{made['id']}").json()["students"]
    kai_id = next(r["id"] for r in rows if r["name"] == "Kai")
    as_kai = {"X-Nnplay-Student": kai.cookies["nnplay_student"]}
    path = f"/api/classes/{made['id']}/students/{kai_id}"
    assert kai.delete(path).status_code == 401  # the teacher's alone
    with teacher.websocket_connect("/ws/classroom", headers=as_kai) as ws:
        assert ws.receive_json()["type"] == "lesson"
        assert teacher.delete(path).status_code == 204
        assert ws.receive_json() == {"type": "ended"}
    assert kai.get("/api/classroom/me").status_code == 401
    assert [r["name"] for r in teacher.get(f"/api/classes/{made['id']}").json()["students"]
            ] == ["Mei"]
    for gone in (f"/api/runs/{runs['Kai']}", f"/api/models/{models['Kai']}",
                 f"/api/uploads/{upload.json()['id']}"):
        assert teacher.get(gone).status_code == 404, gone
    assert mei.get(f"/api/runs/{runs['Mei']}").status_code == 200
    assert mei.get(f"/api/models/{models['Mei']}").status_code == 200
    again = teacher.delete(path)
    assert again.status_code == 404 and again.json()["detail"][0]["loc"] == [
        "path", "student_id"]
    other_class = start_class(teacher)["id"]
    mei_id = next(r["id"] for r in rows if r["name"] == "Mei")
    assert teacher.delete(f"/api/classes/{other_class}/students/{mei_id}").status_code == 404
