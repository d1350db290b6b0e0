"""Lists page the same way (``{"items", "total", "limit", "offset"}``, newest first),
and what a POST creates is at the answer's ``Location``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error
from tests.app.test_classroom import TOKEN, join, start_class
from tests.app.test_uploads import disk_csv, upload


def names(page: dict[str, Any]) -> list[str]:
    return [item["name"] for item in page["items"]]


def test_models_list_pages_with_limit_and_offset(client: CheckedClient,
                                                 new_run: Callable[..., str]) -> None:
    run_id = new_run()
    for name in ("first", "second", "third"):
        client.post(f"/api/runs/{run_id}/save", json={"name": name})
    everything = client.get("/api/models").json()
    assert names(everything) == ["third", "second", "first"]
    assert {k: v for k, v in everything.items() if k != "items"} == {
        "total": 3, "limit": 50, "offset": 0}
    first = client.get("/api/models", params={"limit": 2}).json()
    assert names(first) == ["third", "second"] and first["total"] == 3
    assert (first["limit"], first["offset"]) == (2, 0)
    rest = client.get("/api/models", params={"limit": 2, "offset": 2}).json()
    assert names(rest) == ["first"] and (rest["total"], rest["offset"]) == (3, 2)
    beyond = client.get("/api/models", params={"offset": 10}).json()
    assert beyond == {"items": [], "total": 3, "limit": 50, "offset": 10}


def test_uploads_list_pages_with_limit_and_offset(client: CheckedClient) -> None:
    made = [upload(client, disk_csv(20 + i), name=f"set {i}").json() for i in range(3)]
    page = client.get("/api/uploads", params={"limit": 1, "offset": 1}).json()
    assert page == {"items": [made[1]], "total": 3, "limit": 1, "offset": 1}
    assert page["items"][0]["data"] == {"name": "upload", "upload": made[1]["id"]}


def test_classes_list_pages_with_limit_and_offset(open_client: Callable[..., Any]) -> None:
    with open_client(teacher_token=TOKEN) as teacher:
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        made = [start_class(teacher, name=f"class {i}") for i in range(3)]
        page = teacher.get("/api/classes", params={"limit": 2}).json()
        assert [c["id"] for c in page["items"]] == [made[2]["id"], made[1]["id"]]
        assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
        last = teacher.get("/api/classes", params={"limit": 2, "offset": 2}).json()
        assert [c["name"] for c in last["items"]] == ["class 0"]


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"limit": 0}, "limit", "greater than or equal to 1"),
    ({"limit": 201}, "limit", "less than or equal to 200"),
    ({"offset": -1}, "offset", "greater than or equal to 0"),
    ({"limit": "ten"}, "limit", "integer"),
    ({"offset": 10**26}, "offset", "less than or equal to 1000000"),
])
def test_lists_limit_out_of_range_is_422_naming_it(client: CheckedClient, query: dict,
                                                   field: str, words: str) -> None:
    for path in ("/api/models", "/api/uploads"):
        answer = client.get(path, params=query)
        assert answer.status_code == 422
        error = only_error(answer)
        assert error["loc"] == ["query", field] and words in error["msg"]


def test_created_run_and_model_are_at_their_location(client: CheckedClient) -> None:
    made = client.post("/api/runs", json={"spec": SMALL_SPEC})
    run_id = made.json()["id"]
    assert made.headers["location"] == f"/api/runs/{run_id}"
    assert client.get(made.headers["location"]).json()["id"] == run_id
    saved = client.post(f"/api/runs/{run_id}/save", json={"name": "kept"})
    model_id = saved.json()["id"]
    assert saved.status_code == 201 and saved.headers["location"] == f"/api/models/{model_id}"
    assert client.get(saved.headers["location"]).json()["format"] == "nnplay-model"
    opened = client.post("/api/models/import", json={"model_id": model_id})
    assert opened.status_code == 201
    assert opened.headers["location"] == f"/api/runs/{opened.json()['id']}"
    job = client.post(f"/api/runs/{run_id}/jobs", json={"steps": 5})
    assert job.status_code == 202
    assert job.headers["location"] == f"/api/runs/{run_id}/jobs/{job.json()['id']}"
    assert client.get(job.headers["location"]).json()["total"] == 5


def test_created_upload_is_at_its_location(client: CheckedClient) -> None:
    first = upload(client, disk_csv())
    up_id = first.json()["id"]
    assert first.status_code == 201 and first.headers["location"] == f"/api/uploads/{up_id}"
    assert len(client.get(first.headers["location"]).json()["points"]) == 120
    again = upload(client, disk_csv())
    assert again.status_code == 200 and "location" not in again.headers


def test_created_class_and_membership_are_at_their_location(
        open_client: Callable[..., Any]) -> None:
    with open_client(teacher_token=TOKEN) as teacher:
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        made = teacher.post("/api/classes", json={"name": "3B", "lesson": "xor-two-relu"})
        class_id = made.json()["id"]
        assert made.status_code == 201 and made.headers["location"] == f"/api/classes/{class_id}"
        assert teacher.get(made.headers["location"]).json()["class"]["id"] == class_id
        student = join(teacher, made.json()["code"], "Mei")
        joined = student.post("/api/classroom/join", json={"code": made.json()["code"],
                                                           "name": "Kai"})
        assert joined.headers["location"] == "/api/classroom/me"
        assert student.get(joined.headers["location"]).json()["student"]["name"] == "Kai"
