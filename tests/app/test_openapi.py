"""The OpenAPI description as a generated client reads it: operation ids named for
what they do, declared tags, and every 4xx each operation can answer (and no
other), all with the one error shape that real error answers have."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema_rs
import pytest

from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error

TOKEN = "teacher-secret-42"

VERBS = {"cancel", "create", "delete", "get", "import", "join", "leave", "list", "login",
         "logout", "predict", "probe", "push", "reset", "save", "set", "start", "train",
         "update"}
"""What an operation id may start with."""

SNAKE_VERB_NOUN = re.compile(r"^([a-z]+)(_[a-z]+)+$")

RUN = "/api/runs/{run_id}"
EXPECTED: dict[tuple[str, str], set[int]] = {
    ("get", "/healthz"): {503},
    ("get", "/api"): set(),
    ("get", "/api/datasets"): set(),
    ("get", "/api/activations"): set(),
    ("get", "/api/initializers"): set(),
    ("get", "/api/optimizers"): set(),
    ("get", "/api/losses"): set(),
    ("get", "/api/lessons"): {422},
    ("get", "/api/lessons/{name}"): {404, 422},
    ("post", "/api/runs"): {400, 409, 413, 422, 429, 503},
    ("get", RUN): {404, 429},
    ("delete", RUN): {404, 429},
    ("post", f"{RUN}/train"): {400, 404, 409, 413, 422, 429},
    ("get", f"{RUN}/snapshot"): {404, 422, 429},
    ("get", f"{RUN}/params"): {404, 429},
    ("put", f"{RUN}/params"): {400, 404, 413, 422, 429},
    ("get", f"{RUN}/points"): {404, 422, 429},
    ("post", f"{RUN}/predict"): {400, 404, 413, 422, 429},
    ("post", f"{RUN}/probe"): {400, 404, 413, 422, 429},
    ("patch", f"{RUN}/hyper"): {400, 404, 413, 422, 429},
    ("post", f"{RUN}/reset"): {404, 429},
    ("post", f"{RUN}/jobs"): {400, 404, 409, 413, 422, 429},
    ("get", f"{RUN}/jobs/{{job_id}}"): {404, 429},
    ("delete", f"{RUN}/jobs/{{job_id}}"): {404, 429},
    ("post", f"{RUN}/save"): {400, 404, 409, 413, 422, 429, 503, 507},
    ("get", "/api/models"): {422, 429},
    ("get", "/api/models/{model_id}"): {404, 429},
    ("delete", "/api/models/{model_id}"): {404, 429, 503, 507},
    ("post", "/api/models/import"): {400, 404, 409, 413, 422, 429, 503},
    ("post", "/api/uploads"): {409, 413, 415, 422, 429, 503, 507},
    ("get", "/api/uploads"): {422, 429},
    ("get", "/api/uploads/{upload_id}"): {404, 429},
    ("delete", "/api/uploads/{upload_id}"): {404, 429, 503, 507},
    ("post", "/api/teacher/login"): {400, 401, 404, 413, 422, 429, 503, 507},
    ("post", "/api/teacher/logout"): {404, 503, 507},
    ("post", "/api/classes"): {400, 401, 404, 409, 413, 422, 429, 503, 507},
    ("get", "/api/classes"): {401, 404, 422, 429},
    ("get", "/api/classes/{class_id}"): {401, 404, 429},
    ("put", "/api/classes/{class_id}/lesson"): {400, 401, 404, 413, 422, 429, 503, 507},
    ("delete", "/api/classes/{class_id}"): {401, 404, 429, 503, 507},
    ("delete", "/api/classes/{class_id}/students/{student_id}"): {401, 404, 429, 503, 507},
    ("post", "/api/classroom/join"): {400, 404, 409, 413, 422, 429, 503, 507},
    ("get", "/api/classroom/me"): {401, 404, 429},
    ("post", "/api/classroom/leave"): {404},
}
"""The 4xx and 5xx each operation can answer (worked out from its dependencies:
a body -> 400/413/422, a query -> 422, a run or model id -> 404, the teacher ->
401, the asker (whose teacher token is counted) -> 429, a new run -> 429, a
store written -> 503 and 507, a job or a client's limit of what it holds -> 409 ...)."""


@pytest.fixture
def doc(client: CheckedClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_operation_ids_are_unique_snake_case_verb_noun(doc: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(doc)]
    assert len(ids) == len(set(ids)) == len(EXPECTED)
    for operation_id in ids:
        match = SNAKE_VERB_NOUN.match(operation_id)
        assert match and match.group(1) in VERBS, operation_id
        assert not re.search(r"_(api|get|post|put|patch|delete)(_|$)", operation_id)
    assert {"create_run", "train_run", "get_run", "get_run_snapshot", "get_run_params",
            "list_models", "get_model", "delete_model", "import_model", "create_upload",
            "list_uploads", "list_classes", "create_class", "join_class"} <= set(ids)
    assert doc["paths"]["/api/runs"]["post"]["operationId"] == "create_run"
    assert doc["paths"]["/api/runs/{run_id}/train"]["post"]["operationId"] == "train_run"


def test_operation_tags_are_declared_with_descriptions(doc: dict[str, Any]) -> None:
    declared = {tag["name"]: tag.get("description", "") for tag in doc["tags"]}
    used = {tag for _, _, operation in operations(doc) for tag in operation["tags"]}
    assert used == {"health", "catalogue", "runs", "models", "uploads", "classroom"}
    assert used <= set(declared)
    assert all(declared[tag] for tag in used)


def test_error_responses_are_those_each_operation_can_answer(doc: dict[str, Any]) -> None:
    listed = {(method, path): {int(code) for code in operation["responses"]
                               if int(code) >= 400}
              for method, path, operation in operations(doc)}
    assert listed == EXPECTED


def test_error_responses_refer_to_the_error_schema(doc: dict[str, Any]) -> None:
    for method, path, operation in operations(doc):
        for code, answer in operation["responses"].items():
            if path == "/healthz":  # a bad health is still a health report
                assert answer["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Health"}
            elif int(code) >= 400:
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
                assert answer["description"], (method, path, code)
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorBody"]["required"] == ["detail"]
    assert set(schemas["ErrorItem"]["required"]) == {"loc", "msg", "type"}


def test_error_responses_no_422_without_input(doc: dict[str, Any]) -> None:
    assert "422" not in doc["paths"]["/api/datasets"]["get"]["responses"]
    assert "422" not in doc["paths"]["/api/runs/{run_id}"]["get"]["responses"]
    assert "422" not in doc["paths"]["/api/runs/{run_id}"]["delete"]["responses"]


@pytest.fixture
def check_error(doc: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """``check_error(answer, method, path)``: asserts the answer's status is listed
    for the operation and its body is valid against the declared error schema;
    returns its one error entry."""
    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": "#/components/schemas/ErrorBody", "components": doc["components"]})

    def check(answer: Any, method: str, path: str) -> dict[str, Any]:
        assert answer.status_code in EXPECTED[(method, path)], answer.text
        declared = doc["paths"][path][method]["responses"][str(answer.status_code)]
        assert declared["content"]["application/json"]["schema"]["$ref"].endswith("ErrorBody")
        validator.validate(answer.json())
        return only_error(answer)

    return check


def test_error_answers_validate_against_the_declared_schema(
        client: CheckedClient, new_run: Callable[..., str],
        check_error: Callable[..., dict[str, Any]]) -> None:
    gone = check_error(client.get("/api/runs/nope"), "get", RUN)
    assert gone["loc"] == ["path", "run_id"] and gone["type"] == "run_not_found"
    bad_spec = client.post("/api/runs", json={"spec": {"hidden": [8, 0]}})
    error = check_error(bad_spec, "post", "/api/runs")
    assert bad_spec.status_code == 422 and error["loc"] == ["body", "spec", "hidden", "1"]
    run_id = new_run()
    not_int = client.post(f"/api/runs/{run_id}/train", json={"steps": "ten"})
    error = check_error(not_int, "post", f"{RUN}/train")  # FastAPI's own validation error
    assert not_int.status_code == 422 and error["loc"] == ["body", "steps"]
    too_big = client.post(f"/api/runs/{run_id}/train", json={"steps": 10**9})
    assert check_error(too_big, "post", f"{RUN}/train")["loc"] == ["body", "steps"]
    no_job = client.get(f"/api/runs/{run_id}/jobs/nope")
    assert check_error(no_job, "get", f"{RUN}/jobs/{{job_id}}")["loc"] == ["path", "job_id"]
    no_model = client.get("/api/models/nope")
    assert check_error(no_model, "get", "/api/models/{model_id}")["type"] == "model_not_found"
    limit = client.get("/api/models", params={"limit": 0})
    assert check_error(limit, "get", "/api/models")["loc"] == ["query", "limit"]
    not_utf8 = client.post("/api/runs", content=b"\xff\xfe{",
                           headers={"content-type": "application/json"})
    assert not_utf8.status_code == 400
    check_error(not_utf8, "post", "/api/runs")
    form = client.post("/api/uploads", content=b"a=1",
                       headers={"content-type": "multipart/form-data; boundary=x"})
    assert check_error(form, "post", "/api/uploads")["loc"] == ["header", "content-type"]


def test_error_answers_of_limits_validate_against_the_declared_schema(
        open_client: Callable[..., Any], check_error: Callable[..., dict[str, Any]]) -> None:
    with open_client(max_request_bytes=4096, runs_per_minute=1) as client:
        large = client.post("/api/runs", json={"spec": {"seed": 1, "pad": "x" * 5000}})
        assert large.status_code == 413 and check_error(large, "post", "/api/runs")
        run_id = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        again = client.post("/api/runs", json={"spec": SMALL_SPEC})
        assert again.status_code == 429 and int(again.headers["retry-after"]) >= 1
        assert check_error(again, "post", "/api/runs")["type"] == "rate_runs"
        job = client.post(f"/api/runs/{run_id}/jobs", json={"steps": 100_000})
        busy = client.post(f"/api/runs/{run_id}/train", json={"steps": 1})
        client.delete(job.headers["location"])
        assert busy.status_code == 409
        assert check_error(busy, "post", f"{RUN}/train")["type"] == "job_training_run"


def test_error_answers_of_the_classroom_validate_against_the_declared_schema(
        open_client: Callable[..., Any], check_error: Callable[..., dict[str, Any]]) -> None:
    with open_client() as off:
        answer = off.get("/api/classes")
        assert answer.status_code == 404 and check_error(answer, "get", "/api/classes")
    with open_client(teacher_token=TOKEN) as client:
        answer = client.get("/api/classes")
        assert answer.status_code == 401
        assert check_error(answer, "get", "/api/classes")["loc"] == ["header", "authorization"]
        me = client.get("/api/classroom/me")
        assert me.status_code == 401 and check_error(me, "get", "/api/classroom/me")
        code = client.post("/api/classroom/join", json={"code": "ZZZZZZ", "name": "Mei"})
        assert code.status_code == 404
        assert check_error(code, "post", "/api/classroom/join")["loc"] == ["body", "code"]
