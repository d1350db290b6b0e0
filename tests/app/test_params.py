"""GET /api/runs/{id}/params: a run's weights and biases per layer, without the snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error
from tests.app.test_classroom import TOKEN, join, start_class
from tests.app.test_classroom import new_run as new_class_run


def by_path(params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {layer["path"]: layer for layer in params["layers"]}


def test_params_of_xor_two_relu_are_its_hand_set_weights(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run(lesson="xor-two-relu")
    answer = client.get(f"/api/runs/{run_id}/params")
    assert answer.status_code == 200
    assert answer.json() == {"run": run_id, "step": 0, "epoch": 0, "layers": [
        {"index": 0, "path": "0", "kind": "dense", "weights": [[1.0, -1.0], [1.0, -1.0]],
         "weights_shape": [2, 2], "biases": [-1.0, 1.0], "biases_shape": [2], "others": {}},
        {"index": 2, "path": "2", "kind": "dense", "weights": [[-1.0], [-1.0]],
         "weights_shape": [2, 1], "biases": [1.0], "biases_shape": [1], "others": {}}]}
    assert len(answer.content) < 500


def test_params_after_training_match_the_snapshot(client: CheckedClient,
                                                  new_run: Callable[..., str]) -> None:
    run_id = new_run()
    client.post(f"/api/runs/{run_id}/train", json={"steps": 60})
    params = client.get(f"/api/runs/{run_id}/params").json()
    frame = client.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 2,
                                                               "unit_grid": 2}).json()
    assert params["step"] == frame["step"] == 60 and params["epoch"] == frame["epoch"]
    shown = {layer["path"]: layer["params"] for layer in frame["layers"] if "params" in layer}
    assert set(by_path(params)) == set(shown) == {"0", "2"}
    for path, layer in by_path(params).items():
        assert layer["weights"] == shown[path]["W"] and layer["biases"] == shown[path]["b"]
        assert list(np.shape(layer["weights"])) == layer["weights_shape"]
    assert by_path(params)["0"]["weights_shape"] == [2, SMALL_SPEC["hidden"][0]]
    layers = client.get(f"/api/runs/{run_id}").json()["layers"]
    assert [layers[entry["index"]]["path"] for entry in params["layers"]] == ["0", "2"]


def test_params_of_other_layers_go_in_others(client: CheckedClient,
                                             new_run: Callable[..., str]) -> None:
    bn = by_path(client.get(f"/api/runs/{new_run(lesson='batch-norm')}/params").json())
    assert bn["1"]["kind"] == "batchnorm" and bn["1"]["weights"] is None
    assert bn["1"]["biases_shape"] is None
    assert bn["1"]["others"]["gamma"] == {"shape": [8], "values": [1.0] * 8}
    assert bn["1"]["others"]["beta"] == {"shape": [8], "values": [0.0] * 8}
    prelu = by_path(client.get(
        f"/api/runs/{new_run(lesson='dead-relu', variant='prelu')}/params").json())
    assert prelu["1"]["kind"] == "prelu" and prelu["1"]["others"]["alpha"]["shape"] == [12]
    conv = by_path(client.get(f"/api/runs/{new_run(lesson='convolution')}/params").json())
    assert conv["0"]["kind"] == "conv2d" and conv["0"]["weights_shape"] == [8, 1, 3, 3]
    assert np.shape(conv["0"]["weights"]) == (8, 1, 3, 3) and conv["0"]["biases_shape"] == [8]


def test_params_of_an_unknown_run_is_404(client: CheckedClient) -> None:
    answer = client.get("/api/runs/nope/params")
    assert answer.status_code == 404
    assert only_error(answer) == {"loc": ["path", "run_id"], "type": "run_not_found",
                                  "msg": "no run with id 'nope' (it may have been dropped "
                                         "after idling)", "ctx": {"id": "nope"}}


def test_params_from_an_engine_process(open_client: Callable[..., Any]) -> None:
    with open_client(engine_processes=1) as client:
        made = client.post("/api/runs", json={"lesson": "xor-two-relu"}).json()
        params = client.get(f"/api/runs/{made['id']}/params").json()
        assert by_path(params)["2"]["weights"] == [[-1.0], [-1.0]]


def test_params_of_a_students_run_are_theirs_and_the_teachers(
        open_client: Callable[..., Any]) -> None:
    with open_client(teacher_token=TOKEN) as teacher:
        teacher.post("/api/teacher/login", json={"token": TOKEN})
        code = start_class(teacher)["code"]
        mei, kai = join(teacher, code, "Mei"), join(teacher, code, "Kai")
        run_id = new_class_run(mei, lesson="xor-two-relu")
        assert mei.get(f"/api/runs/{run_id}/params").status_code == 200
        assert teacher.get(f"/api/runs/{run_id}/params").status_code == 200
        assert kai.get(f"/api/runs/{run_id}/params").status_code == 404
        anyone = CheckedClient(teacher.app)
        assert anyone.get(f"/api/runs/{run_id}/params").status_code == 404
