"""The runs a server holds, by id: their server-side state and how to reach them.

A :class:`RunSlot` is the server's handle on one run: an unguessable id, the
engine worker that holds the run (see :mod:`app.engine_pool`), the playing state
of its live view, and the time of last use. Every operation on the run is a
request to that worker, which carries out one at a time, so operations on a run
never overlap while runs on different workers proceed in parallel.
:class:`RunRegistry` holds the slots, caps their number (in all, and per client)
and drops the ones left idle too long (saved models are in the database and
stay). At the cap, a new run of a class's student (or the teacher) may make
room: the caller names the run to drop (see :func:`app.classroom.room_maker`).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from app.client_limits import ClientLimitError
from app.engine_pool import EnginePool, Reply, Worker, WorkerLostError
from app.fair_queue import BACKGROUND, COMMAND
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

    @property
    def code(self) -> str:
        """``run_lost`` for a run lost with its engine process, else ``run_not_found``."""
        return "run_lost" if self.why == LOST else "run_not_found"


class RunBusyError(RuntimeError):
    """Another request or a background job is training the run."""

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = run_id

    def __str__(self) -> str:
        return (f"run {self.run_id!r} is training for another request or a background "
                "job; wait for it to finish (or cancel the job)")


class RegistryFullError(RuntimeError):
    """The cap on runs held at once (``max_runs``) is reached."""

    def __init__(self, max_runs: int) -> None:
        super().__init__(max_runs)
        self.max_runs = max_runs

    def __str__(self) -> str:
        return f"the server holds {self.max_runs} runs already; delete one or try again later"


RoomMaker = Callable[[list["RunSlot"]], "RunSlot | None"]
"""Given the runs held, the one to drop to make room for a new run (None: none)."""


LOST = "the engine process holding it stopped; saved models are kept"

LOST_REMEMBERED = 10_000
"""How many ids of lost runs the registry keeps, to answer "lost" rather than "not
found" for them once their slots are gone (about 0.1 MB)."""


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
        owner: the student whose run it is, or ``teacher`` (None: whoever holds
            the id); created: when it was made (time.monotonic()).
        client: the client that made it (see :mod:`app.clients`: ``student:<id>``,
            ``teacher`` or ``address:<address>``; ``local`` for a run made by code
            in this process): per-client limits and compute shares count by it.
        slice_seconds: the time slice of one request that trains it (see
            :mod:`app.fair_queue`); training longer is many requests.
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
    client: str = "local"
    slice_seconds: float = 0.02

    @property
    def tenant(self) -> str:
        """Whom the engine worker charges this run's compute to: its client (whose
        runs share one fair share), or the run itself when made by code here."""
        return self.id if self.client == "local" else self.client

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
        return self.worker.submit(self.id, op, args, priority, self.tenant)

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
    @contextmanager
    def training(self) -> Iterator[None]:
        """Hold the run for one training request or job (status ``training``);
        :class:`RunBusyError` at once if another one holds it."""
        if not self.train_lock.acquire(blocking=False):
            raise RunBusyError(self.id)
        self.busy = True
        try:
            yield
        finally:
            self.busy = False
            self.touch()
            self.train_lock.release()

    def advance(self, steps: int, priority: int = BACKGROUND,
                stop: Callable[[], bool] | None = None) -> int:
        """Train up to ``steps`` steps, one time slice per request to the engine
        worker (other runs' frames and commands get their turns in between), until
        done, diverged or ``stop()``; returns the steps taken. From a thread, never
        the event loop, inside :meth:`training`."""
        done = 0
        while done < steps and not (stop is not None and stop()):
            done += self.call("train", steps - done, self.slice_seconds, priority=priority)
            if self.engine_status == "diverged":
                break
        return done

    def train(self, steps: int, priority: int = BACKGROUND) -> dict[str, Any]:
        """:meth:`advance` ``steps`` steps holding the run; returns the metrics."""
        with self.training():
            self.advance(steps, priority)
            return self.call("metrics")

    async def atrain(self, steps: int, priority: int = BACKGROUND,
                     gone: Callable[[], Awaitable[bool]] | None = None) -> dict[str, Any]:
        """:meth:`train` from a coroutine (no thread is held while it trains); stops
        early once ``await gone()`` is true (the client that asked went away)."""
        with self.training():
            done = 0
            while done < steps and not (gone is not None and await gone()):
                taken, _, _ = await self.acall("train", steps - done, self.slice_seconds,
                                               priority=priority)
                done += taken
                if self.engine_status == "diverged":
                    break
            return (await self.acall("metrics"))[0]

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
    """Runs by id, capped in number (``max_runs`` in all, ``max_per_client`` for
    one client; None: no such cap), dropped after ``idle_seconds`` without use."""

    def __init__(self, max_runs: int, idle_seconds: float,
                 pool: EnginePool | None = None, max_per_client: int | None = None,
                 slice_seconds: float = 0.02) -> None:
        self.max_runs = max_runs
        self.max_per_client = max_per_client
        self.slice_seconds = slice_seconds
        self.idle_seconds = idle_seconds
        self.pool = pool if pool is not None else EnginePool(0)
        self._slots: dict[str, RunSlot] = {}
        self._lost: dict[str, None] = {}  # ids of runs lost, oldest first (see get())
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.slots())

    def _reserve(self, lesson: str | None, variant: str | None, owner: str | None = None,
                 client: str = "local", make_room: RoomMaker | None = None) -> RunSlot:
        self.sweep()
        dropped = None
        with self._lock:
            held = [s for s in self._slots.values() if not s.lost]
            if self.max_per_client is not None and \
                    sum(1 for s in held if s.client == client) >= self.max_per_client:
                raise ClientLimitError(
                    "runs", self.max_per_client, "delete one (DELETE /api/runs/{id}) or "
                    f"wait for one to be dropped after {self.idle_seconds:.0f} s unused",
                    "client_limit_runs", {"seconds": round(self.idle_seconds)})
            if len(self._slots) >= self.max_runs and make_room is not None:
                victim = make_room(held)
                if victim is not None:
                    dropped = self._slots.pop(victim.id, None)
            if len(self._slots) >= self.max_runs:
                raise RegistryFullError(self.max_runs)
            worker = self.pool.assign()
            slot = RunSlot(secrets.token_urlsafe(16), worker, worker.generation,
                           lesson=lesson, variant=variant, owner=owner, client=client,
                           slice_seconds=self.slice_seconds)
            self._slots[slot.id] = slot
            worker.runs += 1
        if dropped is not None:
            self._release(dropped)
        return slot

    def _place(self, slot: RunSlot, op: str, payload: Any) -> RunSlot:
        try:
            slot.call(op, payload)
        except BaseException:
            self._forget(slot.id)
            raise
        return slot

    def create(self, recipe: Recipe, lesson: str | None = None,
               variant: str | None = None, owner: str | None = None,
               client: str = "local", make_room: RoomMaker | None = None) -> RunSlot:
        """Make a new run (of ``owner``, if given, made by ``client``) from
        ``recipe`` on the emptiest worker. At the cap (after first dropping idle
        runs) the run ``make_room`` names is dropped to make room, if it names one.
        Raises :class:`ClientLimitError` when ``client`` holds ``max_per_client``
        runs, :class:`RegistryFullError` at the cap, and SpecError for a bad recipe."""
        return self._place(self._reserve(lesson, variant, owner, client, make_room),
                           "create", recipe)

    def add(self, trainer: Trainer, lesson: str | None = None,
            variant: str | None = None) -> RunSlot:
        """Register an existing trainer (only with runs kept in this process)."""
        if not self.pool.in_process:
            raise RuntimeError("runs live in engine processes: create them from a recipe")
        return self._place(self._reserve(lesson, variant), "adopt", trainer)

    def get(self, run_id: str) -> RunSlot:
        """The run's slot; UnknownRunError, saying whether the run was lost with its
        engine worker (also after its slot was swept away), if there is none."""
        slot = self._slots.get(run_id) if isinstance(run_id, str) else None
        if slot is None:
            if isinstance(run_id, str) and run_id in self._lost:
                raise UnknownRunError(run_id, LOST)
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
            if slot is not None and slot.lost:
                self._lost[run_id] = None
                while len(self._lost) > LOST_REMEMBERED:
                    del self._lost[next(iter(self._lost))]
        if slot is not None:
            self._release(slot)
        return slot

    @staticmethod
    def _release(slot: RunSlot) -> None:
        """Let the worker of a slot just removed drop its run (without waiting)."""
        if not slot.lost:
            slot.worker.runs -= 1
            slot.worker.submit(slot.id, "drop", (), BACKGROUND)

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
