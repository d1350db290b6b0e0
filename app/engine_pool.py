"""Engine workers: the places runs live, each fed from a priority queue.

Training and drawing frames are many small NumPy calls that hold Python's global
interpreter lock, so one server process computes frames on one core at most
(measured: about 130 frames a second for 6 x 8 nets, a third of what forty
students at ten frames a second need). The server therefore keeps its runs in
engine worker processes, about one per core: each holds a :class:`RunHost`, and
a run stays on the worker that created it. The server process itself only
speaks HTTP and websockets.

Every worker has one dispatcher thread in the server process that carries out
queued requests one at a time, in the order :mod:`app.fair_queue` gives: a
student's command overtakes the queued live frames, which overtake long training
from the REST API, and a client that has lately used more than its share of the
worker waits while the others' requests go first. A request that trains is one
time slice (the setting ``compute_slice_ms``): long training is many requests,
so other runs' frames and commands go in between and a heavy run slows only
itself. A request returns a :class:`concurrent.futures.Future` of (value,
status, revision), which threads wait on and coroutines await.

:class:`InProcessWorker` keeps its host in the server process (the setting
``engine_processes = 0``, as the tests use). :class:`ProcessWorker` keeps it in a
child process, reached through a pipe; if that process dies, its runs are lost
(saved models are in the database and stay), requests on them fail with
:class:`WorkerLostError`, and a new process takes its place. With the setting
``engine`` naming a Ray cluster, :func:`make_pool` gives
:class:`app.cluster_engine.RayPool` instead: the same workers, each a Ray actor
on one of the cluster's machines. Either way a request's outcome crosses back as
an :data:`Answer` (:func:`carry_out` where the runs live, :func:`unpack` here).

A worker takes the live frames queued together, up to ``frame_batch`` (the
setting of that name, :data:`FRAME_BATCH` by default) at a time in the queue's
order, and carries them out as one batch where the runs
live (:func:`carry_out_many`): runs of one shape train as one stacked
computation (:mod:`app.cohort_frames`), so a class playing one lesson pays the
per-call cost of a step once per batch instead of once per student.

Wherever runs live, the process keeps the memory it frees for the next frame
(:func:`app.allocator.keep_freed_memory`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

from app.allocator import keep_freed_memory
from app.cohort_frames import LIVE_FRAME, carry_many
from app.fair_queue import COMMAND, FRAME, FairQueue, Request
from app.run_host import HostedRunMissingError, RunHost
from engine.errors import SpecError

log = logging.getLogger(__name__)

Reply = tuple[Any, str, int]
"""(value, the run's status afterwards, the run's revision afterwards)."""

FRAME_BATCH = 8
"""Live frames a worker carries out together at most, by default (a class's
frames share their training; a command waits for up to one batch)."""

MANY = "*many"
"""The operation name of a batch sent to an engine process."""


class WorkerLostError(RuntimeError):
    """The engine process holding a run stopped; the run is gone."""


LOST_MESSAGE = ("the engine process holding this run stopped; the run is lost (saved models "
                "are kept)")


class RunFailedError(RuntimeError):
    """An operation failed inside an engine process for a reason other than bad
    input (the message names the exception; the worker keeps serving)."""


class Worker:
    """Base: a dispatcher thread that carries out queued requests one at a time.

    Attributes:
        index: the worker's number in its pool.
        generation: increases when the worker loses its runs (its process died).
        runs: how many runs it holds (the pool puts new runs on the emptiest).
    """

    def __init__(self, index: int) -> None:
        self.index = index
        self.generation = 0
        self.runs = 0
        self.frame_batch = FRAME_BATCH  # live frames carried out together at most
        self._queue = FairQueue()
        self._ready = threading.Condition()
        self._closed = False
        self._busy_until = 0.0  # see busy()
        self._thread = threading.Thread(target=self._dispatch, daemon=True,
                                        name=f"engine-{index}")
        self._thread.start()

    def submit(self, run_id: str, op: str, args: tuple = (),
               priority: int = COMMAND, tenant: str | None = None) -> Future:
        """Queue one operation for ``tenant`` (the client whose run it is; by default
        the run itself); the future's result is a :data:`Reply`."""
        request = Request(run_id, op, args, priority, tenant or run_id)
        with self._ready:
            self._queue.push(request)
            self._ready.notify()
        return request.future

    def frames_waiting(self) -> int:
        """How many live frames are queued here (a measure of how busy it is)."""
        with self._ready:
            return self._queue.waiting(FRAME)

    def busy(self, frames: int, hold: float, now: float | None = None) -> bool:
        """Whether ``frames`` or more live frames are queued here now, or were
        within the last ``hold`` seconds (asked on the event loop, by its players;
        ``now`` is a time.monotonic() reading, the current one by default).

        The hold keeps a nearly full worker on cheaper frames: without it, the
        first quiet moment would bring back the costlier frames that filled it."""
        now = time.monotonic() if now is None else now
        if self.frames_waiting() >= frames:
            self._busy_until = max(self._busy_until, now + hold)
            return True
        return now < self._busy_until

    def promote(self, future: Future) -> bool:
        """Move a queued request to the front rank (a frame that will now answer a
        command); False if it is no longer queued (under way or done)."""
        with self._ready:
            return self._queue.promote(future)

    def close(self) -> None:
        """Stop after the request under way; requests still queued are cancelled."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join(timeout=10)
        with self._ready:
            for request in self._queue.drain():
                request.future.cancel()

    def _next(self) -> Request | None:
        """The next request by the rules of :mod:`app.fair_queue` (None once closed)."""
        with self._ready:
            while not self._closed and not self._queue:
                self._ready.wait()
            return None if self._closed else self._queue.pop()

    def _gather(self, limit: int, more: Callable[[list[Request]], bool]) -> list[Request] | None:
        """The next request by the rules of :mod:`app.fair_queue`, and after it, while
        ``more(batch)`` says so, the ones the rules give next, up to ``limit`` in all
        (None once closed). Requests whose callers stopped waiting are dropped."""
        batch: list[Request] = []
        while not batch:
            request = self._next()
            if request is None:
                return None
            if request.future.set_running_or_notify_cancel():
                batch.append(request)
        with self._ready:
            while len(batch) < limit and not self._closed and more(batch):
                request = self._queue.pop()
                if request is not None and request.future.set_running_or_notify_cancel():
                    batch.append(request)
        return batch

    def _next_batch(self) -> list[Request] | None:
        """The next request, and when it is a live frame the live frames the rules
        would take next, up to ``frame_batch``."""
        return self._gather(self.frame_batch, lambda batch: (
            batch[0].op == LIVE_FRAME and batch[0].priority == FRAME
            and self._queue.next_is(FRAME, LIVE_FRAME)))

    def _dispatch(self) -> None:
        while (batch := self._next_batch()) is not None:
            if len(batch) == 1:
                self._carry_alone(batch[0])
                continue
            try:
                outcomes = self._execute_many([(r.run_id, r.op, r.args) for r in batch])
            except BaseException as err:  # handed to the callers, never lost
                for request in batch:
                    request.future.set_exception(err)
                continue
            for request, (outcome, seconds) in zip(batch, outcomes, strict=True):
                try:
                    request.future.set_result(unpack(outcome))
                except BaseException as err:
                    request.future.set_exception(err)
                with self._ready:
                    self._queue.charge(request.tenant, seconds)

    def _carry_alone(self, request: Request) -> None:
        started = time.perf_counter()
        try:
            request.future.set_result(self._execute(request.run_id, request.op,
                                                    request.args))
        except BaseException as err:  # handed to the caller, never lost
            request.future.set_exception(err)
        finally:
            with self._ready:
                self._queue.charge(request.tenant, time.perf_counter() - started)

    def _execute(self, run_id: str, op: str, args: tuple) -> Reply:
        raise NotImplementedError

    def _execute_many(self, requests: list[tuple[str, str, tuple]]) -> list[tuple[Answer, float]]:
        """A batch carried out where the runs live: each request's :data:`Answer`
        and seconds (see :func:`carry_out_many`)."""
        raise NotImplementedError


class InProcessWorker(Worker):
    """A worker whose runs live in the server process."""

    def __init__(self, index: int) -> None:
        keep_freed_memory()
        self.host = RunHost()
        super().__init__(index)

    def _execute(self, run_id: str, op: str, args: tuple) -> Reply:
        return self.host.handle(run_id, op, args)

    def _execute_many(self, requests):
        return carry_out_many(self.host, requests)


class ProcessWorker(Worker):
    """A worker whose runs live in a child process (started with ``spawn``)."""

    def __init__(self, index: int) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._start_process(index)
        super().__init__(index)

    def _start_process(self, index: int) -> None:
        self._conn, child = self._context.Pipe()
        self.process = self._context.Process(target=serve, args=(child,), daemon=True,
                                             name=f"nnplay-engine-{index}")
        self.process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def _execute(self, run_id: str, op: str, args: tuple) -> Reply:
        try:
            self._conn.send((run_id, op, args))
            answer = self._conn.recv()
        except (EOFError, OSError) as err:
            self._replace(err)
            raise WorkerLostError(LOST_MESSAGE) from None
        return unpack(answer)

    def _execute_many(self, requests):
        try:
            self._conn.send(("", MANY, requests))
            return self._conn.recv()
        except (EOFError, OSError) as err:
            self._replace(err)
            raise WorkerLostError(LOST_MESSAGE) from None

    def _replace(self, err: BaseException) -> None:
        log.error("engine process %s stopped (%s); starting a new one, its %d run(s) "
                  "are lost", self.process.pid, err, self.runs)
        self._conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.generation += 1
        self.runs = 0
        self._start_process(self.index)

    def close(self) -> None:
        super().close()
        self._conn.close()  # the child sees the pipe close and exits
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)


Answer = tuple
"""A request's outcome as it crosses from an engine process back to the server:
``(True, value, status, revision)``, or ``(False, (kind, *details), None, None)``
for a failure (``kind`` "spec", "unknown" or "failed"): plain values, picklable."""


def carry_out(host: RunHost, run_id: str, op: str, args: tuple) -> Answer:
    """Carry out one request on ``host`` where the runs live, as an :data:`Answer`
    (never raises for a failed operation: the worker serves on)."""
    try:
        value, status, revision = host.handle(run_id, op, args)
        return True, value, status, revision
    except SpecError as err:
        return False, ("spec", err.field, err.message, err.code, err.params), None, None
    except HostedRunMissingError as err:
        return False, ("unknown", err.args[0]), None, None
    except Exception as err:  # reported to the caller; this process serves on
        log.exception("operation %s on run %s failed", op, run_id)
        return False, ("failed", f"{type(err).__name__}: {err}"), None, None


def carry_out_many(host: RunHost, requests: list[tuple[str, str, tuple]]
                   ) -> list[tuple[Answer, float]]:
    """A batch of requests carried out on ``host`` in order, live frames of one
    cohort training together (:func:`app.cohort_frames.carry_many`): each
    request's :data:`Answer` and the seconds it took."""
    return carry_many(host, requests,
                      lambda run_id, op, args: carry_out(host, run_id, op, args))


def unpack(answer: Answer) -> Reply:
    """The :data:`Reply` of an :data:`Answer`, or the error it reports raised
    (SpecError, HostedRunMissingError or RunFailedError)."""
    ok, value, status, revision = answer
    if ok:
        return value, status, revision
    kind, *details = value
    if kind == "spec":
        raise SpecError(*details)
    if kind == "unknown":
        raise HostedRunMissingError(details[0])
    raise RunFailedError(details[0])


def serve(conn: Connection) -> None:
    """An engine process's main loop: requests in, replies out, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    keep_freed_memory()
    host = RunHost()
    while True:
        try:
            run_id, op, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(carry_out_many(host, args) if op == MANY
                      else carry_out(host, run_id, op, args))
        except (EOFError, OSError):
            return


def default_processes() -> int:
    """One engine process per core the server may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class EngineUnavailableError(RuntimeError):
    """No engine worker can take a new run now (every worker of the cluster is lost,
    or the cluster cannot be reached)."""


class EnginePool:
    """The server's workers: ``processes`` child processes, or one worker in the
    server process when ``processes`` is 0 (the local engine).

    Attributes:
        kind: "local" here; "ray" for :class:`app.cluster_engine.RayPool`.
        in_process: whether runs live in the server process (their trainers can be
            handed over and read directly).
    """

    kind = "local"

    def __init__(self, processes: int, frame_batch: int = FRAME_BATCH) -> None:
        self.in_process = processes == 0
        self.workers: list[Worker] = (
            [InProcessWorker(0)] if self.in_process
            else [ProcessWorker(i) for i in range(processes)])
        for worker in self.workers:
            worker.frame_batch = frame_batch

    def assign(self) -> Worker:
        """The worker a new run goes to: the one holding the fewest runs."""
        return min(self.workers, key=lambda w: w.runs)

    def describe(self) -> dict[str, Any]:
        """What /healthz reports of the engine: its kind, whether it can be reached,
        its nodes and its workers with the runs each holds."""
        return {"kind": self.kind, "address": None, "reachable": True, "problem": None,
                "nodes": 1, "workers": [{"node": "local", "runs": w.runs}
                                        for w in self.workers]}

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


def make_pool(engine: str, processes: int | None,
              frame_batch: int = FRAME_BATCH) -> EnginePool:
    """The pool of the setting ``engine``: "local" for engine processes on this
    machine (``processes`` of them, one per core by default, 0 for none), or the
    address of a Ray cluster (``ray://HOST:PORT``, ``HOST:PORT`` or ``auto``), whose
    workers follow its CPUs (at most ``processes``, when given). ``frame_batch``:
    the live frames a local worker carries out together at most."""
    if engine == "local":
        return EnginePool(default_processes() if processes is None else processes,
                          frame_batch)
    from app.cluster_engine import RayPool  # Ray is an optional extra

    return RayPool(engine, processes)
