"""One greedy client against a class (run: python bench/fairness.py), on a real
uvicorn on loopback with a teacher token set, as `make run` starts it.

N students (default 39) join a class and play its lesson (default: the
playground's default lesson) at 10 frames per second, 10 steps a frame, every
second changing the learning rate and timing how long until a frame shows it.
This runs twice on the same server: first alone, then while one more client on
the same address, the greedy one, does the worst its limits allow (the default
limits of one client):

- as many runs as it may hold (up to ``--greedy-runs``), each the largest net a
  spec may ask for with the largest mini-batch and data set the server accepts,
  played over a socket at the highest frame rate and steps per frame, on the
  finest grids;
- REST training of the most steps a request may ask for, in a loop, on one of them;
- background jobs of the most steps a job may ask for, one after another, on
  another.

Prints the students' frames per second (median, lowest) and command latency
(median, 95th percentile) without and with the greedy client, the share of
their frame rate they keep (target: at least 90%) and their 95th-percentile
latency with it (target: under 150 ms), what the greedy client got, and the
reference NumPy call time (this machine's speed drifts). Asserts nothing;
traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classroom import TEACHER, TOKEN, Student, join, percentile, play
from server import Server, reference_call_us

from app.settings import Settings
from engine.compute import MAX_PASS_MACS, MAX_STEP_MACS, TRAINING_PASSES, macs_per_sample
from engine.trainer import Trainer


def greediest_spec(settings: Settings) -> dict:
    """The largest net a spec may ask for, with the largest batch and data set the
    engine accepts for it."""
    net = {"hidden": [settings.max_units] * settings.max_hidden_layers, "activation": "relu"}
    per = macs_per_sample(Trainer({**net, "data": {"name": "circle", "n_samples": 40}}).net)
    samples = MAX_PASS_MACS // per
    batch = MAX_STEP_MACS // (TRAINING_PASSES * per)
    return {**net, "batch_size": int(batch),
            "data": {"name": "circle", "n_samples": int(samples)}}


class Greedy:
    """What the greedy client did: runs made, frames and steps it got, refusals."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.headers: dict[str, str] = {}
        self.steps = 0
        self.frames = 0
        self.rest_steps = 0
        self.job_steps = 0
        self.refusals: dict[int, int] = {}

    def refused(self, status: int) -> None:
        self.refusals[status] = self.refusals.get(status, 0) + 1


async def make_runs(client: httpx.AsyncClient, headers: dict, spec: dict, most: int,
                    greedy: Greedy) -> None:
    """As many runs as the server lets this client hold, up to ``most``."""
    while len(greedy.runs) < most:
        answer = await client.post("/api/runs", headers=headers, json={"spec": spec})
        if answer.status_code != 201:
            greedy.refused(answer.status_code)
            return
        greedy.runs.append(answer.json()["id"])


async def hog_socket(server: Server, run_id: str, headers: dict, settings: Settings,
                     stop: asyncio.Event, greedy: Greedy) -> None:
    """Play a run as fast and as finely as the socket allows."""
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws/runs/{run_id}",
                                  max_size=None, additional_headers=headers) as ws:
        for command in ({"type": "fps", "value": settings.max_frame_rate},
                        {"type": "speed", "steps_per_frame": settings.max_steps_per_frame},
                        {"type": "grid", "output": 200, "units": 100}, {"type": "play"}):
            await ws.send(json.dumps(command))
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                message = await asyncio.wait_for(ws.recv(), 0.5)
                greedy.frames += isinstance(message, bytes)


async def hog_rest(client: httpx.AsyncClient, run_id: str, headers: dict,
                   settings: Settings, stop: asyncio.Event, greedy: Greedy) -> None:
    """REST training of the most steps a request may ask for, in a loop."""
    while not stop.is_set():
        answer = await client.post(f"/api/runs/{run_id}/train", headers=headers,
                                   json={"steps": settings.max_steps_per_request})
        if answer.status_code == 200:
            greedy.rest_steps += settings.max_steps_per_request
        else:
            greedy.refused(answer.status_code)
            await asyncio.sleep(0.2)


async def hog_jobs(client: httpx.AsyncClient, run_id: str, headers: dict,
                   settings: Settings, stop: asyncio.Event, greedy: Greedy) -> None:
    """Background jobs of the most steps a job may ask for, one after another."""
    steps = settings.max_steps_per_request * 100
    while not stop.is_set():
        answer = await client.post(f"/api/runs/{run_id}/jobs", headers=headers,
                                   json={"steps": steps})
        if answer.status_code != 202:
            greedy.refused(answer.status_code)
            await asyncio.sleep(0.2)
            continue
        job = answer.json()["id"]
        while not stop.is_set():
            await asyncio.sleep(0.5)
            state = (await client.get(f"/api/runs/{run_id}/jobs/{job}", headers=headers)).json()
            if state["state"] != "running":
                break
        state = (await client.delete(f"/api/runs/{run_id}/jobs/{job}",
                                     headers=headers)).json()
        greedy.job_steps += state.get("done", 0)


async def greedy_client(server: Server, client: httpx.AsyncClient, settings: Settings,
                        most_runs: int, stop: asyncio.Event, greedy: Greedy) -> None:
    """Outside the class (a student's runs that no page shows are dropped when they
    make another; an address's are not), on the class's own address."""
    await make_runs(client, greedy.headers, greediest_spec(settings), most_runs, greedy)
    if not greedy.runs:
        return
    headers = greedy.headers
    tasks = [hog_socket(server, run, headers, settings, stop, greedy)
             for run in greedy.runs[2:] or greedy.runs[:1]]
    tasks.append(hog_rest(client, greedy.runs[0], headers, settings, stop, greedy))
    if len(greedy.runs) > 1:
        tasks.append(hog_jobs(client, greedy.runs[1], headers, settings, stop, greedy))
    await asyncio.gather(*tasks)


async def phase(server: Server, students: list[Student], args: argparse.Namespace,
                greedy_too: bool, settings: Settings) -> tuple[dict, Greedy]:
    """Play every student's run for ``args.seconds``; with ``greedy_too``, the
    greedy client does its worst meanwhile."""
    for s in students:
        s.latencies, s.errors, s.seen, s.steps = [], [], {}, []
    greedy, stop = Greedy(), asyncio.Event()
    async with httpx.AsyncClient(base_url=server.base, timeout=None) as client:
        hog = None
        if greedy_too:
            hog = asyncio.create_task(greedy_client(server, client, settings,
                                                    args.greedy_runs, stop, greedy))
            started = time.monotonic()
            while not greedy.runs and not hog.done() and time.monotonic() - started < 60:
                await asyncio.sleep(0.05)  # its runs exist before the students start
        await asyncio.gather(*(play(s, server, args.seconds, args.fps, args.steps)
                               for s in students))
        for run in greedy.runs:  # the steps its runs took, whichever way
            answer = await client.get(f"/api/runs/{run}", headers=greedy.headers)
            greedy.steps += answer.json()["step"] if answer.status_code == 200 else 0
        stop.set()
        if hog is not None:  # a REST request may still be training: stop waiting for it
            hog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await hog
    latencies = sorted(x for s in students for x in s.latencies)
    return {"rates": sorted(s.rate for s in students), "latencies": latencies,
            "errors": [e for s in students for e in s.errors]}, greedy


async def bench(server: Server, args: argparse.Namespace, settings: Settings) -> list:
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        made = await client.post("/api/classes", headers=TEACHER,
                                 json={"name": "fairness", "lesson": args.lesson})
        made.raise_for_status()
        code = made.json()["code"]
        students = [await join(client, server.port, code, f"student {i + 1:02d}")
                    for i in range(args.students)]
    alone = await phase(server, students, args, False, settings)
    crowded = await phase(server, students, args, True, settings)
    return [alone, crowded]


def summary(name: str, result: dict) -> str:
    rates, lat = result["rates"], result["latencies"]
    return (f"{name}: frames/s per student median {statistics.median(rates):.2f}, lowest "
            f"{rates[0]:.2f}; command latency median {statistics.median(lat) * 1e3:.0f} ms, "
            f"95th percentile {percentile(lat, 0.95) * 1e3:.0f} ms over {len(lat)} "
            f"commands; errors {len(result['errors'])} {result['errors'][:2]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=39)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--steps", type=int, default=10, help="students' steps per frame")
    parser.add_argument("--lesson", default="vanishing-gradients",
                        help="the class's lesson (default: the playground's default)")
    parser.add_argument("--greedy-runs", type=int, default=None,
                        help="most runs the greedy client tries to hold (default: as many "
                             "as one client may, the setting max_runs_per_client)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a server setting, e.g. NNPLAY_COMPUTE_SLICE_MS=50")
    args = parser.parse_args(argv)
    # the greedy client meets the limits a server has by default (bench/server.py
    # lifts the per-client ones, since its simulated people share one address)
    defaults = Settings()
    env = {"NNPLAY_TEACHER_TOKEN": TOKEN,
           "NNPLAY_MAX_RUNS_PER_CLIENT": str(defaults.max_runs_per_client),
           "NNPLAY_RUNS_PER_MINUTE": str(defaults.runs_per_minute),
           **dict(e.split("=", 1) for e in args.env)}
    settings = Settings(**{k.removeprefix("NNPLAY_").lower(): v for k, v in env.items()})
    if args.greedy_runs is None:
        args.greedy_runs = settings.max_runs_per_client
    server = Server(max_frame_rate=settings.max_frame_rate, env=env)
    try:
        (alone, _), (crowded, greedy) = asyncio.run(bench(server, args, settings))
    finally:
        server.close()
    print(f"reference NumPy call {reference_call_us():.2f} us")
    print(f"{args.students} students, lesson {args.lesson}, {args.seconds:g} s at "
          f"{args.fps:g} fps, {args.steps} steps a frame; settings {args.env or 'default'}")
    print(summary("without the greedy client", alone))
    print(summary("with the greedy client   ", crowded))
    kept = statistics.median(crowded["rates"]) / statistics.median(alone["rates"])
    lowest = crowded["rates"][0] / statistics.median(alone["rates"])
    p95 = percentile(crowded["latencies"], 0.95) * 1e3
    print(f"students keep {kept:.0%} of their median frame rate (lowest student {lowest:.0%}; "
          f"target >= 90%); p95 command latency with it {p95:.0f} ms (target < 150 ms)")
    spec = greediest_spec(settings)
    print(f"greedy client: {len(greedy.runs)} runs of {len(spec['hidden'])} x "
          f"{spec['hidden'][0]}, batch {spec['batch_size']}, {spec['data']['n_samples']} "
          f"samples; {greedy.frames / args.seconds:.1f} frames/s over its sockets, "
          f"{greedy.steps / args.seconds:.0f} steps/s over all its runs ({greedy.rest_steps} "
          f"in finished REST requests, {greedy.job_steps} in finished jobs); refused: "
          f"{greedy.refusals or 'never'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
