"""Runs through the REST API: create, read, train, snapshot, predict, edit, reset,
delete, background jobs, idle dropping and divergence."""

from __future__ import annotations

import json
import math
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from engine.budget import MB, Budget
from engine.lessons import get_lesson
from engine.lessons.base import Draw
from tests.app.conftest import SMALL_SPEC, CheckedClient, only_error
from tests.http_checks import running_server
from tests.large_runs import IMAGE_RUN, TEN_BY_64, traced_peak

DIVERGING = {
    "data": {"name": "plane", "n_samples": 200},
    "hidden": [8],
    "activation": "relu",
    "init": {"name": "normal", "scale": 50},
    "optimizer": {"name": "sgd", "lr": 10.0},
}
"""Huge weights and a huge learning rate: the run blows up within a few steps."""


def wait_job(client: CheckedClient, run_id: str, job_id: str, timeout: float = 20.0) -> dict:
    """Poll the job until it is no longer running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/runs/{run_id}/jobs/{job_id}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def params_of(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {layer["path"]: layer["params"] for layer in snapshot["layers"] if "params" in layer}


def test_create_from_spec_returns_id_spec_and_metrics(client: CheckedClient) -> None:
    response = client.post("/api/runs", json={"spec": SMALL_SPEC})
    assert response.status_code == 201
    run = response.json()
    assert len(run["id"]) >= 20
    assert run["status"] == "idle" and run["step"] == 0 and run["epoch"] == 0
    assert run["lesson"] is None
    assert run["spec"]["data"]["n_samples"] == 200
    assert run["spec"]["layers"] == [{"type": "dense", "units": 4},
                                     {"type": "activation", "name": "tanh"}]
    assert run["hyper"] == {"lr": 0.03, "l1": 0.0, "l2": 0.0, "batch_size": 10}
    assert [layer["path"] for layer in run["layers"]] == ["0", "1", "2"]
    assert run["metrics"]["step"] == 0 and 0.0 < run["metrics"]["train_loss"] < 5.0


def test_create_from_lesson_variant_uses_its_spec(client: CheckedClient) -> None:
    run = client.post("/api/runs", json={"lesson": "dead-relu", "variant": "leaky_relu"}).json()
    assert run["lesson"] == "dead-relu" and run["variant"] == "leaky_relu"
    assert run["layers"][1] == {"path": "1", "type": "activation", "name": "leaky_relu",
                                "slope": 0.01}


def test_create_from_lesson_with_a_drawn_seed(client: CheckedClient) -> None:
    preset = client.post("/api/runs", json={"lesson": "batch-norm"}).json()
    drawn = client.post("/api/runs", json={"lesson": "batch-norm", "seed": 17}).json()
    assert preset["spec"]["seed"] == 0 and preset["spec"]["data"]["seed"] == 0
    assert drawn["spec"]["seed"] == 17 and drawn["spec"]["data"]["seed"] == 17
    trainer = get_lesson("batch-norm").trainer(draw=Draw.both(17))
    assert drawn["metrics"]["train_loss"] == trainer.metrics()["train_loss"]
    assert drawn["metrics"]["train_loss"] != preset["metrics"]["train_loss"]


@pytest.mark.parametrize(("body", "field"), [
    ({"spec": {}, "seed": 3}, "seed"),
    ({"lesson": "dead-relu", "seed": -1}, "seed"),
    ({"lesson": "dead-relu", "seed": 2**32}, "seed"),
    ({"lesson": "dead-relu", "seed": "3"}, "seed"),
])
def test_create_with_a_bad_seed_names_it(client: CheckedClient, body: dict,
                                         field: str) -> None:
    answer = client.post("/api/runs", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == field


def test_create_gives_distinct_unguessable_ids(new_run: Callable[..., str]) -> None:
    ids = {new_run() for _ in range(5)}
    assert len(ids) == 5
    assert all(len(i) >= 20 and i.replace("-", "").replace("_", "").isalnum() for i in ids)


def test_read_run_reports_status_step_and_metrics(client: CheckedClient,
                                                  new_run: Callable[..., str]) -> None:
    run_id = new_run()
    client.post(f"/api/runs/{run_id}/train", json={"steps": 25})
    run = client.get(f"/api/runs/{run_id}").json()
    assert run["id"] == run_id
    assert run["status"] == "idle" and run["step"] == 25 and run["epoch"] == 2
    assert run["metrics"]["step"] == 25
    assert set(run["metrics"]) == {"step", "epoch", "status", "train_loss", "test_loss",
                                   "train_accuracy", "test_accuracy"}


def test_train_lowers_the_loss(client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run()
    before = client.get(f"/api/runs/{run_id}").json()["metrics"]["train_loss"]
    metrics = client.post(f"/api/runs/{run_id}/train", json={"steps": 1500}).json()
    assert metrics["step"] == 1500 and metrics["status"] == "idle"
    assert metrics["train_loss"] < 0.5 * before
    assert metrics["train_accuracy"] > 0.9


def test_snapshot_of_lesson_has_layers_and_map_shapes(client: CheckedClient,
                                                      new_run: Callable[..., str]) -> None:
    run_id = new_run(lesson="dead-relu")
    frame = client.get(f"/api/runs/{run_id}/snapshot",
                       params={"output_grid": 20, "unit_grid": 10}).json()
    assert frame["run"] == run_id and frame["step"] == 0
    assert [layer["type"] for layer in frame["layers"]] == ["dense", "activation", "dense"]
    dense, act, out = frame["layers"]
    assert np.array(dense["params"]["W"]).shape == (2, 8)
    assert np.array(out["params"]["W"]).shape == (8, 1)
    assert np.array(act["unit_maps"]).shape == (8, 10, 10)
    assert len(act["dead"]) == 8 and len(act["inactive_share"]) == 8
    assert np.array(frame["output_map"]).shape == (20, 20)
    assert dense["weight_grad_norm"] >= 0.0
    assert len(frame["extent"]) == 4
    assert frame["hyper"]["lr"] == 0.3


def test_snapshot_default_grids_and_one_dimensional_data(client: CheckedClient,
                                                         new_run: Callable[..., str]) -> None:
    flat = client.get(f"/api/runs/{new_run()}/snapshot").json()
    assert np.array(flat["output_map"]).shape == (32, 32)
    assert np.array(flat["layers"][1]["unit_maps"]).shape == (4, 8, 8)
    line_id = new_run({"data": {"name": "sine", "n_samples": 50}, "hidden": [3]})
    line = client.get(f"/api/runs/{line_id}/snapshot", params={"output_grid": 30}).json()
    assert np.array(line["output_map"]).shape == (30,)
    assert np.array(line["layers"][1]["unit_maps"]).shape == (3, 8)
    assert len(line["extent"]) == 2


def test_snapshot_default_of_a_lesson_is_tens_of_kilobytes(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run(lesson="dead-relu")  # 312 KB with the former 100 x 100 / 50 x 50 grids
    answer = client.get(f"/api/runs/{run_id}/snapshot")
    assert 10_000 < len(answer.content) < 40_000
    frame = answer.json()
    assert np.array(frame["output_map"]).shape == (32, 32)
    assert np.array(frame["layers"][1]["unit_maps"]).shape == (8, 8, 8)


def test_snapshot_big_grids_when_asked(client: CheckedClient,
                                       new_run: Callable[..., str]) -> None:
    run_id = new_run(lesson="dead-relu")
    answer = client.get(f"/api/runs/{run_id}/snapshot",
                        params={"output_grid": 200, "unit_grid": 120})
    frame = answer.json()
    assert np.array(frame["output_map"]).shape == (200, 200)
    assert np.array(frame["layers"][1]["unit_maps"]).shape == (8, 120, 120)
    assert len(answer.content) > 1_000_000


def test_identical_spec_and_seed_give_identical_snapshots(client: CheckedClient,
                                                          new_run: Callable[..., str]) -> None:
    frames = []
    for _ in range(2):
        run_id = new_run()
        client.post(f"/api/runs/{run_id}/train", json={"steps": 137})
        frame = client.get(f"/api/runs/{run_id}/snapshot").json()
        assert frame.pop("run") == run_id
        frames.append(frame)
    assert frames[0] == frames[1]
    other = new_run({**SMALL_SPEC, "seed": 2})
    client.post(f"/api/runs/{other}/train", json={"steps": 137})
    assert params_of(client.get(f"/api/runs/{other}/snapshot").json()) != params_of(frames[0])


def test_set_weight_then_predict_changes_as_computed_by_hand(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run(lesson="xor-two-relu")
    corners = {"points": [[0, 0], [0, 1], [1, 0], [1, 1]]}
    before = client.post(f"/api/runs/{run_id}/predict", json=corners).json()
    assert before == {"task": "binary", "output": [0.0, 1.0, 1.0, 0.0], "classes": [0, 1, 1, 0]}
    response = client.put(f"/api/runs/{run_id}/params",
                          json={"layer": "2", "name": "W", "index": [0, 0], "value": -2.0})
    assert response.json() == {"layer": "2", "name": "W", "index": [0, 0], "value": -2.0,
                               "status": "idle"}
    # h1 = relu(x + y - 1), h2 = relu(1 - x - y); out = -2 h1 - h2 + 1
    # (0,0): h = (0, 1) -> 0;  (0,1), (1,0): h = (0, 0) -> 1;  (1,1): h = (1, 0) -> -1
    after = client.post(f"/api/runs/{run_id}/predict", json=corners).json()
    assert after["output"] == [0.0, 1.0, 1.0, -1.0]
    frame = client.get(f"/api/runs/{run_id}/snapshot").json()
    assert params_of(frame)["2"]["W"] == [[-2.0], [-1.0]]


def test_predict_multiclass_gives_probabilities_and_classes(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run({"data": {"name": "blobs", "classes": 4, "n_samples": 200}, "hidden": [5]})
    client.post(f"/api/runs/{run_id}/train", json={"steps": 300})
    body = client.post(f"/api/runs/{run_id}/predict",
                       json={"points": [[0.0, 0.0], [3.0, -1.0], [-2.5, 2.5]]}).json()
    assert body["task"] == "multiclass"
    probs = np.array(body["output"])
    assert probs.shape == (3, 4)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert body["classes"] == probs.argmax(axis=1).tolist()


def test_predict_regression_on_one_dimensional_points(client: CheckedClient,
                                                      new_run: Callable[..., str]) -> None:
    run_id = new_run({"data": {"name": "abs", "n_samples": 40}, "hidden": []})
    client.put(f"/api/runs/{run_id}/params", json={"layer": "0", "name": "W",
                                                   "index": [0, 0], "value": 0.5})
    client.put(f"/api/runs/{run_id}/params", json={"layer": "0", "name": "b",
                                                   "index": [0], "value": 0.25})
    body = client.post(f"/api/runs/{run_id}/predict", json={"points": [[2.0], [-1.0]]}).json()
    assert body == {"task": "regression", "output": [1.25, -0.25], "classes": None}


def test_hyper_change_takes_effect(client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run()
    response = client.patch(f"/api/runs/{run_id}/hyper", json={"lr": 0.1, "batch_size": 25})
    assert response.json() == {"lr": 0.1, "l1": 0.0, "l2": 0.0, "batch_size": 25}
    client.post(f"/api/runs/{run_id}/train", json={"steps": 4})
    run = client.get(f"/api/runs/{run_id}").json()
    assert run["hyper"]["lr"] == 0.1
    assert run["epoch"] == 0 and run["step"] == 4  # 4 x 25 = the 100 training points
    client.post(f"/api/runs/{run_id}/train", json={"steps": 1})
    assert client.get(f"/api/runs/{run_id}").json()["epoch"] == 1


def test_hyper_change_is_all_or_nothing(client: CheckedClient,
                                        new_run: Callable[..., str]) -> None:
    run_id = new_run()
    response = client.patch(f"/api/runs/{run_id}/hyper", json={"lr": 0.5, "batch_size": 101})
    assert response.status_code == 422
    assert only_error(response)["loc"] == ["body", "batch_size"]
    assert client.get(f"/api/runs/{run_id}").json()["hyper"]["lr"] == 0.03


def test_a_batch_norm_run_refuses_a_batch_of_one(client: CheckedClient,
                                                 new_run: Callable[..., str]) -> None:
    spec = {**SMALL_SPEC, "batch_norm": True}
    response = client.post("/api/runs", json={"spec": {**spec, "batch_size": 1}})
    assert response.status_code == 422
    assert only_error(response)["loc"] == ["body", "spec", "batch_size"]
    run_id = new_run(spec)
    response = client.patch(f"/api/runs/{run_id}/hyper", json={"lr": 0.5, "batch_size": 1})
    assert response.status_code == 422
    error = only_error(response)
    assert error["loc"] == ["body", "batch_size"]
    assert error["msg"].startswith("batch norm needs at least 2 samples in every batch")
    assert client.get(f"/api/runs/{run_id}").json()["hyper"] == {
        "lr": 0.03, "l1": 0.0, "l2": 0.0, "batch_size": 10}
    assert client.patch(f"/api/runs/{run_id}/hyper", json={"batch_size": 2}).json()[
        "batch_size"] == 2


def test_reset_gives_the_step_zero_weights_again(client: CheckedClient,
                                                 new_run: Callable[..., str]) -> None:
    run_id = new_run()
    start = client.get(f"/api/runs/{run_id}/snapshot").json()
    client.post(f"/api/runs/{run_id}/train", json={"steps": 200})
    trained = client.get(f"/api/runs/{run_id}/snapshot").json()
    assert params_of(trained) != params_of(start)
    run = client.post(f"/api/runs/{run_id}/reset").json()
    assert run["step"] == 0 and run["epoch"] == 0 and run["status"] == "idle"
    again = client.get(f"/api/runs/{run_id}/snapshot").json()
    assert params_of(again) == params_of(start)
    assert again["train_loss"] == start["train_loss"]


def test_delete_run_then_it_is_gone(client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run()
    response = client.delete(f"/api/runs/{run_id}")
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"/api/runs/{run_id}").status_code == 404
    assert client.delete(f"/api/runs/{run_id}").status_code == 404
    assert client.get("/healthz").json()["runs"] == 0


def test_idle_runs_are_dropped_by_the_sweeper(open_client: Callable[..., Any]) -> None:
    with open_client(run_idle_seconds=0.05, sweep_seconds=0.05) as client:
        run_id = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        deadline = time.monotonic() + 5.0
        while client.get("/healthz").json()["runs"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get(f"/api/runs/{run_id}").status_code == 404


def test_job_trains_in_the_background_and_reports_progress(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run()
    response = client.post(f"/api/runs/{run_id}/jobs", json={"steps": 1000})
    assert response.status_code == 202
    job = response.json()
    assert job["run"] == run_id and job["total"] == 1000 and job["state"] == "running"
    done = wait_job(client, run_id, job["id"])
    assert done["state"] == "finished" and done["done"] == 1000 and done["error"] is None
    assert done["metrics"]["step"] == 1000
    assert client.get(f"/api/runs/{run_id}").json()["step"] == 1000


def test_job_runs_alone_and_can_be_cancelled(open_client: Callable[..., Any]) -> None:
    with open_client(max_steps_per_request=5000) as client:
        run_id = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        job = client.post(f"/api/runs/{run_id}/jobs", json={"steps": 500_000}).json()
        assert client.get(f"/api/runs/{run_id}").json()["status"] == "training"
        second = client.post(f"/api/runs/{run_id}/jobs", json={"steps": 10})
        assert second.status_code == 409 and job["id"] in only_error(second)["msg"]
        assert client.post(f"/api/runs/{run_id}/train", json={"steps": 1}).status_code == 409
        frame = client.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 10})
        assert frame.status_code == 200  # frames interleave with the job's chunks
        cancelled = client.delete(f"/api/runs/{run_id}/jobs/{job['id']}").json()
        assert cancelled["id"] == job["id"]
        ended = wait_job(client, run_id, job["id"])
        assert ended["state"] == "cancelled" and 0 < ended["done"] < 500_000
        assert client.get(f"/api/runs/{run_id}").json()["status"] == "idle"


def test_a_step_command_while_a_job_trains_gets_an_error_frame(
        open_client: Callable[..., Any]) -> None:
    with open_client(max_steps_per_request=5000) as client:
        run_id = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        job = client.post(f"/api/runs/{run_id}/jobs", json={"steps": 500_000}).json()
        with client.websocket_connect(f"/ws/runs/{run_id}") as ws:
            ws.send_text(json.dumps({"type": "step", "n": 5}))
            message = ws.receive()
            while message.get("text") is None:  # frames of the job's progress
                message = ws.receive()
            error = json.loads(message["text"])
            assert error["type"] == "error" and error["field"] == "run"
            assert "training for another request or a background job" in error["message"]
            ws.send_text(json.dumps({"type": "pause"}))  # the socket is still open
            assert ws.receive()
        client.delete(f"/api/runs/{run_id}/jobs/{job['id']}")
        assert wait_job(client, run_id, job["id"])["state"] == "cancelled"


def test_job_failure_marks_only_that_job_failed(client: CheckedClient,
                                                new_run: Callable[..., str]) -> None:
    broken, healthy = new_run(), new_run()

    def explode(steps: int, deadline: float | None = None) -> int:
        raise FloatingPointError("simulated crash inside the engine")

    client.app.state.registry.get(broken).trainer.advance = explode
    bad = client.post(f"/api/runs/{broken}/jobs", json={"steps": 500}).json()
    good = client.post(f"/api/runs/{healthy}/jobs", json={"steps": 500}).json()
    failed = wait_job(client, broken, bad["id"])
    assert failed["state"] == "failed" and failed["done"] == 0
    assert failed["error"] == "training failed: FloatingPointError"
    assert wait_job(client, healthy, good["id"])["state"] == "finished"
    assert client.get(f"/api/runs/{broken}").json()["status"] == "idle"
    assert client.get(f"/api/runs/{healthy}").json()["step"] == 500


def test_diverged_run_says_so_and_keeps_its_last_finite_state(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run(DIVERGING)
    metrics = client.post(f"/api/runs/{run_id}/train", json={"steps": 300}).json()
    assert metrics["status"] == "diverged"
    assert 0 < metrics["step"] < 300
    assert metrics["train_loss"] is None or math.isfinite(metrics["train_loss"])
    assert metrics["test_loss"] is None or math.isfinite(metrics["test_loss"])
    run = client.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "diverged" and run["step"] == metrics["step"]
    frame = client.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 10}).json()
    assert frame["status"] == "diverged"
    weights = [w for params in params_of(frame).values() for w in np.ravel(params["W"])]
    assert weights and all(w is not None and math.isfinite(w) for w in weights)
    again = client.post(f"/api/runs/{run_id}/train", json={"steps": 10}).json()
    assert again["step"] == metrics["step"] and again["status"] == "diverged"
    assert client.post(f"/api/runs/{run_id}/reset").json()["status"] == "idle"


def test_diverged_run_reports_null_rather_than_nan_losses(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    run_id = new_run(DIVERGING)
    client.post(f"/api/runs/{run_id}/train", json={"steps": 300})
    metrics = client.get(f"/api/runs/{run_id}").json()["metrics"]
    assert metrics["status"] == "diverged"
    assert metrics["train_loss"] is None and metrics["test_loss"] is None
    assert metrics["train_accuracy"] is None  # regression: no accuracy


def test_training_past_the_request_limit_points_at_jobs(open_client: Callable[..., Any]) -> None:
    with open_client(max_steps_per_request=5000) as client:
        run_id = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        refused = client.post(f"/api/runs/{run_id}/train", json={"steps": 5001})
        assert refused.status_code == 422
        error = only_error(refused)
        assert error["loc"] == ["body", "steps"]
        assert error["msg"] == ("must be between 1 and 5000, got 5001; train longer with a "
                                f"background job: POST /api/runs/{run_id}/jobs")
        below = only_error(client.post(f"/api/runs/{run_id}/train", json={"steps": 0}))
        assert "jobs" not in below["msg"]
        beyond_jobs = client.post(f"/api/runs/{run_id}/train", json={"steps": 500_001})
        assert only_error(beyond_jobs)["msg"] == "must be between 1 and 5000, got 500001"


def most_batch(message: str) -> int:
    """N in a refusal's "use batch_size <= N,"."""
    return int(message.split("use batch_size <= ")[1].split(",")[0])





def test_snapshot_with_big_grids_on_a_10x64_net_is_refused_cheaply(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    """It answered 516 MB of JSON and took the server to 2.9 GB."""
    run_id = new_run(TEN_BY_64)
    big = {"output_grid": 200, "unit_grid": 200}
    response, peak = traced_peak(lambda: client.get(f"/api/runs/{run_id}/snapshot",
                                                    params=big))
    assert response.status_code == 422
    error = only_error(response)
    assert error["loc"][0] == "query" and error["loc"][1] in big
    assert "at most" in error["msg"]
    assert peak < 5_000_000
    normal = client.get(f"/api/runs/{run_id}/snapshot")
    assert normal.status_code == 200
    assert np.array(normal.json()["layers"][1]["unit_maps"]).shape == (64, 8, 8)


def test_snapshot_grids_are_bounded_by_the_map_setting(
        open_client: Callable[..., Any]) -> None:
    with open_client(max_map_values=100_000) as client:
        run_id = client.post("/api/runs", json={"spec": TEN_BY_64}).json()["id"]
        response = client.get(f"/api/runs/{run_id}/snapshot", params={"unit_grid": 16})
        assert response.status_code == 422
        error = only_error(response)
        assert error["loc"] == ["query", "unit_grid"]
        # 32 x 32 output values + 640 units x 12^2 fit in 100,000; 13^2 do not
        assert "at most 100,000 map values" in error["msg"]
        assert error["msg"].endswith("use unit_grid <= 12")
        frame = client.get(f"/api/runs/{run_id}/snapshot", params={"unit_grid": 12}).json()
        assert np.array(frame["layers"][1]["unit_maps"]).shape == (64, 12, 12)
        assert frame["grid"] == {"output": 32, "units": 12}


def test_snapshot_of_a_million_map_values_is_written_from_the_arrays(
        client: CheckedClient, new_run: Callable[..., str]) -> None:
    """Nearly the largest snapshot the default map budget allows (929,104 values, at
    the finest output grid a 10 x 64 net's pass may draw, see engine.compute): its JSON
    is written from the arrays, not through a Python number per value (which took 89
    MB and seconds for a million)."""
    run_id = new_run(TEN_BY_64)
    client.get(f"/api/runs/{run_id}/snapshot")
    response, peak = traced_peak(lambda: client.get(
        f"/api/runs/{run_id}/snapshot", params={"output_grid": 72, "unit_grid": 38}))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    frame = response.json()
    assert np.array(frame["layers"][1]["unit_maps"]).shape == (64, 38, 38)
    assert np.array(frame["output_map"]).shape == (72, 72)
    assert peak < 3.5 * len(response.content)


def test_hyper_batch_size_over_the_budget_is_refused(open_client: Callable[..., Any]) -> None:
    """A batch size raised after creation was never checked against memory."""
    with open_client(pass_memory_mb=16) as client:
        run_id = client.post("/api/runs", json={"spec": IMAGE_RUN}).json()["id"]
        response = client.patch(f"/api/runs/{run_id}/hyper",
                                json={"lr": 0.1, "batch_size": 120})
        assert response.status_code == 422
        error = only_error(response)
        assert error["loc"] == ["body", "batch_size"]
        assert "at most 16 MB per pass: use batch_size <= " in error["msg"]
        most = most_batch(error["msg"])
        assert 10 < most < 120
        assert client.get(f"/api/runs/{run_id}").json()["hyper"]["batch_size"] == 10
        assert client.get(f"/api/runs/{run_id}").json()["hyper"]["lr"] == 0.03
        answer = client.patch(f"/api/runs/{run_id}/hyper", json={"batch_size": most})
        assert answer.json()["batch_size"] == most


def test_create_over_the_budget_names_the_spec_field(open_client: Callable[..., Any]) -> None:
    with open_client(pass_memory_mb=16) as client:
        response = client.post("/api/runs", json={"spec": {**IMAGE_RUN, "batch_size": 120}})
        assert response.status_code == 422
        error = only_error(response)
        assert error["loc"] == ["body", "spec", "batch_size"]
        assert 10 < most_batch(error["msg"]) < 120
        lesson = client.post("/api/runs", json={"lesson": "convolution"})
        assert lesson.status_code == 201  # every lesson fits the smallest budget


def test_runs_of_a_server_get_its_budget(open_client: Callable[..., Any]) -> None:
    with open_client(pass_memory_mb=16, max_map_values=123_456) as client:
        spec_run = client.post("/api/runs", json={"spec": SMALL_SPEC}).json()["id"]
        lesson_run = client.post("/api/runs", json={"lesson": "dead-relu"}).json()["id"]
        registry = client.app.state.registry
        for run_id in (spec_run, lesson_run):
            assert registry.get(run_id).trainer.budget == Budget(16 * MB, 123_456)


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[str]:
    """A server started as `make run` starts it, its runs in its own process; its
    base URL."""
    with running_server(tmp_path, os.environ, NNPLAY_ENGINE_PROCESSES="0") as base:
        yield base


def test_rest_training_stops_when_its_client_goes_away(real_server: str) -> None:
    """20000 steps of a 10 x 64 net take tens of seconds; a client that hangs up must
    not leave the server training them for nobody."""
    heavy = {"hidden": [64] * 10, "batch_size": 80, "data": {"name": "circle",
                                                             "n_samples": 1000}}
    with httpx.Client(base_url=real_server, timeout=30) as client:
        run_id = client.post("/api/runs", json={"spec": heavy}).json()["id"]
        body = json.dumps({"steps": 20000}).encode()
        port = int(real_server.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(f"POST /api/runs/{run_id}/train HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(body)}"
                        "\r\n\r\n".encode() + body)
            while client.get(f"/api/runs/{run_id}").json()["status"] != "training":
                time.sleep(0.05)
        # the client hung up while its run trains
        deadline = time.monotonic() + 120
        while client.get(f"/api/runs/{run_id}").json()["status"] == "training":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert 0 < client.get(f"/api/runs/{run_id}").json()["step"] < 20000
