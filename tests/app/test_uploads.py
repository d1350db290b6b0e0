"""Your own data over HTTP: upload a CSV, train a run on it, save and import it,
and every bad upload answered with a 4xx naming the field."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np

from tests.app.conftest import CheckedClient, only_error

CSV = {"content-type": "text/csv"}


def disk_csv(n: int = 120, header: str = "x1,x2,label") -> str:
    """A disk of class 1 inside a ring of class 0, as a class might upload it."""
    lines = [header]
    for i in range(n):
        angle = 2.399963 * i
        radius = 0.4 + 1.4 * (i % 6) / 5 if i % 2 else 3.2 + (i % 4) / 4
        lines.append(f"{radius * math.cos(angle):.3f},{radius * math.sin(angle):.3f},{i % 2}")
    return "\n".join(lines) + "\n"


def upload(client: CheckedClient, text: str, name: str = "disk", **params: Any,
           ) -> httpx.Response:
    return client.post("/api/uploads", params={"name": name, **params}, content=text,
                       headers=CSV)


def run_on(client: CheckedClient, data: dict[str, Any], **spec: Any) -> dict[str, Any]:
    body = {"data": data, "hidden": [8], "activation": "tanh",
            "optimizer": {"name": "adam", "lr": 0.03}, "seed": 1, **spec}
    response = client.post("/api/runs", json={"spec": body})
    assert response.status_code == 201, response.text
    return response.json()


def test_upload_answers_summary_and_the_data_to_use(client: CheckedClient) -> None:
    response = upload(client, disk_csv(), name="  my disk ")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "my disk" and body["kind"] == "binary"
    assert body["rows"] == 120 and body["classes"] == 2 and body["counts"] == [60, 60]
    assert body["data"] == {"name": "upload", "upload": body["id"]}
    assert body["preview"][0] == [3.2, 0.0, 0.0] and len(body["preview"]) == 5
    x0, x1, y0, y1 = body["extent"]
    assert x0 < -3.2 and x1 > 3.2 and y0 < -3.2 and y1 > 3.2


def test_upload_train_and_snapshot(client: CheckedClient) -> None:
    up = upload(client, disk_csv()).json()
    run = run_on(client, up["data"])
    data = run["spec"]["data"]
    assert data["name"] == "points" and data["kind"] == "binary" and len(data["points"]) == 120
    assert "upload" not in data
    metrics = client.post(f"/api/runs/{run['id']}/train", json={"steps": 1500}).json()
    assert metrics["train_accuracy"] >= 0.95 and metrics["test_accuracy"] >= 0.9
    frame = client.get(f"/api/runs/{run['id']}/snapshot",
                       params={"output_grid": 20, "unit_grid": 4}).json()
    output = np.array(frame["output_map"], dtype=float)
    assert output.shape == (20, 20)
    assert output[10, 10] > 0.5 > output[0, 0]  # the disk's centre is class 1
    assert frame["extent"] == up["extent"]


def test_same_upload_same_id_and_same_numbers(client: CheckedClient) -> None:
    first = upload(client, disk_csv()).json()
    crlf = disk_csv(header="# again\r\nx1,x2,class").replace("\n", "\r\n")
    second = upload(client, crlf, name="other name")
    assert second.status_code == 200
    assert second.json()["id"] == first["id"] and second.json()["name"] == "disk"
    assert len(client.get("/api/uploads").json()["items"]) == 1
    metrics = [client.post(f"/api/runs/{run_on(client, first['data'])['id']}/train",
                           json={"steps": 200}).json() for _ in range(2)]
    assert metrics[0] == metrics[1]


def test_other_data_settings_apply_to_an_upload(client: CheckedClient) -> None:
    up = upload(client, disk_csv()).json()
    run = run_on(client, {**up["data"], "features": ["x1^2", "x2^2"], "train_fraction": 0.8,
                          "offset": [1, 2], "seed": 3})
    data = run["spec"]["data"]
    assert data["features"] == ["x1^2", "x2^2"] and data["train_fraction"] == 0.8
    frame = client.get(f"/api/runs/{run['id']}/snapshot",
                       params={"output_grid": 2, "unit_grid": 2}).json()
    assert frame["extent"][0] == up["extent"][0] + 1 and frame["extent"][2] == up["extent"][2] + 2


def test_list_read_and_delete(client: CheckedClient) -> None:
    up = upload(client, disk_csv()).json()
    listing = client.get("/api/uploads").json()["items"]
    assert listing == [up]
    full = client.get(f"/api/uploads/{up['id']}").json()
    assert len(full["points"]) == 120 and full["points"][1] == [-0.501, 0.459, 1.0]
    assert {k: v for k, v in full.items() if k != "points"} == up
    assert client.delete(f"/api/uploads/{up['id']}").status_code == 204
    assert client.get("/api/uploads").json()["items"] == []
    for response in (client.get(f"/api/uploads/{up['id']}"),
                     client.delete(f"/api/uploads/{up['id']}")):
        assert response.status_code == 404
        assert only_error(response)["loc"] == ["path", "upload_id"]


def test_malformed_line_is_a_422_naming_it(client: CheckedClient) -> None:
    text = "x1,x2,label\n0,0,0\n1,1,1\n\n# fine\n2,abc,0\n3,3,1\n"
    response = upload(client, text)
    assert response.status_code == 422
    error = only_error(response)
    assert error["loc"] == ["body", "csv", "line", "6"]
    assert "'abc' is not a number" in error["msg"]
    short = only_error(upload(client, "0,0,0\n1,1,1\n2,2\n3,3,1\n"))
    assert short["loc"] == ["body", "csv", "line", "3"] and "got 2" in short["msg"]
    nan = only_error(upload(client, "0,0,0\n1,1,1\n2,2,NaN\n3,3,1\n"))
    assert nan["loc"] == ["body", "csv", "line", "3"] and "not allowed" in nan["msg"]


def test_empty_short_and_too_long_uploads(open_client: Callable[..., Any]) -> None:
    with open_client(max_upload_rows=50) as client:
        for text, words in (("", "no data rows"), ("x1,x2,label\n", "no data rows"),
                            ("0,0,0\n1,1,1\n", "at least 4")):
            response = upload(client, text)
            assert response.status_code == 422
            assert only_error(response)["loc"] == ["body", "csv"]
            assert words in only_error(response)["msg"]
        too_many = upload(client, disk_csv(51))
        assert too_many.status_code == 422
        assert only_error(too_many)["loc"] == ["body", "csv"]
        assert "at most 50 rows" in only_error(too_many)["msg"]
        assert upload(client, disk_csv(50)).status_code == 201


def test_body_larger_than_the_request_limit_is_413(open_client: Callable[..., Any]) -> None:
    with open_client(max_request_bytes=2048) as client:
        response = upload(client, disk_csv(200))
        assert response.status_code == 413


def test_wrong_content_type_name_or_kind(client: CheckedClient) -> None:
    as_json = client.post("/api/uploads", json={"points": [[0, 0, 0]]})
    assert as_json.status_code == 415
    assert only_error(as_json)["loc"] == ["header", "content-type"]
    form = client.post("/api/uploads", files={"file": ("p.csv", disk_csv(), "text/csv")})
    assert form.status_code == 415 and "--data-binary" in only_error(form)["msg"]
    plain = client.post("/api/uploads", content=disk_csv(),
                        headers={"content-type": "text/plain; charset=utf-8"})
    assert plain.status_code == 201
    bad_name = upload(client, disk_csv(), name=" ")
    assert bad_name.status_code == 422 and only_error(bad_name)["loc"] == ["query", "name"]
    bidi = upload(client, disk_csv(), name="points\u202evsc.exe")
    assert bidi.status_code == 422 and only_error(bidi)["loc"] == ["query", "name"]
    assert "U+202E" in only_error(bidi)["msg"]
    bad_kind = upload(client, disk_csv(), kind="colours")
    assert bad_kind.status_code == 422 and only_error(bad_kind)["loc"] == ["query", "kind"]


def test_latin1_header_is_read(client: CheckedClient) -> None:
    body = "höhe,gewicht,klasse\n0,0,0\n1,1,1\n2,2,0\n3,3,1\n".encode("latin-1")
    response = client.post("/api/uploads", content=body, headers=CSV)
    assert response.status_code == 201 and response.json()["rows"] == 4


def test_unknown_upload_in_a_run_spec_is_a_422(client: CheckedClient) -> None:
    response = client.post("/api/runs", json={"spec": {"data": {"name": "upload",
                                                                "upload": "nope"}}})
    assert response.status_code == 422
    error = only_error(response)
    assert error["loc"] == ["body", "spec", "data", "upload"]
    assert "'nope'" in error["msg"]
    for data, loc in (({"name": "upload"}, "upload"), ({"name": "upload", "upload": 3},
                                                          "upload"),
                      ({"name": "circle", "upload": "x"}, "name")):
        answer = client.post("/api/runs", json={"spec": {"data": data}})
        assert answer.status_code == 422
        assert only_error(answer)["loc"] == ["body", "spec", "data", loc]
    up = upload(client, disk_csv()).json()
    clash = client.post("/api/runs", json={"spec": {"data": {**up["data"],
                                                             "kind": "regression"}}})
    assert only_error(clash)["loc"] == ["body", "spec", "data", "kind"]
    bad_setting = client.post("/api/runs", json={"spec": {"data": {**up["data"],
                                                                   "scale": 0}}})
    assert only_error(bad_setting)["loc"] == ["body", "spec", "data", "scale"]


def test_upload_survives_a_restart(open_client: Callable[..., Any]) -> None:
    with open_client() as first:
        up = upload(first, disk_csv()).json()
        points = first.get(f"/api/uploads/{up['id']}").json()["points"]
    with open_client() as second:
        assert second.get("/api/uploads").json()["items"] == [up]
        assert second.get(f"/api/uploads/{up['id']}").json()["points"] == points
        run = run_on(second, up["data"])
        assert run["spec"]["data"]["points"] == points


def test_saved_model_from_an_upload_outlives_the_upload(client: CheckedClient) -> None:
    up = upload(client, disk_csv()).json()
    run = run_on(client, up["data"])
    client.post(f"/api/runs/{run['id']}/train", json={"steps": 300})
    model = client.post(f"/api/runs/{run['id']}/save", json={"name": "disk net"}).json()
    assert model["dataset"] == "points"
    record = client.get(f"/api/models/{model['id']}").json()
    assert client.delete(f"/api/uploads/{up['id']}").status_code == 204
    assert len(record["spec"]["data"]["points"]) == 120
    by_id = client.post("/api/models/import", json={"model_id": model["id"]})
    by_record = client.post("/api/models/import", json=record)
    for response in (by_id, by_record):
        assert response.status_code == 201, response.text
        assert response.json()["step"] == 300
        assert response.json()["metrics"] == record["metrics"]
    trained = client.post(f"/api/runs/{by_record.json()['id']}/train", json={"steps": 10})
    assert trained.json()["step"] == 310


def test_regression_upload(client: CheckedClient) -> None:
    lines = [f"{x:.2f},{y:.2f},{0.5 * x - y:.4f}" for x in np.linspace(-2, 2, 9)
             for y in np.linspace(-1, 1, 5)]
    up = upload(client, "x1,x2,target\n" + "\n".join(lines)).json()
    assert up["kind"] == "regression" and up["classes"] == 0 and up["counts"] is None
    run = run_on(client, up["data"], hidden=[4], activation="linear")
    assert run["spec"]["loss"] == "mse"
    metrics = client.post(f"/api/runs/{run['id']}/train", json={"steps": 800}).json()
    assert metrics["train_accuracy"] is None and metrics["train_loss"] < 0.01
    prediction = client.post(f"/api/runs/{run['id']}/predict",
                             json={"points": [[1.0, 0.5], [-1.0, 0.0]]}).json()
    assert prediction["task"] == "regression"
    assert np.allclose(prediction["output"], [0.0, -0.5], atol=0.1)


def test_three_class_upload(client: CheckedClient) -> None:
    centres = [(0.0, 3.0), (-2.6, -1.5), (2.6, -1.5)]
    lines = [f"{cx + 0.3 * math.cos(i):.3f},{cy + 0.3 * math.sin(i):.3f},{k}"
             for i in range(20) for k, (cx, cy) in enumerate(centres)]
    up = upload(client, "\n".join(lines)).json()
    assert up["kind"] == "multiclass" and up["classes"] == 3 and up["counts"] == [20, 20, 20]
    run = run_on(client, up["data"])
    assert run["spec"]["loss"] == "softmax_ce"
    metrics = client.post(f"/api/runs/{run['id']}/train", json={"steps": 500}).json()
    assert metrics["train_accuracy"] == 1.0
    frame = client.get(f"/api/runs/{run['id']}/snapshot",
                       params={"output_grid": 8, "unit_grid": 2}).json()
    assert np.array(frame["output_map"]).shape == (8, 8, 3)
    forced = upload(client, "\n".join(lines), kind="regression").json()
    assert forced["kind"] == "regression" and forced["id"] != up["id"]


def test_upload_cap_is_a_503(open_client: Callable[..., Any]) -> None:
    with open_client(max_uploads=2) as client:
        assert upload(client, disk_csv(10)).status_code == 201
        assert upload(client, disk_csv(11)).status_code == 201
        assert upload(client, disk_csv(10)).status_code == 200  # already there: no new row
        full = upload(client, disk_csv(12))
        assert full.status_code == 503 and only_error(full)["type"] == "uploads_full"
        assert "at most 2 uploaded data sets" in only_error(full)["msg"]


def test_openapi_documents_the_uploads(client: CheckedClient) -> None:
    doc = client.get("/openapi.json").json()
    post = doc["paths"]["/api/uploads"]["post"]
    assert post["tags"] == ["uploads"] and post["summary"] == "Upload a CSV of 2-D points"
    assert "x1,x2,label" in post["requestBody"]["content"]["text/csv"]["example"]
    assert {"get", "delete"} <= set(doc["paths"]["/api/uploads/{upload_id}"])
    assert doc["components"]["schemas"]["UploadInfo"]["examples"][0]["data"]["name"] == "upload"
