"""Server speed against a real uvicorn on loopback (run: python bench/server.py).

1. One session: a 6 x 8 net on the circle data, one epoch (20 steps of 10) per
   frame plus a full frame, the frame-rate cap lifted: frames per second delivered.
2. A class: N sessions at once (default 40), each playing at 10 frames per second
   with one epoch per frame (--class-steps sets the steps per frame; the live
   view's default is 10); every second each client changes the learning rate and
   times how long until a frame shows it. Prints the median and minimum frames per
   second per client, the median and 95th-percentile command latency, and the
   server's memory per run.

Prints figures; asserts nothing. Sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.frames import header_of  # noqa: E402  (a frame header as the tests read it)

SPEC = {"hidden": [8] * 6, "activation": "tanh", "batch_size": 10,
        "data": {"name": "circle", "n_samples": 400}}
EPOCH = 20  # 200 training points / batch 10


def reference_call_us() -> float:
    """Microseconds for one 80-element NumPy multiply, the same reference that
    bench/engine.py prints: this machine's speed varies by up to 2x."""
    a = np.ones((10, 8))
    return min(timeit.repeat(lambda: a * a, number=20000, repeat=5)) / 20000 * 1e6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def family(pid: int) -> list[int]:
    """The process and its children (the engine processes), from /proc."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return [pid, *children]


def cpu_seconds(pid: int, children: bool = True) -> float:
    """User + system CPU time so far of a process (and its children), from /proc."""
    total = 0
    for member in family(pid) if children else [pid]:
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children, in KB."""
    total = 0
    for member in family(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


class Server:
    """The server as `make run` starts it (python -m app), on a free loopback port."""

    def __init__(self, max_frame_rate: float, output_grid: int = 100,
                 env: dict[str, str] | None = None, root: Path = ROOT,
                 start_seconds: float = 30.0, log: Path | None = None) -> None:
        """Start it and wait until /healthz answers (``start_seconds`` at most);
        ``log``, when given, gets its console output (else it is dropped)."""
        self.port = free_port()
        self.data = tempfile.TemporaryDirectory()
        env = {**os.environ, "NNPLAY_DATA_DIR": self.data.name, "NNPLAY_HOST": "127.0.0.1",
               "NNPLAY_PORT": str(self.port),
               "NNPLAY_MAX_FRAME_RATE": str(max_frame_rate), "NNPLAY_MAX_RUNS": "500",
               # all the simulated students share one address
               "NNPLAY_RUNS_PER_MINUTE": "10000", "NNPLAY_MAX_RUNS_PER_CLIENT": "10000",
               "NNPLAY_JOINS_PER_MINUTE": "10000", "NNPLAY_CLASS_JOINS_PER_MINUTE": "10000",
               "NNPLAY_LIVE_OUTPUT_GRID": str(output_grid), **(env or {})}
        # started as `make run` starts it; its access log is not wanted here
        out = subprocess.DEVNULL if log is None else log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=root, env=env,
                                     stdout=out, stderr=subprocess.STDOUT)
        if log is not None:
            out.close()
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.data.cleanup()
        raise RuntimeError(f"server did not start (exit code {self.proc.returncode})")

    def new_run(self) -> str:
        response = httpx.post(f"{self.base}/api/runs", json={"spec": SPEC}, timeout=30)
        response.raise_for_status()
        return response.json()["id"]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.data.cleanup()


async def one_session(server: Server, seconds: float) -> list[float]:
    run_id = server.new_run()
    per_second: list[float] = []
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws/runs/{run_id}",
                                  max_size=None) as ws:
        await ws.recv()
        for command in ({"type": "fps", "value": 1000}, {"type": "speed",
                        "steps_per_frame": EPOCH}, {"type": "play"}):
            await ws.send(json.dumps(command))
        end = time.monotonic() + seconds
        window, count = time.monotonic(), 0
        while time.monotonic() < end:
            message = await ws.recv()
            if isinstance(message, bytes):
                count += 1
            now = time.monotonic()
            if now - window >= 1.0:
                per_second.append(count / (now - window))
                window, count = now, 0
        await ws.send(json.dumps({"type": "pause"}))
    return per_second


async def student(server: Server, run_id: str, seconds: float, fps: float, steps: int,
                  latencies: list[float], rates: list[float], errors: list[str],
                  headers: dict[str, str] | None = None,
                  on_frame: Callable[[dict], None] | None = None) -> None:
    """Play one run over its socket at ``fps`` with ``steps`` a frame; every second
    change the learning rate and time until a frame shows it. Appends to
    ``latencies``, ``rates`` and ``errors``; ``headers`` go with the handshake and
    ``on_frame`` gets every frame's header."""
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws/runs/{run_id}",
                                  max_size=None, additional_headers=headers) as ws:
        await ws.recv()
        for command in ({"type": "fps", "value": fps},
                        {"type": "speed", "steps_per_frame": steps}, {"type": "play"}):
            await ws.send(json.dumps(command))
        start = time.monotonic()
        end = start + seconds
        frames, lr, sent_at, next_change = 0, 0.03, None, start + 1.0
        while time.monotonic() < end:
            now = time.monotonic()
            if sent_at is None and now >= next_change:
                lr = 0.03 if lr != 0.03 else 0.031
                await ws.send(json.dumps({"type": "set", "name": "lr", "value": lr}))
                sent_at = now
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=max(0.01, end - now))
            except TimeoutError:
                break
            if isinstance(message, str):
                errors.append(message)
                continue
            frames += 1
            header = header_of(message)
            if on_frame is not None:
                on_frame(header)
            if sent_at is not None and header["hyper"]["lr"] == lr:
                latencies.append(time.monotonic() - sent_at)
                sent_at, next_change = None, time.monotonic() + 1.0
        rates.append(frames / (time.monotonic() - start))
        await ws.send(json.dumps({"type": "pause"}))


async def classroom(server: Server, students: int, seconds: float, fps: float,
                    steps: int = EPOCH) -> dict:
    for _ in range(4):  # each engine process's first run loads what every run shares
        server.new_run()
    before = rss_kb(server.proc.pid)
    run_ids = [server.new_run() for _ in range(students)]
    after = rss_kb(server.proc.pid)
    latencies: list[float] = []
    rates: list[float] = []
    errors: list[str] = []
    cpu_before, wall_before = cpu_seconds(server.proc.pid), time.monotonic()
    main_before = cpu_seconds(server.proc.pid, children=False)
    own_before = time.process_time()
    await asyncio.gather(*(student(server, rid, seconds, fps, steps, latencies, rates, errors)
                           for rid in run_ids))
    wall = time.monotonic() - wall_before
    latencies.sort()
    return {
        "server_cores": (cpu_seconds(server.proc.pid) - cpu_before) / wall,
        "main_cores": (cpu_seconds(server.proc.pid, children=False) - main_before) / wall,
        "client_cores": (time.process_time() - own_before) / wall,
        "rates": sorted(rates),
        "latency_median": statistics.median(latencies) if latencies else float("nan"),
        "latency_p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "commands": len(latencies),
        "errors": errors,
        "kb_per_run": (after - before) / students,
        "rss_mb_while_playing": rss_kb(server.proc.pid) / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--class-steps", type=int, default=EPOCH,
                        help="steps per frame in the class part (default: one epoch)")
    parser.add_argument("--output-grid", type=int, default=100,
                        help="live frames' output map side (NNPLAY_LIVE_OUTPUT_GRID)")
    args = parser.parse_args(argv)

    server = Server(max_frame_rate=1000, output_grid=args.output_grid)
    try:
        per_second = asyncio.run(one_session(server, args.seconds))
    finally:
        server.close()
    print(f"live output grid {args.output_grid}; reference NumPy call "
          f"{reference_call_us():.2f} us")
    print(f"one session, 6 x 8 tanh, one epoch + full frame per frame: "
          f"median {statistics.median(per_second):.1f} frames/s "
          f"(target >= 60; per-second counts {[round(x) for x in per_second]})")

    server = Server(max_frame_rate=30, output_grid=args.output_grid)
    try:
        result = asyncio.run(classroom(server, args.students, args.seconds, args.fps,
                                       args.class_steps))
    finally:
        server.close()
    rates = result["rates"]
    print(f"{args.students} sessions at {args.fps:g} fps, {args.class_steps} steps per frame: "
          f"frames/s per client median "
          f"{statistics.median(rates):.1f}, min {rates[0]:.1f} (target >= 9)")
    print(f"command latency: median {result['latency_median'] * 1e3:.0f} ms, 95th percentile "
          f"{result['latency_p95'] * 1e3:.0f} ms over {result['commands']} commands "
          f"(target <= 100 ms); errors: {len(result['errors'])}")
    print(f"CPU while they play: server {result['server_cores']:.2f} cores (its web process "
          f"{result['main_cores']:.2f}, the engine processes the rest), "
          f"these clients {result['client_cores']:.2f} cores")
    print(f"memory: {result['kb_per_run']:.0f} KB per run when created; server RSS "
          f"{result['rss_mb_while_playing']:.0f} MB while {args.students} play")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
