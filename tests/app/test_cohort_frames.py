"""A class's live frames computed together (app/cohort_frames.py, and the workers'
batches in app/engine_pool.py): the frames of runs of one shape trained as one
cohort are byte for byte those each run gets alone; runs of other shapes,
diverged runs, other step counts and other operations in the batch are carried
out alone in their turn; a worker gathers the live frames queued while it was
busy into one batch, and an engine process answers a batch the same way."""

from __future__ import annotations

import threading
from typing import Any

from app.cohort_frames import carry_many, cohorts
from app.engine_pool import (
    FRAME_BATCH,
    EnginePool,
    InProcessWorker,
    carry_out,
    carry_out_many,
    unpack,
)
from app.fair_queue import COMMAND, FRAME
from app.run_host import RunHost
from engine.lessons.base import Draw
from engine.spec import Limits

HEADER = {"run": "r", "playing": True}


def lesson(name: str, seed: int) -> tuple:
    return ("lesson", name, None, Limits().budget, Draw(seed, seed))


def two_hosts(recipes: dict[str, tuple]) -> tuple[RunHost, RunHost]:
    hosts = RunHost(), RunHost()
    for host in hosts:
        for run_id, recipe in recipes.items():
            host.handle(run_id, "create", (recipe,))
    return hosts


def frame(steps: int, slice_seconds: float | None = None) -> tuple:
    return (steps, 40, 16, HEADER, None, slice_seconds)


def spec(seed: int, lr: float = 0.05) -> tuple:
    return ("spec", {"data": {"name": "plane", "n_samples": 100, "seed": seed},
                     "hidden": [8, 8], "activation": "tanh", "loss": "mse", "seed": seed,
                     "optimizer": {"name": "sgd", "lr": lr}}, Limits())


RECIPES = {"a": spec(1), "b": spec(2), "c": lesson("vanishing-gradients", 3), "d": spec(4),
           "e": spec(5, lr=10.0)}


def test_a_batch_of_frames_gives_the_bytes_each_run_gets_alone() -> None:
    together, alone = two_hosts(RECIPES)
    for _ in range(12):  # e diverges on the way, and then trains alone
        batch = [("a", "live_frame", frame(10)), ("c", "live_frame", frame(10)),
                 ("b", "live_frame", frame(10)), ("a", "set_hyper", ({"lr": 0.2},)),
                 ("d", "live_frame", frame(3)), ("e", "live_frame", frame(10)),
                 ("d", "live_frame", frame(10)), ("b", "metrics", ())]
        outcomes = carry_out_many(together, batch)
        expected = [carry_out(alone, *request) for request in batch]
        assert [answer for answer, _ in outcomes] == expected
        assert all(seconds > 0 for _, seconds in outcomes)
    assert together.runs["e"].trainer.status == "diverged"
    for run_id in RECIPES:
        assert (together.runs[run_id].trainer.net.params.tobytes()
                == alone.runs[run_id].trainer.net.params.tobytes())
        assert together.runs[run_id].revision == alone.runs[run_id].revision


def test_cohorts_are_runs_of_one_shape_asking_for_the_same_steps() -> None:
    host = two_hosts(RECIPES)[0]
    host.handle("e", "set_hyper", ({"batch_size": 7},))
    batch = [("a", "live_frame", frame(10)), ("c", "live_frame", frame(10)),
             ("b", "live_frame", frame(10)), ("d", "live_frame", frame(5)),
             ("e", "live_frame", frame(10)), ("x", "live_frame", frame(10)),
             ("d", "snapshot", (40, 16)), ("a", "live_frame", frame(0)),
             ("f", "set_param", ("0", "W", [0, 0], 0.5)), ("f", "live_frame", frame(10))]
    host.handle("f", "create", (spec(6),))
    assert cohorts(host, batch) == [[0, 2]]  # f's frame comes after a change to f
    host.handle("e", "set_hyper", ({"batch_size": 10},))  # the spec's own again
    assert cohorts(host, batch) == [[0, 2, 4]]


def test_a_cohorts_training_is_shared_out_and_a_missing_run_is_named() -> None:
    host = two_hosts(RECIPES)[0]
    seen: list[tuple] = []

    def carry(run_id: str, op: str, args: tuple) -> Any:
        seen.append((run_id, op, args[0]))
        return carry_out(host, run_id, op, args)

    outcomes = carry_many(host, [("a", "live_frame", frame(10)),
                                 ("b", "live_frame", frame(10)),
                                 ("gone", "live_frame", frame(10))], carry)
    assert seen == [("a", "live_frame", 0), ("b", "live_frame", 0),
                    ("gone", "live_frame", 10)]  # the cohort's steps were taken before
    assert outcomes[2][0] == (False, ("unknown", "gone"), None, None)
    assert host.runs["a"].trainer.step_count == host.runs["b"].trainer.step_count == 10


class GatedHostWorker(InProcessWorker):
    """Runs in this process; the first request waits for a gate, and every batch
    carried out is recorded."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.held = threading.Event()
        self.batches: list[list[str]] = []
        super().__init__(0)

    def _execute(self, run_id: str, op: str, args: tuple):
        if op == "info" and not self.held.is_set():
            self.held.set()
            self.gate.wait(30)
        return super()._execute(run_id, op, args)

    def _execute_many(self, requests):
        self.batches.append([f"{run_id}:{op}" for run_id, op, _ in requests])
        return super()._execute_many(requests)


def test_a_worker_carries_the_frames_queued_while_it_was_busy_as_one_batch() -> None:
    worker = GatedHostWorker()
    alone = two_hosts(RECIPES)[1]
    try:
        for run_id, recipe in RECIPES.items():
            unpack(carry_out(worker.host, run_id, "create", (recipe,)))
        first = worker.submit("a", "info", (), COMMAND)
        assert worker.held.wait(30)  # the dispatcher holds the info request
        frames = {run_id: worker.submit(run_id, "live_frame", frame(10), FRAME)
                  for run_id in ("a", "b", "c", "d")}
        command = worker.submit("b", "set_hyper", ({"lr": 0.3},), COMMAND)
        worker.gate.set()
        first.result(30)
        command.result(30)
        alone.handle("b", "set_hyper", ({"lr": 0.3},))
        for run_id, future in frames.items():
            assert future.result(30)[0] == alone.handle(run_id, "live_frame", frame(10))[0]
        # the command went first, then the four frames as one batch
        assert worker.batches == [["a:live_frame", "b:live_frame", "c:live_frame",
                                   "d:live_frame"]]
    finally:
        worker.gate.set()
        worker.close()
    assert FRAME_BATCH == 8


def test_an_engine_process_answers_a_batch_as_the_server_process() -> None:
    pool, local = EnginePool(1), EnginePool(0)
    try:
        worker, here = pool.workers[0], local.workers[0]
        for run_id in ("a", "b", "d"):
            for w in (worker, here):
                w.submit(run_id, "create", (RECIPES[run_id],)).result(60)
        batch = [(run_id, "live_frame", frame(10)) for run_id in ("a", "b", "d")]
        answers = [answer for answer, _ in worker._execute_many(batch)]
        assert answers == [answer for answer, _ in here._execute_many(batch)]
        assert all(answer[0] for answer in answers)
    finally:
        pool.close()
        local.close()


def test_a_fault_in_a_cohort_leaves_its_frames_to_train_alone(monkeypatch) -> None:
    """A bug in the stacked computation must not cost a worker its runs: the
    cohort's frames then train alone and answer as before cohorts."""
    together, alone = two_hosts(RECIPES)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise FloatingPointError("a fault of the stacked step")

    monkeypatch.setattr("app.cohort_frames.train_together", broken)
    batch = [(run_id, "live_frame", frame(10)) for run_id in ("a", "b", "d")]
    assert [answer for answer, _ in carry_out_many(together, batch)] == [
        carry_out(alone, *request) for request in batch]


def test_maps_go_together_in_groups_that_fit_a_cache() -> None:
    """A run's widest layer over all its map points: 16 units x (50^2 + 16^2) for
    the 16-unit vanishing-gradients net, so 5 runs at most per stacked map pass."""
    from app.cohort_frames import MAP_CACHE_VALUES, pass_values
    from engine.telemetry import MapMaker

    host = two_hosts({"c": RECIPES["c"], "a": RECIPES["a"]})[0]
    assert pass_values(MapMaker(host.runs["c"].trainer), 50, 16) == 16 * (2500 + 256)
    assert MAP_CACHE_VALUES // pass_values(MapMaker(host.runs["c"].trainer), 50, 16) == 5
    assert pass_values(MapMaker(host.runs["a"].trainer), 40, 16) == 8 * (1600 + 256)


def test_the_setting_bounds_a_batch(monkeypatch) -> None:
    """NNPLAY_FRAME_BATCH reaches the workers; with 3, four queued frames go as a
    batch of three and then one alone."""
    from app.engine_pool import make_pool
    from app.settings import Settings

    monkeypatch.setenv("NNPLAY_FRAME_BATCH", "3")
    pool = make_pool("local", 0, Settings().frame_batch)
    try:
        assert [w.frame_batch for w in pool.workers] == [3]
    finally:
        pool.close()
    worker = GatedHostWorker()
    worker.frame_batch = 3
    try:
        for run_id in ("a", "b", "d", "e"):
            unpack(carry_out(worker.host, run_id, "create", (RECIPES[run_id],)))
        first = worker.submit("a", "info", (), COMMAND)
        assert worker.held.wait(30)
        frames = [worker.submit(run_id, "live_frame", frame(10), FRAME)
                  for run_id in ("a", "b", "d", "e")]
        worker.gate.set()
        first.result(30)
        assert all(f.result(30)[0] for f in frames)
        assert worker.batches == [["a:live_frame", "b:live_frame", "d:live_frame"]]
    finally:
        worker.gate.set()
        worker.close()


def test_a_fault_sorting_a_batch_leaves_its_frames_alone(monkeypatch) -> None:
    together, alone = two_hosts(RECIPES)

    def broken(trainer: Any) -> None:
        raise ValueError("a fault of the key")

    monkeypatch.setattr("app.cohort_frames.cohort_key", broken)
    batch = [(run_id, "live_frame", frame(10)) for run_id in ("a", "b")]
    assert [answer for answer, _ in carry_out_many(together, batch)] == [
        carry_out(alone, *request) for request in batch]
