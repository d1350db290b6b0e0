"""The runs a server holds in memory, each behind its own lock.

A :class:`RunSlot` wraps one :class:`engine.trainer.Trainer` with what the server
needs around it: an unguessable id, a lock (training and frames never overlap on
one run, while different runs proceed in parallel in worker threads), the map
maker reused between frames, the playing state of the live view, and the time of
last use. :class:`RunRegistry` holds the slots, caps their number and drops the
ones left idle too long (saved models are in the database and stay).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.telemetry import MapMaker, snapshot
from engine.trainer import Trainer


class UnknownRunError(KeyError):
    """No run with that id (never existed, deleted, or dropped after idling)."""

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = run_id

    def __str__(self) -> str:
        return f"no run with id {self.run_id!r} (it may have been dropped after idling)"


class RegistryFullError(RuntimeError):
    """The cap on runs held at once is reached."""


@dataclass(eq=False)
class RunSlot:
    """One run and its server-side state.

    Attributes:
        id: unguessable URL-safe id.
        trainer: the engine run.
        lesson, variant: where it came from, if from a lesson.
        playing: the live view is playing (the websocket trains it frame by frame).
        steps_per_frame: steps taken between frames while playing.
        version: increases whenever the run changes, so viewers know a new frame is due.
    """

    id: str
    trainer: Trainer
    lesson: str | None = None
    variant: str | None = None
    playing: bool = False
    steps_per_frame: int = 10
    version: int = 0
    busy: bool = False
    last_used: float = field(default_factory=time.monotonic)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _maps: MapMaker | None = None

    def touch(self) -> None:
        self.last_used = time.monotonic()

    @property
    def status(self) -> str:
        """``training`` while steps run, else the trainer's ``idle`` or ``diverged``."""
        return "training" if self.busy else self.trainer.status

    def train(self, steps: int, progress: Callable[[int], None] | None = None,
              chunk: int = 500) -> dict[str, Any]:
        """Run ``steps`` steps under the lock; ``progress(done)`` after each chunk."""
        with self.lock:
            self.busy = True
            try:
                done = 0
                while done < steps:
                    n = min(chunk, steps - done)
                    self.trainer.advance(n)
                    done += n
                    if progress is not None:
                        progress(done)
                    if self.trainer.status == "diverged":
                        break
                metrics = self.trainer.metrics()
            finally:
                self.busy = False
                self.version += 1
                self.touch()
        return metrics

    def change(self, action: Callable[[Trainer], Any]) -> Any:
        """Apply ``action(trainer)`` under the lock (a hand edit, a reset ...)."""
        with self.lock:
            result = action(self.trainer)
            self.version += 1
            self.touch()
            return result

    def frame(self, output_grid: int, unit_grid: int) -> dict[str, Any]:
        """The engine snapshot, under the lock."""
        with self.lock:
            if self._maps is None:
                self._maps = MapMaker(self.trainer)
            self.touch()
            return snapshot(self.trainer, output_grid, unit_grid, maps=self._maps)

    def advance(self, steps: int, output_grid: int, unit_grid: int) -> dict[str, Any]:
        """Train ``steps`` steps and take a frame, in one turn of the lock (the
        websocket's play loop, run in a worker thread)."""
        with self.lock:
            if steps and self.trainer.status != "diverged":
                self.trainer.advance(steps)  # the frame evaluates the metrics once
                self.version += 1
            return self.frame(output_grid, unit_grid)

    def describe(self) -> dict[str, Any]:
        """JSON-able summary (no arrays)."""
        trainer = self.trainer
        return {
            "id": self.id,
            "status": self.status,
            "step": trainer.step_count,
            "epoch": trainer.epoch,
            "lesson": self.lesson,
            "variant": self.variant,
            "spec": trainer.spec.to_dict(),
            "hyper": trainer.hyper(),
            "layers": trainer.net.describe(),
        }


class RunRegistry:
    """Runs by id, capped in number, dropped after ``idle_seconds`` without use."""

    def __init__(self, max_runs: int, idle_seconds: float) -> None:
        self.max_runs = max_runs
        self.idle_seconds = idle_seconds
        self._slots: dict[str, RunSlot] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._slots)

    def add(self, trainer: Trainer, lesson: str | None = None,
            variant: str | None = None) -> RunSlot:
        """Register a new run; raises :class:`RegistryFullError` at the cap (after first
        dropping idle runs)."""
        self.sweep()
        with self._lock:
            if len(self._slots) >= self.max_runs:
                raise RegistryFullError(f"the server holds {self.max_runs} runs already; "
                                   "delete one or try again later")
            run_id = secrets.token_urlsafe(16)
            slot = RunSlot(run_id, trainer, lesson=lesson, variant=variant)
            self._slots[run_id] = slot
            return slot

    def get(self, run_id: str) -> RunSlot:
        slot = self._slots.get(run_id)
        if slot is None:
            raise UnknownRunError(run_id)
        slot.touch()
        return slot

    def delete(self, run_id: str) -> None:
        with self._lock:
            if self._slots.pop(run_id, None) is None:
                raise UnknownRunError(run_id)

    def sweep(self, now: float | None = None) -> list[str]:
        """Drop runs idle longer than the limit (never one that is busy or playing)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            stale = [rid for rid, s in self._slots.items()
                     if now - s.last_used > self.idle_seconds and not s.busy and not s.playing]
            for rid in stale:
                del self._slots[rid]
        return stale

    def has(self, run_id: str) -> bool:
        return run_id in self._slots

    def slots(self) -> list[RunSlot]:
        return list(self._slots.values())
