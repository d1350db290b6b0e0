"""Engine workers: priorities, runs in child processes, and a worker that dies."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

import numpy as np
import pytest

from app.engine_pool import EnginePool, InProcessWorker, Reply, Worker
from app.fair_queue import BACKGROUND, COMMAND, FRAME
from app.frames import decode
from app.registry import RunRegistry
from tests.app.conftest import SMALL_SPEC, TEST_HOSTS, CheckedClient


class GatedWorker(Worker):
    """Records the order it carries requests out in; the first waits for a gate."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.gate = threading.Event()
        super().__init__(0)

    def _execute(self, run_id: str, op: str, args: tuple) -> Reply:
        if not self.order:
            self.gate.wait(5)
        self.order.append(op)
        return op, "idle", len(self.order)


def test_commands_overtake_frames_which_overtake_background_training() -> None:
    worker = GatedWorker()
    try:
        first = worker.submit("r", "first", (), FRAME)
        time.sleep(0.05)  # the dispatcher now holds "first" at the gate
        futures = [worker.submit("r", op, (), priority) for op, priority in (
            ("train-1", BACKGROUND), ("frame-1", FRAME), ("train-2", BACKGROUND),
            ("frame-2", FRAME), ("set-lr", COMMAND))]
        worker.gate.set()
        assert first.result(5) == ("first", "idle", 1)
        for future in futures:
            future.result(5)
        assert worker.order == ["first", "set-lr", "frame-1", "frame-2", "train-1", "train-2"]
    finally:
        worker.gate.set()
        worker.close()


def test_a_request_waiting_too_long_overtakes_frames_but_never_a_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.fair_queue.MAX_WAIT_SECONDS", 0.1)
    worker = GatedWorker()
    try:
        worker.submit("r", "first", (), FRAME)
        time.sleep(0.05)
        training = worker.submit("r", "train", (), BACKGROUND)
        time.sleep(0.15)  # the training request is now overdue
        frames = [worker.submit("r", f"frame-{i}", (), FRAME) for i in range(3)]
        command = worker.submit("r", "set-lr", (), COMMAND)
        worker.gate.set()
        training.result(5)
        command.result(5)
        for future in frames:
            future.result(5)
        assert worker.order == ["first", "set-lr", "train", "frame-0", "frame-1", "frame-2"]
    finally:
        worker.gate.set()
        worker.close()


def test_a_promoted_frame_goes_next_and_a_running_one_cannot_be() -> None:
    worker = GatedWorker()
    try:
        running = worker.submit("r", "first", (), FRAME)
        time.sleep(0.05)
        frames = [worker.submit("r", f"frame-{i}", (), FRAME) for i in range(3)]
        assert worker.promote(frames[2]) is True
        assert worker.promote(running) is False  # under way: nothing to move
        worker.gate.set()
        for future in frames:
            future.result(5)
        assert worker.order == ["first", "frame-2", "frame-0", "frame-1"]
        assert worker.promote(frames[0]) is False  # done
    finally:
        worker.gate.set()
        worker.close()


def test_closing_cancels_what_is_still_queued() -> None:
    worker = GatedWorker()
    worker.submit("r", "first", (), FRAME)
    time.sleep(0.05)
    queued = worker.submit("r", "never", (), COMMAND)
    closer = threading.Thread(target=worker.close)
    closer.start()
    time.sleep(0.05)
    worker.gate.set()
    closer.join(5)
    assert queued.cancelled() and worker.order == ["first"]


def test_a_cancelled_request_is_skipped() -> None:
    worker = GatedWorker()
    try:
        worker.submit("r", "first", (), FRAME)
        time.sleep(0.05)
        dropped = worker.submit("r", "dropped", (), FRAME)
        kept = worker.submit("r", "kept", (), FRAME)
        assert dropped.cancel()
        worker.gate.set()
        kept.result(5)
        assert worker.order == ["first", "kept"]
    finally:
        worker.gate.set()
        worker.close()


class RecordingWorker(InProcessWorker):
    """Runs in this process; records each request it carries out as (run, op, value)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, Any]] = []
        super().__init__(0)

    def _execute(self, run_id: str, op: str, args: tuple) -> Reply:
        reply = super()._execute(run_id, op, args)
        self.log.append((run_id, op, reply[0] if op == "train" else None))
        return reply


def test_long_training_is_cut_into_slices_and_other_runs_go_in_between() -> None:
    pool = EnginePool(0)
    pool.workers[0].close()
    worker = RecordingWorker()
    pool.workers = [worker]
    registry = RunRegistry(max_runs=5, idle_seconds=600, pool=pool, slice_seconds=0.001)
    try:
        heavy = registry.create(("spec", {**SMALL_SPEC, "hidden": [32] * 6}, None))
        light = registry.create(("spec", SMALL_SPEC, None))
        training = threading.Thread(target=heavy.train, args=(3000,))
        training.start()
        while not any(op == "train" for _, op, _ in list(worker.log)):
            time.sleep(0.001)  # wait for the first slice
        light.call("set_hyper", {"lr": 0.01})  # another client's command, meanwhile
        training.join(60)
        assert heavy.call("info")["step"] == 3000
        log = [(run, op, value) for run, op, value in worker.log if op != "create"]
        slices = [value for run, op, value in log if run == heavy.id and op == "train"]
        assert sum(slices) == 3000 and len(slices) >= 10 and max(slices) < 3000
        after_command = log[log.index((light.id, "set_hyper", None)) + 1:]
        assert (heavy.id, "train") in [(run, op) for run, op, _ in after_command]
    finally:
        pool.close()


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    """One app with two engine processes, shared by this module's tests (starting
    processes takes about a second)."""
    from app.main import create_app
    from app.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("pool"), engine_processes=2,
                        allowed_hosts=TEST_HOSTS)
    with CheckedClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def make_run(processes: CheckedClient) -> Callable[..., str]:
    def make(spec: dict[str, Any] | None = None) -> str:
        response = processes.post("/api/runs", json={"spec": spec or SMALL_SPEC})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    return make


def worker_pid(client: CheckedClient, run_id: str) -> int:
    return client.app.state.registry.get(run_id).worker.pid


def test_runs_spread_over_the_engine_processes(processes: CheckedClient,
                                               make_run: Callable[..., str]) -> None:
    pids = {worker_pid(processes, make_run()) for _ in range(4)}
    assert len(pids) == 2 and os.getpid() not in pids


def test_the_rest_api_works_on_runs_in_engine_processes(
        processes: CheckedClient, make_run: Callable[..., str]) -> None:
    run_id = make_run()
    start = processes.get(f"/api/runs/{run_id}").json()["metrics"]
    trained = processes.post(f"/api/runs/{run_id}/train", json={"steps": 300}).json()
    assert trained["step"] == 300 and trained["train_loss"] < 0.9 * start["train_loss"]
    run = processes.get(f"/api/runs/{run_id}").json()
    assert run["step"] == 300 and run["status"] == "idle"
    assert run["metrics"]["train_loss"] == trained["train_loss"]
    frame = processes.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 8}).json()
    assert np.asarray(frame["output_map"]).shape == (8, 8)
    predicted = processes.post(f"/api/runs/{run_id}/predict",
                               json={"points": [[0.0, 0.0], [5.5, 5.5]]}).json()
    assert sorted(predicted["classes"]) == [0, 1]  # the circle's inside and outside differ
    bad = processes.patch(f"/api/runs/{run_id}/hyper", json={"lr": 0.1, "batch_size": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "batch_size"
    assert processes.get(f"/api/runs/{run_id}").json()["hyper"]["lr"] == 0.03  # unchanged
    edited = processes.put(f"/api/runs/{run_id}/params",
                           json={"layer": "0", "name": "b", "index": [2], "value": 7.5})
    assert edited.status_code == 200
    frame = processes.get(f"/api/runs/{run_id}/snapshot", params={"output_grid": 4}).json()
    assert frame["layers"][0]["params"]["b"][2] == 7.5
    bad_point = processes.post(f"/api/runs/{run_id}/predict", json={"points": [[1.0]]})
    assert bad_point.status_code == 422
    assert bad_point.json()["detail"][0]["loc"][-2:] == ["points", "0"]
    saved = processes.post(f"/api/runs/{run_id}/save", json={"name": "in a process"}).json()
    opened = processes.post("/api/models/import", json={"model_id": saved["id"]}).json()
    assert opened["step"] == 300 and opened["id"] != run_id
    reset = processes.post(f"/api/runs/{run_id}/reset").json()
    assert reset["step"] == 0
    assert processes.delete(f"/api/runs/{run_id}").status_code == 204
    assert processes.get(f"/api/runs/{run_id}").status_code == 404


def test_a_bad_spec_is_named_from_inside_the_engine_process(
        processes: CheckedClient) -> None:
    before = len(processes.app.state.registry)
    response = processes.post("/api/runs", json={"spec": {"hidden": [4, -1]}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "spec", "hidden", "1"]
    assert len(processes.app.state.registry) == before  # no half-made run is left


def test_engine_processes_give_the_same_numbers_as_the_server_process(
        processes: CheckedClient, open_client: Callable[..., Any]) -> None:
    spec = {**SMALL_SPEC, "hidden": [6, 5], "seed": 11}
    frames = []
    for client in (processes, None):
        with open_client() if client is None else nullcontext(client) as c:
            run_id = c.post("/api/runs", json={"spec": spec}).json()["id"]
            c.post(f"/api/runs/{run_id}/train", json={"steps": 120})
            frames.append(c.get(f"/api/runs/{run_id}/snapshot",
                                params={"output_grid": 10, "unit_grid": 5}).json())
    in_process, in_child = frames[1], frames[0]
    assert in_child["train_loss"] == in_process["train_loss"]
    assert in_child["layers"] == in_process["layers"]
    assert in_child["output_map"] == in_process["output_map"]


def test_live_frames_come_from_the_engine_process(processes: CheckedClient,
                                                  make_run: Callable[..., str]) -> None:
    run_id = make_run()
    with processes.websocket_connect(f"/ws/runs/{run_id}") as ws:
        header, arrays = decode(ws.receive_bytes())
        assert header["step"] == 0 and arrays["output_map"].shape == (100, 100)
        ws.send_text(json.dumps({"type": "set", "name": "lr", "value": 0.2}))
        ws.send_text(json.dumps({"type": "speed", "steps_per_frame": 5}))
        ws.send_text(json.dumps({"type": "play"}))
        steps = []
        while len(steps) < 4:
            header, _ = decode(ws.receive_bytes())
            if header["playing"]:
                steps.append(header["step"])
        assert header["hyper"]["lr"] == 0.2
        assert steps == sorted(steps) and steps[-1] > steps[0]
        ws.send_text(json.dumps({"type": "unit_map", "layer": "1", "unit": 2, "grid": 20}))
        message = ws.receive_bytes()
        while decode(message)[0]["type"] != "unit_map":
            message = ws.receive_bytes()
        head, maps = decode(message)
        assert head["unit"] == 2 and maps["map"].shape == (20, 20)
        ws.send_text(json.dumps({"type": "unit_map", "layer": "7", "unit": 0}))
        text = ws.receive()
        while text.get("text") is None:
            text = ws.receive()
        assert json.loads(text["text"])["field"] == "layer"
        ws.send_text(json.dumps({"type": "pause"}))


def test_a_killed_engine_process_loses_only_its_runs(processes: CheckedClient,
                                                     make_run: Callable[..., str]) -> None:
    registry = processes.app.state.registry
    runs = [make_run() for _ in range(4)]
    victim = worker_pid(processes, runs[0])
    lost = [r for r in runs if worker_pid(processes, r) == victim]
    kept = [r for r in runs if r not in lost]
    assert lost and kept
    with processes.websocket_connect(f"/ws/runs/{lost[0]}") as ws:
        ws.receive_bytes()
        os.kill(victim, signal.SIGKILL)
        answer = processes.post(f"/api/runs/{lost[0]}/train", json={"steps": 10})
        assert answer.status_code == 404
        assert "engine process" in answer.json()["detail"][0]["msg"]
        ws.send_text(json.dumps({"type": "frame"}))
        message = ws.receive()
        while message.get("text") is None:
            message = ws.receive()
        assert "engine process" in json.loads(message["text"])["message"]
        ws.send_text(json.dumps({"type": "unit_map", "layer": "1", "unit": 0}))
        message = ws.receive()
        while message.get("text") is None:
            message = ws.receive()
        assert json.loads(message["text"])["field"] == "run"
    for run_id in lost[1:]:
        assert processes.get(f"/api/runs/{run_id}").status_code == 404
    for run_id in kept:
        assert processes.post(f"/api/runs/{run_id}/train",
                              json={"steps": 20}).json()["step"] == 20
    assert not any(registry.has(r) for r in lost)
    fresh = [make_run() for _ in range(2)]  # the replacement process takes new runs
    assert victim not in {worker_pid(processes, r) for r in fresh}
    registry.sweep()  # lost runs' slots are swept away; they are still said to be lost
    for run_id in lost:
        gone = processes.get(f"/api/runs/{run_id}")
        assert (gone.status_code, gone.json()["detail"][0]["type"]) == (404, "run_lost")
    for run_id in fresh:
        assert processes.post(f"/api/runs/{run_id}/train",
                              json={"steps": 20}).json()["step"] == 20
