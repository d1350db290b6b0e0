"""Engine CPU per student-frame: every run alone, against a class's runs carried
out as the server's workers batch them (cohorts of one shape training together,
see app/cohort_frames.py).

For each lesson, ``--students`` runs of it (each from its own seeds, as students
who drew new ones) live where an engine worker keeps them (a RunHost in this
process); a round asks each for one live frame (``--steps`` steps and the maps on
the grids a busy class gets) and encodes it. "alone" carries the frames out one
by one, as before cohorts; "cohort" in batches of ``--batch`` (the server's
setting NNPLAY_FRAME_BATCH, 8 by default).
The two alternate round by round, so that a drift of the machine's speed falls
on both; the medians of the rounds' CPU per student-frame are printed with their
ratio and the issue's target (5x on playground lessons, 2x on the lab's).

Beside them, the arithmetic limit: the floating-point operations one
student-frame needs (its steps, its passes over the data sets, its map pass:
2 x multiply-adds, counted from the net's shapes by engine/compute.py) and the
time one core takes for them at the rate its matrix multiply reaches here
(measured first, on 256 x 256 float64 matrices, one thread). No batching can
take a frame below that time; "best" is how many times alone it is.

    python bench/cohort.py                    # every lesson
    python bench/cohort.py --lessons dropout batch-norm --rounds 9
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.engine_pool import FRAME_BATCH, carry_out, carry_out_many  # noqa: E402
from app.run_host import RunHost  # noqa: E402
from engine.compute import TRAINING_PASSES, macs_per_sample  # noqa: E402
from engine.lessons import LESSONS  # noqa: E402
from engine.lessons.base import Draw  # noqa: E402
from engine.spec import Limits  # noqa: E402
from engine.telemetry import GRADIENT_SAMPLES  # noqa: E402

TARGETS = {"points": 5.0, "lab": 2.0}
"""The issue's targets: how many times less CPU per student-frame in a cohort."""


def matmul_flops() -> float:
    """Floating-point operations a second of one core's float64 matrix multiply."""
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).standard_normal((256, 256))
    with threadpool_limits(1):
        a @ a
        best = min(_timed(lambda: a @ a) for _ in range(20))
    return 2 * 256**3 / best


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def frame_flops(trainer, steps: int, output_grid: int, unit_grid: int) -> float:
    """Floating-point operations of one live frame of ``trainer``: its steps (three
    passes over a batch each), its gradient picture (a forward and a backward pass
    over the training set, or GRADIENT_SAMPLES of it for image and text runs, whose
    other samples go forward only), the test set's forward pass and, for point
    runs, the map pass over both grids."""
    per_sample = 2 * macs_per_sample(trainer.net)
    n_train, n_test = len(trainer.X_train), len(trainer.X_test)
    training = steps * TRAINING_PASSES * trainer.batch_size
    if trainer.data.modality == "points":
        picture = TRAINING_PASSES * n_train
        dims = trainer.data.dims
        maps = output_grid ** dims + unit_grid ** dims
    else:
        sampled = min(GRADIENT_SAMPLES, n_train)
        picture = TRAINING_PASSES * sampled + (n_train - sampled)
        maps = 0
    return per_sample * (training + picture + n_test + maps)


def make_host(lesson: str, students: int) -> tuple[RunHost, list[str]]:
    host = RunHost()
    ids = [f"s{i}" for i in range(students)]
    for i, run_id in enumerate(ids):
        recipe = ("lesson", lesson, None, Limits().budget, Draw(1000 + i, 2000 + i))
        host.handle(run_id, "create", (recipe,))
    return host, ids


def frame_args(steps: int, output_grid: int, unit_grid: int) -> tuple:
    return (steps, output_grid, unit_grid, {"playing": True}, None, None)


def round_alone(host: RunHost, ids: list[str], args: tuple) -> float:
    started = time.process_time()
    for run_id in ids:
        ok = carry_out(host, run_id, "live_frame", args)[0]
        assert ok
    return (time.process_time() - started) / len(ids)


def round_cohort(host: RunHost, ids: list[str], args: tuple, size: int) -> float:
    started = time.process_time()
    for start in range(0, len(ids), size):
        batch = [(run_id, "live_frame", args) for run_id in ids[start : start + size]]
        assert all(answer[0] for answer, _ in carry_out_many(host, batch))
    return (time.process_time() - started) / len(ids)


def measure(lesson: str, args: argparse.Namespace) -> dict:
    alone_host, ids = make_host(lesson, args.students)
    cohort_host, _ = make_host(lesson, args.students)
    frame = frame_args(args.steps, args.output_grid, args.unit_grid)
    round_alone(alone_host, ids, frame)  # warm: buffers, map makers
    round_cohort(cohort_host, ids, frame, args.batch)
    alone, cohort = [], []
    for _ in range(args.rounds):
        alone.append(round_alone(alone_host, ids, frame))
        cohort.append(round_cohort(cohort_host, ids, frame, args.batch))
    trainer = alone_host.runs[ids[0]].trainer
    kind = "points" if trainer.data.modality == "points" else "lab"
    flops = frame_flops(trainer, args.steps, args.output_grid, args.unit_grid)
    return {"lesson": lesson, "kind": kind, "alone": statistics.median(alone),
            "cohort": statistics.median(cohort), "flops": flops}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", nargs="*", default=list(LESSONS),
                        help="lessons to measure (default: all)")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--steps", type=int, default=10, help="steps per frame")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output-grid", type=int, default=50,
                        help="output map side (50: what a busy class's frames draw)")
    parser.add_argument("--unit-grid", type=int, default=16)
    parser.add_argument("--batch", type=int, default=FRAME_BATCH,
                        help="frames carried out together (the server's NNPLAY_FRAME_BATCH)")
    args = parser.parse_args()
    rate = matmul_flops()
    print(f"{args.students} students a lesson, {args.steps} steps a frame, maps "
          f"{args.output_grid}/{args.unit_grid}, batches of {args.batch}, "
          f"median of {args.rounds} rounds; one core's matrix multiply: "
          f"{rate / 1e9:.1f} GFLOP/s")
    print(f"{'lesson':26s} {'kind':6s} {'alone ms':>9s} {'cohort ms':>9s} {'ratio':>6s} "
          f"{'target':>6s} {'':7s} {'MFLOP':>7s} {'limit ms':>8s} {'best':>6s}")
    for lesson in args.lessons:
        r = measure(lesson, args)
        ratio = r["alone"] / r["cohort"]
        target = TARGETS[r["kind"]]
        limit = r["flops"] / rate
        print(f"{lesson:26s} {r['kind']:6s} {r['alone'] * 1e3:9.3f} {r['cohort'] * 1e3:9.3f} "
              f"{ratio:5.1f}x {target:5.1f}x {'met' if ratio >= target else 'not met':7s} "
              f"{r['flops'] / 1e6:7.2f} {limit * 1e3:8.3f} {r['alone'] / limit:5.0f}x",
              flush=True)


if __name__ == "__main__":
    main()
