"""Per-client limits of what one client holds: runs, saved models, uploads. One
address (or one student, or the teacher) cannot fill the server for everyone; a
refusal is a 409 that says which limit was hit and how to make room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error

TOKEN = "teacher-secret-42"

CODES = {"runs": "client_limit_runs", "saved models": "client_limit_models",
         "uploaded data sets": "client_limit_uploads"}
"""Each limit's error code (its type)."""


def refused_for(answer: Any, what: str, limit: int, free: str) -> None:
    assert answer.status_code == 409, answer.text
    error = only_error(answer)
    assert error["type"] == CODES[what] and error["ctx"]["limit"] == limit
    assert f"this client holds {limit} {what}" in error["msg"] and free in error["msg"]


def new_run(client: CheckedClient) -> str:
    answer = client.post("/api/runs", json={"spec": SMALL_SPEC})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_one_client_holds_at_most_max_runs_per_client(open_client: Callable[..., Any]):
    with open_client(max_runs_per_client=2, teacher_token=TOKEN) as anyone:
        first, _ = new_run(anyone), new_run(anyone)
        refused_for(anyone.post("/api/runs", json={"spec": SMALL_SPEC}), "runs", 2,
                    "DELETE /api/runs/")
        saved = anyone.post(f"/api/runs/{first}/save", json={"name": "m"}).json()["id"]
        refused_for(anyone.post("/api/models/import", json={"model_id": saved}), "runs", 2,
                    "delete one")
        # the teacher and a student are clients of their own at the same address
        teacher = CheckedClient(anyone.app)
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        new_run(teacher)
        assert anyone.delete(f"/api/runs/{first}").status_code == 204
        new_run(anyone)  # room again


def test_one_client_keeps_at_most_max_models_per_client(open_client: Callable[..., Any]):
    with open_client(max_models_per_client=2, teacher_token=TOKEN) as anyone:
        run = new_run(anyone)
        kept = [anyone.post(f"/api/runs/{run}/save", json={"name": f"m{i}"}).json()["id"]
                for i in range(2)]
        refused_for(anyone.post(f"/api/runs/{run}/save", json={"name": "m2"}),
                    "saved models", 2, "DELETE /api/models/")
        teacher = CheckedClient(anyone.app)
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        own = new_run(teacher)
        assert teacher.post(f"/api/runs/{own}/save", json={"name": "t"}).status_code == 201
        assert anyone.delete(f"/api/models/{kept[0]}").status_code == 204
        assert anyone.post(f"/api/runs/{run}/save", json={"name": "m2"}).status_code == 201


def test_one_client_keeps_at_most_max_uploads_per_client(open_client: Callable[..., Any]):
    headers = {"content-type": "text/csv"}

    def points(i: int) -> str:
        return f"x1,x2,label\n{i},0,0\n0,1,1\n1,0,1\n1,1,0\n"

    with open_client(max_uploads_per_client=2) as anyone:
        kept = [anyone.post("/api/uploads", content=points(i), headers=headers).json()["id"]
                for i in range(2)]
        again = anyone.post("/api/uploads", content=points(0), headers=headers)
        assert again.status_code == 200  # the same points again: nothing new is kept
        refused_for(anyone.post("/api/uploads", content=points(2), headers=headers),
                    "uploaded data sets", 2, "DELETE /api/uploads/")
        assert anyone.delete(f"/api/uploads/{kept[0]}").status_code == 204
        assert anyone.post("/api/uploads", content=points(2), headers=headers
                           ).status_code == 201
