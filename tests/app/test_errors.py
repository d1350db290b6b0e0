"""Bad input gets a 4xx naming the field, never a 500: one test per class of bad input."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.error_codes import ALL_ERRORS
from app.main import create_app
from app.settings import Settings
from engine.error_codes import render
from tests.app.conftest import SMALL_SPEC, TEST_HOSTS, CheckedClient, only_error

RUN_ENDPOINTS = [
    ("GET", "", None),
    ("DELETE", "", None),
    ("POST", "/train", {"steps": 1}),
    ("GET", "/snapshot", None),
    ("POST", "/predict", {"points": [[0, 0]]}),
    ("PUT", "/params", {"layer": "0", "name": "W", "index": [0, 0], "value": 1.0}),
    ("PATCH", "/hyper", {"lr": 0.1}),
    ("POST", "/reset", None),
    ("POST", "/save", {"name": "x"}),
    ("POST", "/jobs", {"steps": 1}),
    ("GET", "/jobs/abc", None),
]


def post_raw(client: CheckedClient, path: str, text: str | bytes) -> Any:
    return client.post(path, content=text, headers={"content-type": "application/json"})


@pytest.fixture
def run_id(new_run: Callable[..., str]) -> str:
    return new_run()


@pytest.mark.parametrize(("spec", "loc", "words"), [
    ({"hidden": [8, 0]}, ["spec", "hidden", "1"], "between 1 and 64"),
    ({"hidden": [8, 65]}, ["spec", "hidden", "1"], "got 65"),
    ({"hidden": [8] * 11}, ["spec", "hidden"], "at most 10"),
    ({"data": {"noise": 2}}, ["spec", "data", "noise"], "between 0 and 0.5"),
    ({"data": {"name": "moon"}}, ["spec", "data", "name"], "unknown dataset 'moon'"),
    ({"optimizer": {"name": "adam", "lr": -1}}, ["spec", "optimizer", "lr"], "between"),
    ({"activation": "swish"}, ["spec", "activation"], "unknown activation 'swish'"),
    ({"layers": [{"type": "dense", "units": "8"}]}, ["spec", "layers", "0", "units"],
     "integer"),
    ({"colour": "red"}, ["spec", "colour"], "unknown field"),
    ({"seed": True}, ["spec", "seed"], "integer"),
])
def test_bad_spec_field_is_422_naming_it(client: CheckedClient, spec: dict, loc: list[str],
                                         words: str) -> None:
    response = client.post("/api/runs", json={"spec": spec})
    assert response.status_code == 422
    error = only_error(response)
    assert error["loc"] == ["body", *loc]
    assert words in error["msg"]
    if error["type"] != "value_error":  # a coded error: its template gives the message
        assert render(ALL_ERRORS[error["type"]], error.get("ctx", {})) == error["msg"]


@pytest.mark.parametrize(("body", "loc"), [
    ({"lesson": "no-such"}, ["body", "lesson"]),
    ({"lesson": "dead-relu", "variant": "swish"}, ["body", "variant"]),
    ({"spec": {}, "lesson": "dead-relu"}, ["body", "lesson"]),
    ({"variant": "relu"}, ["body", "variant"]),
    ({}, ["body", "spec"]),
])
def test_bad_run_source_is_422_naming_it(client: CheckedClient, body: dict,
                                         loc: list[str]) -> None:
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422
    assert only_error(response)["loc"] == loc


def test_spec_above_the_server_limits_is_422(open_client: Callable[..., Any]) -> None:
    with open_client(max_units=16, max_hidden_layers=2) as client:
        wide = client.post("/api/runs", json={"spec": {"hidden": [17]}})
        assert only_error(wide)["loc"] == ["body", "spec", "hidden", "0"]
        deep = client.post("/api/runs", json={"spec": {"hidden": [4, 4, 4]}})
        assert only_error(deep)["loc"] == ["body", "spec", "hidden"]


@pytest.mark.parametrize(("method", "suffix", "body"), RUN_ENDPOINTS)
def test_unknown_run_id_is_404_naming_it(client: CheckedClient, method: str, suffix: str,
                                         body: dict | None) -> None:
    response = client.request(method, f"/api/runs/not-a-run{suffix}", json=body)
    assert response.status_code == 404
    error = only_error(response)
    assert error["loc"] == ["path", "run_id"] and "'not-a-run'" in error["msg"]


def test_unknown_job_id_is_404_naming_it(client: CheckedClient, run_id: str) -> None:
    response = client.get(f"/api/runs/{run_id}/jobs/nope")
    assert response.status_code == 404
    assert only_error(response)["loc"] == ["path", "job_id"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/models/not-a-model", None),
    ("DELETE", "/api/models/not-a-model", None),
])
def test_unknown_model_id_is_404_naming_it(client: CheckedClient, method: str, path: str,
                                           body: dict | None) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 404
    error = only_error(response)
    assert error["loc"] == ["path", "model_id"] and "'not-a-model'" in error["msg"]


def test_import_unknown_model_id_is_404_in_the_body(client: CheckedClient) -> None:
    response = client.post("/api/models/import", json={"model_id": "not-a-model"})
    assert response.status_code == 404
    assert only_error(response)["loc"] == ["body", "model_id"]


def test_steps_above_the_limit_is_422(open_client: Callable[..., Any]) -> None:
    with open_client(max_steps_per_request=100) as client:
        run = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        response = client.post(f"/api/runs/{run}/train", json={"steps": 101})
        assert response.status_code == 422
        error = only_error(response)
        assert error["loc"] == ["body", "steps"] and "between 1 and 100" in error["msg"]
        job = client.post(f"/api/runs/{run}/jobs", json={"steps": 10_001})
        assert only_error(job)["loc"] == ["body", "steps"]
        assert client.get(f"/api/runs/{run}").json()["step"] == 0


@pytest.mark.parametrize("steps", [0, -5, "10", 2.5, True, None])
def test_steps_of_the_wrong_kind_is_422(client: CheckedClient, run_id: str, steps: Any) -> None:
    response = client.post(f"/api/runs/{run_id}/train", json={"steps": steps})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "steps"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_number_in_a_body_is_422_naming_it(client: CheckedClient, run_id: str,
                                                      literal: str) -> None:
    response = post_raw(client, f"/api/runs/{run_id}/predict",
                        '{"points": [[0, 0], [1, ' + literal + "]]}")
    assert response.status_code == 422
    assert only_error(response)["loc"] == ["body", "points", "1", "1"]
    hyper = client.patch(f"/api/runs/{run_id}/hyper", content='{"lr": ' + literal + "}",
                         headers={"content-type": "application/json"})
    assert only_error(hyper)["loc"] == ["body", "lr"]
    spec = post_raw(client, "/api/runs",
                    '{"spec": {"data": {"offset": [0, ' + literal + "]}}}")
    assert only_error(spec)["loc"] == ["body", "spec", "data", "offset", "1"]
    assert client.get(f"/api/runs/{run_id}").json()["hyper"]["lr"] == 0.03


def json_operations() -> list[tuple[str, str, str]]:
    """``(method, path, field)`` of every operation of the API whose body is JSON,
    from its OpenAPI description; ``field``: a property of its body, if it names any."""
    app = create_app(Settings(data_dir=tempfile.gettempdir(), allowed_hosts=TEST_HOSTS))
    doc = app.openapi()
    found = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            schema = content["application/json"]["schema"]
            if "$ref" in schema:
                schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            found.append((method.upper(), path, next(iter(schema.get("properties", {})),
                                                     "record")))
    return found


JSON_OPERATIONS = json_operations()
JSON_TYPES = ["application/JSON", "Application/Json; charset=UTF-8",
              "APPLICATION/vnd.nnplay+JSON", "application/json"]
"""Content types FastAPI reads as JSON, in the letter cases clients send."""
TOKEN = "json-bodies-teacher-token"


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CheckedClient, dict]]:
    """A server with the classroom on, and the path parameters of a real run and class."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("json"), engine_processes=0,
                        teacher_token=TOKEN, allowed_hosts=TEST_HOSTS)
    with CheckedClient(create_app(settings),
                       headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        run = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        made = client.post("/api/classes", json={"name": "7C", "lesson": "xor-two-relu"})
        yield client, {"run_id": run, "class_id": made.json()["id"]}


def test_every_json_body_operation_is_listed() -> None:
    listed = {(method, path) for method, path, _ in JSON_OPERATIONS}
    assert {("POST", "/api/runs"), ("PATCH", "/api/runs/{run_id}/hyper"),
            ("POST", "/api/models/import"), ("POST", "/api/classes"),
            ("PUT", "/api/classes/{class_id}/lesson"), ("POST", "/api/classroom/join"),
            ("POST", "/api/teacher/login")} <= listed
    assert len(listed) >= 13


@pytest.mark.parametrize("content_type", JSON_TYPES)
@pytest.mark.parametrize(("method", "path", "field"), JSON_OPERATIONS)
def test_nan_is_422_naming_it_whatever_the_content_type_case(
        classroom: tuple[CheckedClient, dict], method: str, path: str, field: str,
        content_type: str) -> None:
    client, ids = classroom
    for literal in ("NaN", "-Infinity"):
        body = '{"' + field + '": [0, ' + literal + "]}"
        response = client.request(method, path.format(**ids), content=body,
                                  headers={"content-type": content_type})
        assert response.status_code == 422, response.text
        error = only_error(response)
        assert error["loc"] == ["body", field, "1"] and error["type"] == "finite_number"


@pytest.mark.parametrize("depth", [33, 500, 5000])
@pytest.mark.parametrize(("method", "path", "field"), JSON_OPERATIONS)
def test_json_nested_too_deeply_is_422_naming_the_depth(
        classroom: tuple[CheckedClient, dict], method: str, path: str, field: str,
        depth: int) -> None:
    client, ids = classroom
    body = '{"' + field + '": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    response = client.request(method, path.format(**ids), content=body,
                              headers={"content-type": "application/JSON"})
    assert response.status_code == 422, response.text
    error = only_error(response)
    assert error["type"] == "too_deep" and "deeper than 32 levels" in error["msg"]
    assert error["loc"] == (["body", field, *["0"] * 31] if depth < 900 else ["body"])


def test_the_first_content_type_header_decides_as_fastapi_reads_it(
        client: CheckedClient, run_id: str) -> None:
    response = client.post(f"/api/runs/{run_id}/predict", content='{"points": [[0, NaN]]}',
                           headers=[("content-type", "application/JSON"),
                                    ("content-type", "text/plain")])
    assert only_error(response)["loc"] == ["body", "points", "0", "1"]


def test_a_spec_nested_deep_is_422_also_with_engine_processes(
        open_client: Callable[..., Any]) -> None:
    """Such a spec used to reach the pickling to the engine process, which gave up
    with a RecursionError: a 500."""
    with open_client(engine_processes=1) as client:
        spec = '{"spec": {"data": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}}"
        response = post_raw(client, "/api/runs", spec)
        assert response.status_code == 422
        assert only_error(response)["type"] == "too_deep"
        made = client.post("/api/runs", json={"spec": SMALL_SPEC})
        assert made.status_code == 201


def test_the_depth_limit_is_a_setting(open_client: Callable[..., Any]) -> None:
    body = '{"spec": {"data": {"name": "circle", "offset": [[[[0]]]]}}}'
    with open_client(max_json_depth=8) as client:
        assert post_raw(client, "/api/runs", body).json()["detail"][0]["type"] != "too_deep"
        deeper = body.replace("[[[[0]]]]", "[[[[[[[0]]]]]]]")
        error = only_error(post_raw(client, "/api/runs", deeper))
        assert error["type"] == "too_deep" and "deeper than 8 levels" in error["msg"]


def test_wrong_point_dimension_is_422_naming_the_point(client: CheckedClient,
                                                       run_id: str) -> None:
    response = client.post(f"/api/runs/{run_id}/predict",
                           json={"points": [[0.0, 1.0], [1.0, 2.0, 3.0]]})
    assert response.status_code == 422
    error = only_error(response)
    assert error["loc"] == ["body", "points", "1"] and "must have 2 numbers" in error["msg"]


def test_points_too_many_or_too_far_are_422(client: CheckedClient, run_id: str) -> None:
    many = client.post(f"/api/runs/{run_id}/predict", json={"points": [[0, 0]] * 10_001})
    assert many.status_code == 422 and many.json()["detail"][0]["loc"] == ["body", "points"]
    far = client.post(f"/api/runs/{run_id}/predict", json={"points": [[0, 0], [3, 1e300]]})
    assert only_error(far)["loc"] == ["body", "points", "1", "1"]
    empty = client.post(f"/api/runs/{run_id}/predict", json={"points": []})
    assert empty.status_code == 422


@pytest.mark.parametrize(("body", "loc"), [
    ({"layer": "7", "name": "W", "index": [0, 0], "value": 1.0}, ["body", "layer"]),
    ({"layer": "0", "name": "gamma", "index": [0], "value": 1.0}, ["body", "name"]),
    ({"layer": "0", "name": "W", "index": [0], "value": 1.0}, ["body", "index"]),
    ({"layer": "0", "name": "W", "index": [0, 4], "value": 1.0}, ["body", "index", "1"]),
    ({"layer": "0", "name": "W", "index": [0, 0], "value": 1e4}, ["body", "value"]),
    ({"layer": 0, "name": "W", "index": [0, 0], "value": 1.0}, ["body", "layer"]),
])
def test_bad_weight_edit_is_422_naming_the_field(client: CheckedClient, run_id: str,
                                                 body: dict, loc: list[str]) -> None:
    response = client.put(f"/api/runs/{run_id}/params", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(("body", "loc"), [
    ({"lr": 11.0}, ["body", "lr"]),
    ({"l2": -0.1}, ["body", "l2"]),
    ({"batch_size": 0}, ["body", "batch_size"]),
    ({"momentum": 0.5}, ["body", "momentum"]),
    ({}, ["body"]),
])
def test_bad_hyper_is_422_naming_the_field(client: CheckedClient, run_id: str, body: dict,
                                           loc: list[str]) -> None:
    response = client.patch(f"/api/runs/{run_id}/hyper", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(("query", "loc"), [
    ({"output_grid": 1}, ["query", "output_grid"]),
    ({"unit_grid": 201}, ["query", "unit_grid"]),
    ({"output_grid": "big"}, ["query", "output_grid"]),
])
def test_bad_snapshot_grid_is_422_naming_it(client: CheckedClient, run_id: str,
                                            query: dict, loc: list[str]) -> None:
    response = client.get(f"/api/runs/{run_id}/snapshot", params=query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(("name", "words"), [("", "empty"), ("x" * 81, "at most 80"),
                                             ("bad\nname", "control")])
def test_bad_model_name_is_422_naming_it(client: CheckedClient, run_id: str, name: str,
                                         words: str) -> None:
    response = client.post(f"/api/runs/{run_id}/save", json={"name": name})
    assert response.status_code == 422
    error = only_error(response)
    assert error["loc"] == ["body", "name"] and words in error["msg"]


def test_bad_record_import_is_422_naming_the_field(client: CheckedClient, run_id: str) -> None:
    model = client.post(f"/api/runs/{run_id}/save", json={"name": "m"}).json()
    record = client.get(f"/api/models/{model['id']}").json()
    cases = [
        ({**record, "params": {**record["params"], "0": {"W": [[1.0]], "b": [0, 0, 0, 0]}}},
         ["body", "params", "0", "W"]),
        ({**record, "format": "keras"}, ["body", "format"]),
        ({**record, "spec": {**record["spec"], "batch_size": 0}}, ["body", "spec", "batch_size"]),
        ({**record, "extra": 1}, ["body", "extra"]),
        ({"model_id": 5}, ["body", "model_id"]),
    ]
    for body, loc in cases:
        response = client.post("/api/models/import", json=body)
        assert response.status_code == 422, body
        assert only_error(response)["loc"] == loc


def test_oversized_body_is_413(open_client: Callable[..., Any]) -> None:
    with open_client(max_request_bytes=4096) as client:
        big = {"spec": {"hidden": [8]}, "pad": "x" * 5000}
        response = client.post("/api/runs", json=big)
        assert response.status_code == 413
        error = only_error(response)
        assert error["loc"] == ["body"] and "4096 bytes" in error["msg"]
        assert client.post("/api/runs", json={"spec": SMALL_SPEC}).status_code == 201


def test_oversized_streamed_body_without_length_is_413(open_client: Callable[..., Any]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"spec": {}, "pad": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    with open_client(max_request_bytes=4096) as client:
        response = client.post("/api/runs", content=chunks(),
                               headers={"content-type": "application/json"})
        assert "content-length" not in response.request.headers
        assert response.status_code == 413


def test_registry_full_is_429_with_retry_after(open_client: Callable[..., Any]) -> None:
    with open_client(max_runs=2) as client:
        ids = [client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
               for _ in range(2)]
        response = client.post("/api/runs", json={"lesson": "xor-two-relu"})
        assert response.status_code == 429
        assert response.headers["retry-after"] == "60"
        assert "holds 2 runs already" in only_error(response)["msg"]
        assert client.get(f"/api/runs/{ids[0]}").status_code == 200
        client.delete(f"/api/runs/{ids[0]}")
        assert client.post("/api/runs", json={"lesson": "xor-two-relu"}).status_code == 201


@pytest.mark.parametrize("text", ['{"spec": ', "{'spec': {}}", "[1, 2", "\xff\xfe", "nul"])
def test_malformed_json_is_4xx(client: CheckedClient, text: str) -> None:
    response = post_raw(client, "/api/runs", text.encode("latin-1"))
    assert response.status_code in (400, 422)
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_malformed_json_is_422_json_invalid(client: CheckedClient) -> None:
    response = post_raw(client, "/api/runs", '{"spec": {"hidden": [8,]}}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("body", [[], "spec", 5, None, {"spec": []}, {"spec": {}, "x": 1},
                                  {"spec": "circle"}])
def test_body_of_the_wrong_shape_is_422(client: CheckedClient, body: Any) -> None:
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422


def test_deeply_nested_body_is_422(client: CheckedClient) -> None:
    for depth in (50, 900, 5000, 100_000):
        text = '{"spec": {"data": ' + "[" * depth + "]" * depth + "}}"
        response = post_raw(client, "/api/runs", text)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][:2] in (["body"], ["body", "spec"])


def test_not_json_content_type_is_422(client: CheckedClient) -> None:
    response = client.post("/api/runs", content=json.dumps({"spec": {}}),
                           headers={"content-type": "text/plain"})
    assert response.status_code == 422


def test_unknown_route_and_method_keep_the_error_format(client: CheckedClient) -> None:
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and only_error(missing)["msg"] == "Not Found"
    assert client.put("/api/datasets").status_code == 405


def test_junk_bodies_never_reach_the_last_resort(client: CheckedClient, run_id: str) -> None:
    junk: list[Any] = [None, 0, -1, 1e308, "", "x" * 300, [], {}, [[]], [None], {"a": None},
                       True, [[1, 2, 3]], [["a", "b"]], {"n": 1}]
    fields = {
        ("POST", "/api/runs"): ["spec", "lesson", "variant"],
        ("POST", f"/api/runs/{run_id}/train"): ["steps"],
        ("POST", f"/api/runs/{run_id}/jobs"): ["steps"],
        ("POST", f"/api/runs/{run_id}/predict"): ["points"],
        ("PUT", f"/api/runs/{run_id}/params"): ["layer", "name", "index", "value"],
        ("PATCH", f"/api/runs/{run_id}/hyper"): ["lr", "batch_size"],
        ("POST", f"/api/runs/{run_id}/save"): ["name"],
        ("POST", "/api/models/import"): ["model_id", "spec", "params", "state", "step"],
    }
    for (method, path), names in fields.items():
        for value in junk:
            bodies = [value, *({name: value} for name in names)]
            if path.endswith("params"):
                bodies.append({"layer": "0", "name": "W", "index": value, "value": 1})
            if path.endswith("import"):
                bodies.append({"format": "nnplay-model", "version": 1, "params": value})
            for body in bodies:
                response = client.request(method, path, json=body)
                assert response.status_code < 500, (method, path, body)
    assert client.get(f"/api/runs/{run_id}").json()["status"] == "idle"


def test_a_bug_gets_the_last_resort_500(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a deliberate bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
        assert response.status_code == 500
        error = only_error(response)
        assert error["type"] == "internal_error" and "bug" in error["msg"]
        assert client.get("/healthz").status_code == 200
