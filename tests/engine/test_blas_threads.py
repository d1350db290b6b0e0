"""One BLAS thread while the engine computes: the same numbers at any thread count,
and the process's own count given back afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from engine.blas_threads import blas_thread_counts, one_blas_thread
from engine.lessons.convolution import CONV

ROOT = Path(__file__).resolve().parents[2]
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
STEPS = 500

SPECS = {
    # the convolution lesson's float32 net with 15 samples a batch: its second
    # convolution's weight gradient is a product over 15 * 80 = 1200 column slots,
    # a size OpenBLAS splits over two threads in another order of addition
    "conv32": {**CONV, "batch_size": 15},
    # a float64 dense net with large batches: [x | 1]^T g is (65, 400) x (400, 64)
    "dense64": {"data": {"name": "spiral", "n_samples": 1000, "seed": 2},
                "hidden": [64, 64], "activation": "relu", "batch_size": 400,
                "optimizer": {"name": "adam", "lr": 0.01}, "seed": 1},
}

CHILD = """
import json, sys
import numpy as np
from threadpoolctl import threadpool_info
from engine.telemetry import snapshot
from engine.trainer import Trainer

specs, steps, folder = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
threads = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
metrics = {}
for name, spec in specs.items():
    run = Trainer(spec)
    metrics[name] = run.train(steps)
    np.save(f"{folder}/{name}-params.npy", run.net.params)
    np.save(f"{folder}/{name}-state.npy", run.net.state)
    if run.data.modality == "points":
        np.save(f"{folder}/{name}-output_map.npy", snapshot(run, 40, 8)["output_map"])
print(json.dumps({"threads": threads, "metrics": metrics}))
"""


def train_in_child(folder: Path, threads: int | None) -> dict:
    """SPECS trained STEPS steps in a fresh Python whose BLAS starts with ``threads``
    threads (None: no variable set, as in a notebook: one per core); the arrays go
    to ``folder``, and the answer holds the BLAS thread counts the child started
    with and the metrics."""
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    if threads is not None:
        env.update({name: str(threads) for name in THREAD_VARIABLES})
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(SPECS), str(STEPS), str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_same_numbers_with_one_or_two_blas_threads_and_without_a_setting(tmp_path) -> None:
    runs = {label: train_in_child(tmp_path / label, threads)
            for label, threads in (("one", 1), ("two", 2), ("unset", None))}
    if runs["two"]["threads"] != [2]:
        pytest.skip(f"BLAS would not start with two threads here: {runs['two']['threads']}")
    assert runs["one"]["threads"] == [1]
    for label in ("two", "unset"):
        for array in sorted(p.name for p in (tmp_path / "one").iterdir()):
            expected = np.load(tmp_path / "one" / array)
            got = np.load(tmp_path / label / array)
            assert got.shape == expected.shape, array
            difference = float(np.max(np.abs(got.astype(np.float64) - expected), initial=0))
            assert np.array_equal(got, expected), f"{label}: {array} differs by {difference}"
        assert runs[label]["metrics"] == runs["one"]["metrics"], label
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "conv32-params.npy", "conv32-state.npy", "dense64-output_map.npy",
        "dense64-params.npy", "dense64-state.npy"]
    assert runs["one"]["metrics"]["conv32"]["step"] == STEPS


@pytest.fixture
def two_threads():
    """The process's BLAS at two threads (as a notebook has on two cores)."""
    with threadpool_limits(limits=2, user_api="blas"):
        if blas_thread_counts() != [2]:
            pytest.skip(f"BLAS will not take two threads here: {blas_thread_counts()}")
        yield


def test_a_pinned_call_computes_with_one_thread_and_gives_the_count_back(two_threads) -> None:
    seen = []

    @one_blas_thread
    def inner() -> None:
        seen.append(("inner", blas_thread_counts()))

    @one_blas_thread
    def outer() -> str:
        seen.append(("outer", blas_thread_counts()))
        inner()
        seen.append(("after inner", blas_thread_counts()))
        return "done"

    assert outer() == "done"
    assert seen == [("outer", [1]), ("inner", [1]), ("after inner", [1])]
    assert blas_thread_counts() == [2]
    assert outer.__name__ == "outer"


def test_a_pinned_call_that_raises_gives_the_count_back(two_threads) -> None:
    @one_blas_thread
    def fails() -> None:
        assert blas_thread_counts() == [1]
        raise ValueError("on purpose")

    with pytest.raises(ValueError, match="on purpose"):
        fails()
    assert blas_thread_counts() == [2]


def test_the_count_comes_back_when_the_last_thread_leaves(two_threads) -> None:
    """The count is the process's: a thread leaving its pinned call while another
    thread is still inside one leaves it at one."""
    entered, release = threading.Event(), threading.Event()
    seen: dict[str, list[int]] = {}

    @one_blas_thread
    def waits() -> None:
        entered.set()
        assert release.wait(60)
        seen["still inside"] = blas_thread_counts()

    @one_blas_thread
    def quick() -> None:
        seen["quick"] = blas_thread_counts()

    worker = threading.Thread(target=waits)
    worker.start()
    assert entered.wait(60)
    quick()
    seen["after quick"] = blas_thread_counts()
    release.set()
    worker.join(60)
    assert not worker.is_alive()
    assert seen == {"quick": [1], "after quick": [1], "still inside": [1]}
    assert blas_thread_counts() == [2]


def test_the_trainer_and_a_frame_compute_with_one_thread(two_threads, monkeypatch) -> None:
    """Every step of a training call, and the products of a frame, run at one thread
    (recorded from inside the network's layers)."""
    from engine.layers import Dense
    from engine.telemetry import snapshot
    from engine.trainer import Trainer

    counts: set[tuple[int, ...]] = set()
    forward = Dense.forward

    def recording(self, x, train):
        counts.add(tuple(blas_thread_counts()))
        return forward(self, x, train)

    monkeypatch.setattr(Dense, "forward", recording)
    run = Trainer({"hidden": [4], "seed": 0})
    run.train(5)
    run.step()
    snapshot(run, 4, 4)
    assert counts == {(1,)}
    assert blas_thread_counts() == [2]
