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
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import statistics
import sys
import time
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from server import Server, cpu_seconds, reference_call_us, rss_kb
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


async def lesson_class(server: Server, args: argparse.Namespace) -> dict:
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
    }


def percentile(values: list[float], q: float) -> float:
    return values[int(q * (len(values) - 1))] if values else float("nan")


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
    args = parser.parse_args(argv)
    server = Server(max_frame_rate=30, env={"NNPLAY_TEACHER_TOKEN": TOKEN})
    try:
        result = asyncio.run(lesson_class(server, args))
    finally:
        server.close()
    rates, lat, ages = result["rates"], result["latencies"], result["ages"]
    print(f"reference NumPy call {reference_call_us():.2f} us")
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
    lags = result["lags"]
    print(f"teacher table: read {result['reads']} times (as its page does, every 0.5 s); "
          f"behind the student's page by: median {statistics.median(lags) * 1e3:.0f} ms, "
          f"95th percentile {percentile(lags, 0.95) * 1e3:.0f} ms, max {lags[-1] * 1e3:.0f} "
          f"ms (target: current within 1 s); age of a row's figures, which adds the time "
          f"between two of the student's frames: median {statistics.median(ages) * 1e3:.0f} "
          f"ms, 95th percentile {percentile(ages, 0.95) * 1e3:.0f} ms, max "
          f"{ages[-1] * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
