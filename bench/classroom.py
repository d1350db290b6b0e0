"""A class on one server (run: python bench/classroom.py), against a real uvicorn
on loopback, as `make run` starts it with a teacher token set.

The teacher starts a class with a lesson. N students (default 40) join with the
code and a name, learn the lesson from their class socket, make the lesson's run,
save it once as a model, and play it for the given time (default 60 s) at 10
frames per second with the live view's 10 steps per frame; every second each
changes the learning rate and times how long until a frame shows it. Meanwhile
the teacher's table is read twice a second, as the teacher's page does.

Prints: frames per second per student (median, minimum, maximum), command latency
(median, 95th percentile), the share of output maps drawn at each size, errors,
saved models found again afterwards (each by its owner, all by the teacher),
memory per student, and how current the teacher's table is: for each row, how
far it was behind the frames the student's page had ("behind"), and how long
before the table was read the student's page had received the frame the row
shows ("age"). Asserts nothing; traffic goes to 127.0.0.1 only.

The engine (``--engine``, default ``local``): ``local`` is the server's own engine
processes (one per core, or ``--processes``); ``two-node`` starts a Ray cluster of
two 1-CPU nodes on loopback (127.0.0.2 and 127.0.0.3) for the run and points the
server at it (``NNPLAY_ENGINE=auto`` with the cluster's ``RAY_ADDRESS``); any other
value is a running cluster's address, passed as ``NNPLAY_ENGINE`` as is. Several
``--engine`` values, or ``--compare`` (``local`` then ``two-node``), run the same
class on each, one after another, and print the figures side by side, with the CPU
seconds each frame cost: the server process (web, and with Ray its driver), the
engine (the local engine processes, or every process of the cluster the bench
started: GCS, raylets, Ray's agents, the actors' workers) and their total; and
Ray's cost per frame, (total per frame with Ray) / (total per frame local) - 1
(target: within 15%). ``--detail`` adds where the CPU went per process and per
thread of the server.

    python bench/classroom.py --students 4 --seconds 5
    python bench/classroom.py --compare --seconds 60
    python bench/classroom.py --engine local --engine 127.0.0.2:6379 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

import cpu_use
from engines import Engine, engine
from server import Server, cpu_seconds, family, reference_call_us, rss_kb
from server import student as play_run

TOKEN = "bench-classroom-teacher"
TEACHER = {"Authorization": f"Bearer {TOKEN}"}


class Student:
    """One simulated student: their token, run, frames seen and latencies."""

    def __init__(self, name: str, token: str) -> None:
        self.name = name
        self.headers = {"X-Nnplay-Student": token}
        self.run_id = ""
        self.model_id = ""
        self.seen: dict[int, float] = {}  # step -> when this client first had it
        self.steps: list[int] = []  # the steps of seen, in the order they came (rising)
        self.rate = 0.0
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.grids: dict[int, int] = {}  # output map side -> frames drawn at it
        self.frames = 0


async def join(client: httpx.AsyncClient, port: int, code: str, name: str) -> Student:
    """Join, read the lesson from the class socket, make the run and save it."""
    answer = await client.post("/api/classroom/join", json={"code": code, "name": name})
    answer.raise_for_status()
    student = Student(name, answer.json()["token"])
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/classroom",
                                  additional_headers=student.headers) as ws:
        lesson = json.loads(await ws.recv())
    run = await client.post("/api/runs", headers=student.headers,
                            json={"lesson": lesson["lesson"], "variant": lesson["variant"]})
    run.raise_for_status()
    student.run_id = run.json()["id"]
    saved = await client.post(f"/api/runs/{student.run_id}/save", headers=student.headers,
                              json={"name": f"{name} at the start"})
    saved.raise_for_status()
    student.model_id = saved.json()["id"]
    return student


async def model_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    """The ids of every saved model these headers may see, read page by page."""
    ids: list[str] = []
    while True:
        answer = await client.get("/api/models", headers=headers,
                                  params={"limit": 200, "offset": len(ids)})
        page = answer.raise_for_status().json()
        ids += [m["id"] for m in page["items"]]
        if not page["items"] or len(ids) >= page["total"]:
            return ids


async def play(student: Student, server: Server, seconds: float, fps: float,
               steps: int) -> None:
    """Play the student's run (bench/server.py's student loop, with their token)."""
    def seen(header: dict) -> None:
        student.frames += 1
        step = header["step"]
        if step not in student.seen and (not student.steps or step > student.steps[-1]):
            student.seen[step] = time.monotonic()  # (a diverged run's rewind is left out)
            student.steps.append(step)
        if "probe" not in header:  # a lab run's frame has no output map
            side = header["grid"]["output"]
            student.grids[side] = student.grids.get(side, 0) + 1

    rates: list[float] = []
    await play_run(server, student.run_id, seconds, fps, steps, student.latencies, rates,
                   student.errors, headers=student.headers, on_frame=seen)
    student.rate = rates[0]


async def watch_table(client: httpx.AsyncClient, class_id: str, students: list[Student],
                      stop: asyncio.Event, ages: list[float], lags: list[float],
                      errors: list[str]) -> int:
    """Read the class table twice a second until stopped; returns the reads.

    For each playing student's row: ``ages`` gets how long before the table was
    read their page had received the frame the row shows (at most the time
    between two of their frames, plus the lag); ``lags`` how long before the table
    was asked for their page already had a newer frame than the row shows (0 if
    none): how far the table is behind what the student sees."""
    by_run = {s.run_id: s for s in students}
    reads = 0
    while not stop.is_set():
        asked_at = time.monotonic()
        answer = await client.get(f"/api/classes/{class_id}", headers=TEACHER)
        read_at = time.monotonic()
        if answer.status_code != 200:
            errors.append(f"table: {answer.status_code} {answer.text[:200]}")
        else:
            reads += 1
            for row in answer.json()["students"]:
                run = row["run"]
                student = by_run.get(run["id"]) if run else None
                if student is not None and run["playing"] and run["step"] in student.seen:
                    ages.append(max(0.0, read_at - student.seen[run["step"]]))
                    later = bisect.bisect_right(student.steps, run["step"])
                    newer = (student.seen[student.steps[later]]
                             if later < len(student.steps) else asked_at)
                    lags.append(max(0.0, asked_at - newer))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    return reads


async def lesson_class(server: Server, args: argparse.Namespace,
                       cluster: Engine | None = None) -> dict:
    port = server.port
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        made = await client.post("/api/classes", headers=TEACHER,
                                 json={"name": "bench class", "lesson": args.lesson})
        made.raise_for_status()
        info = made.json()
        # each engine process's first run loads what every run shares
        for _ in range(4):
            (await client.post("/api/runs", json={"lesson": args.lesson})).raise_for_status()
        before = rss_kb(server.proc.pid)
        students = []
        for i in range(args.students):  # one after another, as a class trickles in
            students.append(await join(client, port, info["code"], f"student {i + 1:02d}"))
        after = rss_kb(server.proc.pid)
        stop = asyncio.Event()
        ages: list[float] = []
        lags: list[float] = []
        table_errors: list[str] = []
        cluster_pids = cluster.pids if cluster is not None and cluster.pids else set
        here = cpu_use.read(family(server.proc.pid), threads=True)
        there = cpu_use.read(cluster_pids())
        cpu_before, wall_before = cpu_seconds(server.proc.pid), time.monotonic()
        web_before, own_before = cpu_seconds(server.proc.pid, children=False), time.process_time()
        table = asyncio.create_task(watch_table(client, info["id"], students, stop, ages,
                                                lags, table_errors))
        await asyncio.gather(*(play(s, server, args.seconds, args.fps, args.steps)
                               for s in students))
        stop.set()
        reads = await table
        wall = time.monotonic() - wall_before
        cores = (cpu_seconds(server.proc.pid) - cpu_before) / wall
        web_cores = (cpu_seconds(server.proc.pid, children=False) - web_before) / wall
        own_cores = (time.process_time() - own_before) / wall
        here_after = cpu_use.read(family(server.proc.pid), threads=True)
        there_after = cpu_use.read(cluster_pids())
        engine = (await client.get("/healthz")).json().get("engine", {})
        # every saved model is still there: each student's own, and all of them for the teacher
        found = 0
        for s in students:
            found += await model_ids(client, s.headers) == [s.model_id]
        everyone = set(await model_ids(client, TEACHER))
        all_kept = {s.model_id for s in students} <= everyone
    latencies = sorted(x for s in students for x in s.latencies)
    grids: dict[int, int] = {}
    for s in students:
        for side, count in s.grids.items():
            grids[side] = grids.get(side, 0) + count
    ages.sort()
    lags.sort()
    return {
        "rates": sorted(s.rate for s in students),
        "latencies": latencies,
        "errors": [e for s in students for e in s.errors] + table_errors,
        "models_found": found, "models_all_kept": all_kept,
        "kb_per_student": (after - before) / args.students,
        "rss_mb": rss_kb(server.proc.pid) / 1024,
        "cores": cores, "web_cores": web_cores, "own_cores": own_cores,
        "ages": ages, "lags": lags, "reads": reads, "grids": grids,
        "frames": sum(s.frames for s in students), "wall": wall,
        "server_cpu": cores * wall, "web_cpu": web_cores * wall,
        "cluster_cpu": cpu_use.used(there, there_after) if cluster_pids is not set else None,
        "server_parts": cpu_use.by_label(here, here_after),
        "web_threads": cpu_use.threads_by_name(here, here_after, server.proc.pid),
        "cluster_parts": cpu_use.by_label(there, there_after), "engine": engine,
    }


def percentile(values: list[float], q: float) -> float:
    return values[int(q * (len(values) - 1))] if values else float("nan")


def run_class(name: str, args: argparse.Namespace, frame_batch: int | None = None) -> dict:
    """The class on the engine ``name`` (with ``frame_batch`` as the server's
    NNPLAY_FRAME_BATCH, if given): the figures of :func:`lesson_class`, with the
    reference call time and the machine's load before and after."""
    load_before = cpu_use.loadavg()
    reference = reference_call_us()
    batch = {} if frame_batch is None else {"NNPLAY_FRAME_BATCH": str(frame_batch)}
    with engine(name, args.processes) as chosen, tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "server.log"
        try:
            server = Server(max_frame_rate=30,
                            env={"NNPLAY_TEACHER_TOKEN": TOKEN, **chosen.env, **batch},
                            start_seconds=30 if name == "local" else 180, log=log)
        except RuntimeError:
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        try:
            result = asyncio.run(lesson_class(server, args,
                                              chosen if chosen.pids is not None else None))
        finally:
            server.close()
    label = name if frame_batch is None else f"{name}, batch {frame_batch}"
    return {**result, "name": label, "reference_us": reference, "load_before": load_before,
            "load_after": cpu_use.loadavg()}


def per_frame_ms(result: dict) -> tuple[float, float, float | None]:
    """CPU milliseconds per frame: (the server process, the engine, their total);
    the engine is the server's children (local engine processes) plus the processes
    of a cluster the bench started; None when the cluster's are not known."""
    frames = max(1, result["frames"])
    web = result["web_cpu"] / frames * 1e3
    engine_cpu = result["server_cpu"] - result["web_cpu"]
    if result["engine"].get("kind", "local") != "local":
        if result["cluster_cpu"] is None:
            return web, float("nan"), None
        engine_cpu += result["cluster_cpu"]
    engine_ms = engine_cpu / frames * 1e3
    return web, engine_ms, web + engine_ms


def report(result: dict, args: argparse.Namespace) -> None:
    """One engine's figures, as this bench has always printed them, and its CPU."""
    rates, lat, ages = result["rates"], result["latencies"], result["ages"]
    engine_info = result["engine"]
    print(f"== engine {result['name']}: {engine_info.get('kind', '?')}, "
          f"{len(engine_info.get('workers', []))} worker(s) on {engine_info.get('nodes', '?')} "
          f"node(s) {[w.get('node') for w in engine_info.get('workers', [])]}")
    print(f"reference NumPy call {result['reference_us']:.2f} us; load before "
          f"{result['load_before']}, after {result['load_after']}")
    print(f"{args.students} students, lesson {args.lesson}, {args.seconds:g} s at {args.fps:g} "
          f"fps, {args.steps} steps per frame")
    print(f"frames/s per student: median {statistics.median(rates):.1f}, min {rates[0]:.1f}, "
          f"max {rates[-1]:.1f} (target >= 9)")
    print(f"command latency: median {statistics.median(lat) * 1e3:.0f} ms, 95th percentile "
          f"{percentile(lat, 0.95) * 1e3:.0f} ms over {len(lat)} commands (target <= 100 ms)")
    drawn = sum(result["grids"].values())
    if drawn:
        sides = ", ".join(f"{side} x {side}: {count / drawn:.0%}"
                          for side, count in sorted(result["grids"].items(), reverse=True))
        print(f"output maps drawn at {sides} (the smaller side while an engine process "
              f"is busy)")
    print(f"errors: {len(result['errors'])} {result['errors'][:3]}")
    print(f"saved models: {result['models_found']} of {args.students} found by their owner; "
          f"all kept for the teacher: {result['models_all_kept']}")
    print(f"memory: {result['kb_per_student']:.0f} KB per student (join, run, saved model); "
          f"server RSS {result['rss_mb']:.0f} MB while they play")
    print(f"CPU: server {result['cores']:.2f} cores (web process {result['web_cores']:.2f}, "
          f"engine processes {result['cores'] - result['web_cores']:.2f}); these simulated "
          f"students {result['own_cores']:.2f} (on the same machine)")
    web, engine_ms, total = per_frame_ms(result)
    cluster = ("" if result["cluster_cpu"] is None else
               f"; the cluster's processes {result['cluster_cpu'] / result['wall']:.2f} cores")
    print(f"CPU per frame over {result['frames']} frames: server process {web:.2f} ms, "
          f"engine {engine_ms:.2f} ms, total "
          f"{'unknown (the cluster is elsewhere)' if total is None else f'{total:.2f} ms'}"
          f"{cluster}")
    lags = result["lags"]
    if lags:
        print(f"teacher table: read {result['reads']} times (as its page does, every 0.5 s); "
              f"behind the student's page by: median {statistics.median(lags) * 1e3:.0f} ms, "
              f"95th percentile {percentile(lags, 0.95) * 1e3:.0f} ms, max "
              f"{lags[-1] * 1e3:.0f} ms (target: current within 1 s); age of a row's "
              f"figures, which adds the time between two of the student's frames: median "
              f"{statistics.median(ages) * 1e3:.0f} ms, 95th percentile "
              f"{percentile(ages, 0.95) * 1e3:.0f} ms, max {ages[-1] * 1e3:.0f} ms")
    if args.detail:
        frames = max(1, result["frames"])
        print("CPU ms per frame by process (server and its children):")
        for label, count, seconds in result["server_parts"][:8]:
            print(f"  {seconds / frames * 1e3:7.3f}  {label} ({count})")
        print("CPU ms per frame by thread of the server process:")
        for name, count, seconds in result["web_threads"][:12]:
            print(f"  {seconds / frames * 1e3:7.3f}  {name} ({count})")
        if result["cluster_cpu"] is not None:
            print("CPU ms per frame by process of the cluster:")
            for label, count, seconds in result["cluster_parts"][:12]:
                print(f"  {seconds / frames * 1e3:7.3f}  {label} ({count})")


def side_by_side(results: list[dict]) -> None:
    """The engines' main figures in columns, and Ray's cost per frame against the
    first local engine's."""
    width = max(12, *(len(r["name"]) + 2 for r in results))
    print("== side by side")
    print(f"{'':38}" + "".join(f"{r['name']:>{width}}" for r in results))

    def row(label: str, cells: list[str]) -> None:
        print(f"{label:38}" + "".join(f"{c:>{width}}" for c in cells))

    row("reference NumPy call (us)", [f"{r['reference_us']:.2f}" for r in results])
    row("load average (1 min) before / after",
        [f"{r['load_before'].split()[0]}/{r['load_after'].split()[0]}" for r in results])
    row("workers / nodes", [f"{len(r['engine'].get('workers', []))}/{r['engine'].get('nodes')}"
                            for r in results])
    row("frames/s per student: median", [f"{statistics.median(r['rates']):.2f}"
                                         for r in results])
    row("frames/s per student: lowest", [f"{r['rates'][0]:.2f}" for r in results])
    row("command latency median (ms)", [f"{statistics.median(r['latencies']) * 1e3:.0f}"
                                        for r in results])
    row("command latency p95 (ms)", [f"{percentile(r['latencies'], 0.95) * 1e3:.0f}"
                                     for r in results])
    row("frames", [str(r["frames"]) for r in results])
    row("frames with a 100 x 100 output map",
        [f"{r['grids'].get(100, 0) / max(1, sum(r['grids'].values())):.0%}" for r in results])
    row("errors", [str(len(r["errors"])) for r in results])
    costs = [per_frame_ms(r) for r in results]
    row("CPU ms/frame: server process", [f"{c[0]:.2f}" for c in costs])
    row("CPU ms/frame: engine (or cluster)", [f"{c[1]:.2f}" for c in costs])
    row("CPU ms/frame: total", [f"{c[2]:.2f}" if c[2] is not None else "?" for c in costs])
    local = next((c[2] for r, c in zip(results, costs, strict=True)
                  if r["engine"].get("kind") == "local"), None)
    for result, cost in zip(results, costs, strict=True):
        if result["engine"].get("kind") == "local" or local is None or cost[2] is None:
            continue
        print(f"Ray's cost per frame ({result['name']}): {cost[2] / local - 1:+.1%} "
              f"(total CPU per frame {cost[2]:.2f} ms against {local:.2f} ms local; "
              f"target: within +15%)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--steps", type=int, default=10,
                        help="steps per frame (the live view's default is 10)")
    parser.add_argument("--lesson", default="vanishing-gradients",
                        help="the class's lesson (default: the 8-layer sigmoid net)")
    parser.add_argument("--engine", action="append", dest="engines", metavar="ENGINE",
                        help="local (default), two-node, or a Ray cluster's address "
                             "(ray://HOST:PORT, HOST:PORT, auto); give several to compare")
    parser.add_argument("--compare", action="store_true",
                        help="the same class on local, then on two-node, side by side")
    parser.add_argument("--processes", type=int, default=None,
                        help="engine workers at most (NNPLAY_ENGINE_PROCESSES; default: "
                             "one per core locally, one per CPU of a cluster)")
    parser.add_argument("--frame-batch", type=int, action="append", dest="frame_batches",
                        metavar="N", help="the server's NNPLAY_FRAME_BATCH (live frames an "
                        "engine process carries out together); give several to compare, "
                        "e.g. 1 (every frame alone) and 8")
    parser.add_argument("--detail", action="store_true",
                        help="also the CPU per frame of each process and server thread")
    args = parser.parse_args(argv)
    engines = list(args.engines or [])
    if args.compare:
        engines += [e for e in ("local", "two-node") if e not in engines]
    engines = engines or ["local"]
    results = []
    for name in engines:
        for frame_batch in args.frame_batches or [None]:
            results.append(run_class(name, args, frame_batch))
            report(results[-1], args)
    if len(results) > 1:
        side_by_side(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
