"""A request's round trip to where a run lives (run: python bench/actor_roundtrip.py).

The same requests go, one at a time, to a run held
0. in this thread (``RunHost.handle`` called directly): the bare operation;
1. in this process (``EnginePool(0)``): its worker thread and queue;
2. in a local engine process (``EnginePool(1)``): a pipe to a child process;
3. in a Ray actor (``app.cluster_engine.RayPool`` with one worker, on a two-node
   cluster of 1-CPU nodes the bench starts on 127.0.0.2 and 127.0.0.3, this
   process joining it as a driver by its GCS address), and with ``--client`` also
   through Ray Client (``ray://``).

Two operations: a live frame (``live_frame`` with the arguments the live view
sends: ``--steps`` steps, a ``--grid`` output map, 16 x 16 unit maps, the header)
of the lesson's run, and a trivial one (``metrics``). For each: the median and
95th percentile of the time from submitting the request to its reply, the count,
the transport's cost (median minus the bare operation's median), and the CPU time
per request of every process involved (this one, the engine process, or every
process of the cluster). Then ``--in-flight`` runs' frames queued at once, as a
busy class queues them (the Ray worker sends them in pipelined batches): frames
per second and CPU per frame. Last, the cluster's CPU use while its runs are idle
(``--idle`` seconds): Ray's fixed cost.

    python bench/actor_roundtrip.py
    python bench/actor_roundtrip.py --requests 500 --client
    python bench/actor_roundtrip.py --engine 127.0.0.2:6379   # a running cluster

Prints figures; asserts nothing. The cluster's processes listen on loopback
addresses only as far as Ray allows (see tests/ray_cluster.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cpu_use
from engines import TWO_NODE, engine
from server import family, reference_call_us

from app.deps import run_budget
from app.engine_pool import EnginePool, Worker
from app.fair_queue import COMMAND, FRAME, Request
from app.run_host import RunHost
from app.settings import Settings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] if ordered else float("nan")


class BareWorker:
    """A stand-in worker that carries out each request at once in the calling thread."""

    def __init__(self) -> None:
        self.host = RunHost()
        self.runs = 0

    def submit(self, run_id: str, op: str, args: tuple = (), priority: int = COMMAND,
               tenant: str | None = None) -> Future:
        request = Request(run_id, op, args, priority, tenant or run_id)
        request.future.set_running_or_notify_cancel()
        request.future.set_result(self.host.handle(run_id, op, args))
        return request.future


class BarePool(EnginePool):
    """A pool of one :class:`BareWorker`."""

    def __init__(self) -> None:
        self.in_process = True
        self.workers = [BareWorker()]  # type: ignore[list-item]

    def describe(self) -> dict:
        return {"workers": [{"node": "this thread", "runs": 0}]}

    def close(self) -> None:
        pass


class Target:
    """A pool to measure, with the processes whose CPU time its requests cost."""

    def __init__(self, label: str, pool: EnginePool,
                 pids: Callable[[], set[int]] = set) -> None:
        self.label = label
        self.pool = pool
        self.worker: Worker = pool.assign()
        self.pids = pids  # besides this process and its children

    def reading(self) -> cpu_use.Reading:
        """CPU seconds so far of this process, its children and the target's other
        processes."""
        return cpu_use.read({os.getpid(), *family(os.getpid()), *self.pids()})

    def cpu(self) -> float:
        return self.reading().total


def frame_args(args: argparse.Namespace, run_id: str) -> tuple:
    """A live frame's arguments, as app/live.py sends them."""
    header = {"type": "frame", "run": run_id, "seq": 1, "playing": True,
              "steps_per_frame": args.steps, "fps": 10.0, "status": "ok",
              "grid": {"output": args.grid, "units": 16}}
    return (args.steps, args.grid, 16, header, None, args.slice_seconds)


def make_runs(target: Target, args: argparse.Namespace, count: int) -> list[str]:
    recipe = ("lesson", args.lesson, None, run_budget(Settings()), None)
    ids = [f"bench-{target.label}-{i}" for i in range(count)]
    for run_id in ids:
        target.worker.submit(run_id, "create", (recipe,)).result()
    return ids


def one_at_a_time(target: Target, run_id: str, op: str, op_args: tuple, priority: int,
                  requests: int) -> dict:
    """``requests`` requests one after another (after a tenth as many unmeasured)."""
    for _ in range(max(5, requests // 10)):
        target.worker.submit(run_id, op, op_args, priority).result()
    times = []
    cpu_before = target.cpu()
    for _ in range(requests):
        started = time.perf_counter()
        target.worker.submit(run_id, op, op_args, priority).result()
        times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "p95": percentile(times, 0.95),
            "count": len(times), "cpu": (target.cpu() - cpu_before) / len(times)}


def in_flight(target: Target, args: argparse.Namespace, run_ids: list[str]) -> dict:
    """Rounds of one frame per run, all queued at once: frames per second, CPU per frame."""
    def round_() -> None:
        futures = [target.worker.submit(r, "live_frame", frame_args(args, r), FRAME)
                   for r in run_ids]
        wait(futures)
        for future in futures:
            future.result()

    round_()
    rounds = max(1, args.requests // len(run_ids))
    before, started = target.reading(), time.perf_counter()
    for _ in range(rounds):
        round_()
    wall = time.perf_counter() - started
    after = target.reading()
    frames = rounds * len(run_ids)
    return {"fps": frames / wall, "wall": wall / frames,
            "cpu": cpu_use.used(before, after) / frames, "count": frames,
            "parts": [(label, seconds / frames) for label, _, seconds
                      in cpu_use.by_label(before, after) if seconds > 0]}


def measure(target: Target, args: argparse.Namespace) -> dict:
    run_ids = make_runs(target, args, max(1, args.in_flight))
    first = run_ids[0]
    return {
        "label": target.label,
        "node": target.pool.describe()["workers"][0]["node"],
        "frame": one_at_a_time(target, first, "live_frame", frame_args(args, first), FRAME,
                               args.requests),
        "metrics": one_at_a_time(target, first, "metrics", (), COMMAND, args.requests),
        "in_flight": in_flight(target, args, run_ids),
    }


def idle(target: Target, seconds: float) -> list[tuple[str, float]]:
    """CPU cores that the target's processes use while its runs are idle for
    ``seconds`` (Ray's fixed cost: its agents, the GCS's health checks, polling)."""
    before = target.reading()
    time.sleep(seconds)
    after = target.reading()
    return [(label, spent / seconds) for label, _, spent in cpu_use.by_label(before, after)
            if spent > 0]


def ray_targets(args: argparse.Namespace) -> list[dict]:
    """The Ray actor's figures: by the GCS address and, with --client, by Ray Client."""
    import ray

    from app.cluster_engine import RayPool

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    results = []
    with engine(args.engine) as cluster:
        pids = cluster.pids or set
        ways = [("Ray actor", cluster.address)]
        if args.client:
            ways.append(("Ray Client", cluster.client_address))
        for label, address in ways:
            if address is None:
                print(f"({label}: no address for it)")
                continue
            try:
                pool = RayPool(address, 1)
            except Exception as err:  # reported; the other ways' figures still print
                print(f"({label}: could not join the cluster at {address}: "
                      f"{type(err).__name__}: {str(err).strip().splitlines()[-1]})")
                ray.shutdown()
                continue
            try:
                target = Target(label, pool, pids)
                results.append(measure(target, args))
                results[-1]["idle"] = idle(target, args.idle)
            finally:
                pool.close()
                ray.shutdown()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300,
                        help="requests timed per operation and way (default 300)")
    parser.add_argument("--lesson", default="vanishing-gradients")
    parser.add_argument("--steps", type=int, default=10, help="steps per live frame")
    parser.add_argument("--grid", type=int, default=100, help="output map side of a frame")
    parser.add_argument("--in-flight", type=int, default=8,
                        help="runs whose frames are queued at once in the last part")
    parser.add_argument("--engine", default=TWO_NODE,
                        help="the cluster: two-node (started here, default) or the GCS "
                             "address (HOST:PORT) of a running one")
    parser.add_argument("--client", action="store_true",
                        help="also through Ray Client (ray://), for a cluster started here")
    parser.add_argument("--idle", type=float, default=10.0,
                        help="seconds the cluster is watched idle, for its fixed CPU cost")
    parser.add_argument("--ray-only", action="store_true",
                        help="leave out the in-process pool and the engine process (the bare "
                             "operation stays, as the baseline)")
    args = parser.parse_args(argv)
    args.slice_seconds = Settings().compute_slice_ms / 1000  # read once: it takes ~2 ms
    load_before = cpu_use.loadavg()
    reference = reference_call_us()
    results = []
    for label, make in (("bare", BarePool), ("in process", lambda: EnginePool(0)),
                        ("engine process", lambda: EnginePool(1))):
        if args.ray_only and label != "bare":
            continue
        pool = make()
        try:
            results.append(measure(Target(label, pool), args))
        finally:
            pool.close()
    results += ray_targets(args)
    print(f"reference NumPy call {reference:.2f} us; load before {load_before}, after "
          f"{cpu_use.loadavg()}")
    print(f"lesson {args.lesson}: live frame of {args.steps} steps with a {args.grid} x "
          f"{args.grid} output map; {args.requests} requests one at a time per operation")
    bare = results[0]
    for op, name in (("frame", "live_frame"), ("metrics", "metrics")):
        print(f"{name}: round trip median / p95 (count), transport = median - bare "
              f"median, CPU per request of all processes involved")
        for r in results:
            m = r[op]
            print(f"  {r['label']:15} {m['median'] * 1e3:8.3f} / {m['p95'] * 1e3:8.3f} ms "
                  f"({m['count']}); transport {(m['median'] - bare[op]['median']) * 1e3:+7.3f}"
                  f" ms; CPU {m['cpu'] * 1e3:7.3f} ms (node {r['node']})")
    print(f"{args.in_flight} runs' frames queued at once: frames/s, wall and CPU per frame")
    for r in results:
        m = r["in_flight"]
        print(f"  {r['label']:15} {m['fps']:7.1f} frames/s; {m['wall'] * 1e3:7.3f} ms wall, "
              f"CPU {m['cpu'] * 1e3:7.3f} ms per frame ({m['count']} frames; CPU "
              f"{m['cpu'] / bare['in_flight']['cpu'] - 1:+.0%} against bare)")
        if len(m["parts"]) > 1:
            print("    CPU ms per frame by process: " + ", ".join(
                f"{label} {seconds * 1e3:.2f}" for label, seconds in m["parts"]))
    for r in results:
        if "idle" in r:
            print(f"{r['label']}: idle for {args.idle:g} s, CPU cores "
                  f"{sum(c for _, c in r['idle']):.3f}: " + ", ".join(
                      f"{label} {cores:.3f}" for label, cores in r["idle"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
