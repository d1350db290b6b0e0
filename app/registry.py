"""The runs a server holds, by id: their server-side state and how to reach them.

A :class:`RunSlot` is the server's handle on one run: an unguessable id, the
engine worker that holds the run (see :mod:`app.engine_pool`), the playing state
of its live view, and the time of last use. Every operation on the run is a
request to that worker, which carries out one at a time, so operations on a run
never overlap while runs on different workers proceed in parallel.
:class:`RunRegistry` holds the slots, caps their number and drops the ones left
idle too long (saved models are in the database and stay).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from app.engine_pool import BACKGROUND, COMMAND, EnginePool, Reply, Worker, WorkerLostError
from app.run_host import HostedRunMissingError, Recipe
from engine.trainer import Trainer


class UnknownRunError(KeyError):
    """No run with that id (never existed, deleted, dropped after idling, or lost
    with a stopped engine process)."""

    def __init__(self, run_id: str, why: str = "it may have been dropped after idling") -> None:
        super().__init__(run_id)
        self.run_id = run_id
        self.why = why

    def __str__(self) -> str:
        return f"no run with id {self.run_id!r} ({self.why})"


class RegistryFullError(RuntimeError):
    """The cap on runs held at once is reached."""


LOST = "the engine process holding it stopped; saved models are kept"


@dataclass(eq=False)
class RunSlot:
    """One run as the server sees it.

    Attributes:
        id: unguessable URL-safe id.
        worker: the engine worker holding the run; generation: the worker's
            generation when the run was made (a newer one means the run was lost).
        lesson, variant: where it came from, if from a lesson.
        playing: the live view is playing (the websocket trains it frame by frame).
        steps_per_frame: steps taken between frames while playing.
        version: the run's revision as last reported by its worker; it increases
            with every change, so viewers know a new frame is due.
        busy: a REST request or job is training it.
        owner: the student whose run it is (None: whoever holds the id); created:
            when it was made (time.monotonic()).
    """

    id: str
    worker: Worker
    generation: int
    lesson: str | None = None
    variant: str | None = None
    playing: bool = False
    steps_per_frame: int = 10
    version: int = 0
    busy: bool = False
    last_used: float = field(default_factory=time.monotonic)
    train_lock: threading.Lock = field(default_factory=threading.Lock)
    engine_status: str = "idle"
    owner: str | None = None
    created: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.last_used = time.monotonic()

    @property
    def lost(self) -> bool:
        return self.worker.generation != self.generation

    @property
    def status(self) -> str:
        """``training`` while REST steps run, else ``idle`` or ``diverged``."""
        return "training" if self.busy else self.engine_status

    @property
    def trainer(self) -> Trainer:
        """The run's trainer, when the run lives in this process (engine_processes 0)."""
        host = getattr(self.worker, "host", None)
        if host is None:
            raise RuntimeError("the run lives in an engine process")
        return host.runs[self.id].trainer

    # -- requests -------------------------------------------------------------------
    def submit(self, op: str, *args: Any, priority: int = COMMAND) -> Future:
        if self.lost:
            raise UnknownRunError(self.id, LOST)
        return self.worker.submit(self.id, op, args, priority)

    def _settle(self, reply: Reply) -> Reply:
        _, status, revision = reply
        self.engine_status = status
        self.version = max(self.version, revision)
        self.touch()
        return reply

    def _failure(self, err: BaseException) -> Exception:
        if isinstance(err, HostedRunMissingError | WorkerLostError):
            return UnknownRunError(self.id, LOST)
        return err  # type: ignore[return-value]

    def call(self, op: str, *args: Any, priority: int = COMMAND) -> Any:
        """Carry out ``op`` and wait for its value (from a thread, never the event loop)."""
        try:
            return self._settle(self.submit(op, *args, priority=priority).result())[0]
        except (HostedRunMissingError, WorkerLostError) as err:
            raise self._failure(err) from None

    async def acall(self, op: str, *args: Any, priority: int = COMMAND) -> Reply:
        """Carry out ``op`` from a coroutine; returns the whole :data:`Reply`."""
        return await self.outcome(self.submit(op, *args, priority=priority))

    async def outcome(self, future: Future) -> Reply:
        """Await a submitted request's :data:`Reply` (from a coroutine)."""
        try:
            return self._settle(await asyncio.wrap_future(future))
        except (HostedRunMissingError, WorkerLostError) as err:
            raise self._failure(err) from None

    # -- what the routes use --------------------------------------------------------
    def train(self, steps: int, progress: Callable[[int], None] | None = None,
              chunk: int = 500) -> dict[str, Any]:
        """Train ``steps`` steps, ``chunk`` at a time (live frames and commands get
        their turn between chunks); ``progress(done)`` after each. Returns metrics."""
        with self.train_lock:
            self.busy = True
            try:
                done = 0
                while done < steps:
                    n = min(chunk, steps - done)
                    self.call("train", n, priority=BACKGROUND)
                    done += n
                    if progress is not None:
                        progress(done)
                    if self.engine_status == "diverged":
                        break
                return self.call("metrics")
            finally:
                self.busy = False
                self.touch()

    def info(self) -> dict[str, Any]:
        """JSON-able description: id, status, origin, step, epoch, spec, hyper,
        layers, metrics (no arrays)."""
        info = self.call("info")
        return {"id": self.id, "status": self.status, "lesson": self.lesson,
                "variant": self.variant, **info}

    def frame(self, output_grid: int, unit_grid: int) -> dict[str, Any]:
        """The engine snapshot (arrays) at these grids; SpecError naming
        ``output_grid`` or ``unit_grid`` if its maps would exceed the run's budget."""
        return self.call("snapshot", output_grid, unit_grid, None, False)


class RunRegistry:
    """Runs by id, capped in number, dropped after ``idle_seconds`` without use."""

    def __init__(self, max_runs: int, idle_seconds: float,
                 pool: EnginePool | None = None) -> None:
        self.max_runs = max_runs
        self.idle_seconds = idle_seconds
        self.pool = pool if pool is not None else EnginePool(0)
        self._slots: dict[str, RunSlot] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.slots())

    def _reserve(self, lesson: str | None, variant: str | None,
                 owner: str | None = None) -> RunSlot:
        self.sweep()
        with self._lock:
            if len(self._slots) >= self.max_runs:
                raise RegistryFullError(f"the server holds {self.max_runs} runs already; "
                                        "delete one or try again later")
            worker = self.pool.assign()
            slot = RunSlot(secrets.token_urlsafe(16), worker, worker.generation,
                           lesson=lesson, variant=variant, owner=owner)
            self._slots[slot.id] = slot
            worker.runs += 1
            return slot

    def _place(self, slot: RunSlot, op: str, payload: Any) -> RunSlot:
        try:
            slot.call(op, payload)
        except BaseException:
            self._forget(slot.id)
            raise
        return slot

    def create(self, recipe: Recipe, lesson: str | None = None,
               variant: str | None = None, owner: str | None = None) -> RunSlot:
        """Make a new run (of student ``owner``, if given) from ``recipe`` on the
        emptiest worker. Raises :class:`RegistryFullError` at the cap (after first
        dropping idle runs), and SpecError for a bad recipe."""
        return self._place(self._reserve(lesson, variant, owner), "create", recipe)

    def add(self, trainer: Trainer, lesson: str | None = None,
            variant: str | None = None) -> RunSlot:
        """Register an existing trainer (only with runs kept in this process)."""
        if not self.pool.in_process:
            raise RuntimeError("runs live in engine processes: create them from a recipe")
        return self._place(self._reserve(lesson, variant), "adopt", trainer)

    def get(self, run_id: str) -> RunSlot:
        slot = self._slots.get(run_id) if isinstance(run_id, str) else None
        if slot is None:
            raise UnknownRunError(run_id)
        if slot.lost:
            self._forget(run_id)
            raise UnknownRunError(run_id, LOST)
        slot.touch()
        return slot

    def _forget(self, run_id: str) -> RunSlot | None:
        """Remove a slot and let its worker drop the run (without waiting)."""
        with self._lock:
            slot = self._slots.pop(run_id, None)
        if slot is not None and not slot.lost:
            slot.worker.runs -= 1
            slot.worker.submit(run_id, "drop", (), BACKGROUND)
        return slot

    def delete(self, run_id: str) -> None:
        if self._forget(run_id) is None:
            raise UnknownRunError(run_id)

    def sweep(self, now: float | None = None) -> list[str]:
        """Drop runs idle longer than the limit (never one that is busy or playing)
        and runs lost with a stopped engine process."""
        now = time.monotonic() if now is None else now
        stale = [rid for rid, s in list(self._slots.items())
                 if s.lost or (now - s.last_used > self.idle_seconds
                               and not s.busy and not s.playing)]
        for rid in stale:
            self._forget(rid)
        return stale

    def has(self, run_id: str) -> bool:
        slot = self._slots.get(run_id)
        return slot is not None and not slot.lost

    def owned_by(self, owners: set[str]) -> dict[str, list[RunSlot]]:
        """Each owner's runs, newest first."""
        found: dict[str, list[RunSlot]] = {}
        for slot in sorted(self.slots(), key=lambda s: s.created, reverse=True):
            if slot.owner in owners:
                found.setdefault(slot.owner, []).append(slot)
        return found

    def slots(self) -> list[RunSlot]:
        """The runs held (not those lost with a stopped engine process, which the
        next sweep forgets)."""
        return [s for s in list(self._slots.values()) if not s.lost]
