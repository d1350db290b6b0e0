"""Engine speed: medians of repeated timings (run: python bench/engine.py).

Measures what a playground session costs: one SGD step of small nets, a step of
a 784-256-10 float32 net on a batch of 128, a full frame snapshot, and the memory
one run holds. Prints medians; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.allocator import keep_freed_memory
from engine.activations import ReLU
from engine.initializers import Initializer
from engine.layers import Act, Dense
from engine.losses import SoftmaxCrossEntropy
from engine.network import Network
from engine.optimizers import Optimizer
from engine.telemetry import MapMaker, snapshot
from engine.trainer import Trainer


def per_call(fn: Callable[[], object], calls: int, repeats: int) -> float:
    """Median seconds per call over ``repeats`` timed loops of ``calls`` calls."""
    for _ in range(max(1, calls // 10)):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def call_overhead(repeats: int) -> float:
    """Seconds for one tiny NumPy call (80-element multiply): the unit that a
    call-bound playground step is made of. It varies with the machine's load, so
    it is printed next to the step timings for comparison between runs."""
    a = np.ones((10, 8))
    return per_call(lambda: a * a, 20000, repeats)


def step_time(spec: dict, calls: int, repeats: int) -> float:
    trainer = Trainer(spec)
    return per_call(trainer.step, calls, repeats)


def mnist_sized_step(repeats: int) -> float:
    """784-256-10 ReLU net, float32, batch 128, softmax cross-entropy, SGD."""
    rng = np.random.default_rng(0)
    net = Network([Dense(256), Act(ReLU()), Dense(10)], (784,), dtype=np.float32)
    net.init(rng, Initializer("he_normal"))
    loss = SoftmaxCrossEntropy()
    opt = Optimizer(net.params.size, net.decay, lr=0.01, dtype=np.float32)
    x = rng.random((128, 784), dtype=np.float32)
    t = loss.targets(rng.integers(0, 10, 128), 10, np.float32)

    def step() -> None:
        out = net.forward(x, True)
        net.backward(loss.grad(out, t))
        opt.step(net.params, net.grads)

    return per_call(step, 20, repeats)


def snapshot_time(spec: dict, repeats: int) -> float:
    trainer = Trainer(spec)
    trainer.train(100)
    maker = MapMaker(trainer)
    return per_call(lambda: snapshot(trainer, 100, 50, maps=maker), 5, repeats)


def run_memory(spec: dict) -> int:
    """Bytes a run allocates and keeps: trainer, 1000 steps and a frame."""
    tracemalloc.start()
    trainer = Trainer(spec)
    trainer.train(1000)
    maker = MapMaker(trainer)
    snapshot(trainer, 100, 50, maps=maker)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    keep_freed_memory()  # as the server's engine processes do
    r = args.repeats
    tanh_2881 = {"hidden": [8, 8], "activation": "tanh", "loss": "mse", "batch_size": 10}
    relu_6x8 = {"hidden": [8] * 6, "activation": "relu", "batch_size": 10}
    tanh_6x8 = {"hidden": [8] * 6, "activation": "tanh", "batch_size": 10}
    rows = [
        ("SGD step, 2-8-8-1 tanh, batch 10", step_time(tanh_2881, 2000, r), 30e-6),
        ("SGD step, 6 x 8 ReLU, batch 10", step_time(relu_6x8, 2000, r), 50e-6),
        ("SGD step, 784-256-10 float32, batch 128", mnist_sized_step(r), 2e-3),
        ("snapshot, 6 x 8 ReLU (grids 100 + 50)", snapshot_time(relu_6x8, r), 3e-3),
        ("snapshot, 6 x 8 tanh (grids 100 + 50)", snapshot_time(tanh_6x8, r), 3e-3),
    ]
    print(f"{'what':44s} {'median':>10s} {'target':>10s}")
    for name, seconds, target in rows:
        print(f"{name:44s} {seconds * 1e6:8.1f}us {target * 1e6:8.0f}us"
              f"  {'ok' if seconds <= target else 'OVER'}")
    print(f"{'(reference: one 80-element NumPy multiply)':44s} "
          f"{call_overhead(r) * 1e6:8.2f}us")
    memory = run_memory(relu_6x8)
    print(f"{'memory of one 6 x 8 run (trainer + frame)':44s} {memory / 1e6:8.2f}MB "
          f"{5.0:8.1f}MB  {'ok' if memory <= 5e6 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
