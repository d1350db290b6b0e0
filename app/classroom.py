"""The classroom: the teacher's view of a class, and lessons pushed to it.

A :class:`Classroom` joins the class store (classes and students, in SQLite) to
the runs held in memory: a student's runs are the registry's slots they own, and
the class table shows each student's newest run. Its figures come from the
newest frame the run's live view has drawn (no extra work for the engine); a run
nobody watches is asked once per change (its ``summary`` operation).

A student keeps the runs their open pages show, and their newest one: making a
run first drops their older runs that no page of theirs shows (:func:`retire_unshown`),
so reloads and lesson pushes do not pile runs up on the server. On a server
holding its maximum of runs, a class's new run (a student's or the teacher's)
takes the place of a run made outside the class, or else of a class run no page
shows (:func:`room_maker`): a class's students always get a run, as long as
their own runs fit.

The teacher may remove a student (:meth:`Classroom.remove`): their token stops
working, and their runs go; the route drops their saved models and uploads.

Pushing a lesson bumps the class's ``lesson_version`` and wakes every student's
class socket (``/ws/classroom``), whose page then opens the lesson. The events
are asyncio's: :meth:`Classroom.push` and :meth:`Classroom.end` must run on the
server's event loop (from ``async`` routes).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from app.class_store import ClassInfo, ClassStore, Student
from app.frames import header_of
from app.live import Players
from app.registry import RunRegistry, RunSlot, UnknownRunError

SUMMARY_KEYS = ("step", "epoch", "status", "train_loss", "test_loss", "train_accuracy",
                "test_accuracy")


def frame_summary(header: dict[str, Any]) -> dict[str, Any]:
    """A live frame's header -> the class table's figures for its run."""
    dead = units = 0
    for layer in header.get("layers", []):
        flags = layer.get("dead")
        if isinstance(flags, list):
            dead += sum(1 for f in flags if f)
            units += len(flags)
    return {**{k: header.get(k) for k in SUMMARY_KEYS}, "dead_units": dead, "units": units}


class Classroom:
    """Classes, their students' runs, and lesson pushes, for one server."""

    def __init__(self, store: ClassStore, registry: RunRegistry, players: Players) -> None:
        self.store = store
        self.registry = registry
        self.players = players
        self._pushed: dict[str, asyncio.Event] = {}
        self._cache: dict[str, tuple[tuple, dict[str, Any]]] = {}

    # -- lessons ------------------------------------------------------------------
    def pushed(self, class_id: str) -> asyncio.Event:
        """An event set at the class's next lesson push."""
        return self._pushed.setdefault(class_id, asyncio.Event())

    def push(self, class_id: str, lesson: str, variant: str | None) -> ClassInfo:
        """Give the whole class ``lesson``: every student's page opens it."""
        info = self.store.set_lesson(class_id, lesson, variant)
        self._wake(class_id)
        return info

    def _wake(self, class_id: str) -> None:
        event = self._pushed.pop(class_id, None)
        if event is not None:
            event.set()

    def end(self, class_id: str) -> None:
        """End a class: its students and their runs go (saved models stay)."""
        students = {s.id for s in self.store.students(class_id)}
        self.store.delete(class_id)
        self._drop_runs(students)
        self._wake(class_id)  # its students' sockets learn that it ended

    def remove(self, class_id: str, student_id: str) -> None:
        """Remove one student: their token no longer works and their runs go (their
        class socket is told the class ended for them). StudentNotFound if the
        class has no such student."""
        self.store.remove_student(class_id, student_id)
        self._drop_runs({student_id})
        self._wake(class_id)

    def _drop_runs(self, students: set[str]) -> None:
        for runs in self.registry.owned_by(students).values():
            for slot in runs:
                with contextlib.suppress(UnknownRunError):
                    self.registry.delete(slot.id)

    # -- the table ----------------------------------------------------------------
    async def table(self, class_id: str) -> dict[str, Any]:
        """The class and one row per student: their newest run's lesson, step,
        losses, dead units and status (None before they have a run)."""
        info = self.store.get(class_id)
        students = self.store.students(class_id)
        runs = self.registry.owned_by({s.id for s in students})
        rows = await asyncio.gather(*(self._row(s, runs.get(s.id, [])) for s in students))
        live = {slot.id for slots in runs.values() for slot in slots}
        for run_id in [r for r in self._cache if r not in live]:
            del self._cache[run_id]
        return {"class": asdict(info), "students": list(rows), "time": time.time()}

    async def _row(self, student: Student, runs: list[RunSlot]) -> dict[str, Any]:
        row: dict[str, Any] = {"id": student.id, "name": student.name,
                               "joined": student.joined, "runs": len(runs), "run": None}
        if runs:
            slot = runs[0]
            try:
                figures = await self.summary(slot)
            except UnknownRunError:
                return row
            player = self.players.get(slot.id)
            # "watched": the student's own page shows it (the teacher's view does not count)
            row["run"] = {"id": slot.id, "lesson": slot.lesson, "variant": slot.variant,
                          "playing": slot.playing,
                          "watched": player is not None and player.controllers > 0,
                          **figures}
        return row

    async def summary(self, slot: RunSlot) -> dict[str, Any]:
        """The table's figures for one run, from its newest live frame when it has
        one, else from the engine (once per change of the run)."""
        player = self.players.get(slot.id)
        if player is not None and isinstance(player.message, bytes) and player.message:
            key: tuple = ("frame", player.seq)
            cached = self._cache.get(slot.id)
            if cached is None or cached[0] != key:
                cached = (key, frame_summary(header_of(player.message)))
                self._cache[slot.id] = cached
            return cached[1]
        key = ("engine", slot.version, slot.engine_status)
        cached = self._cache.get(slot.id)
        if cached is None or cached[0] != key:
            value, _, revision = await slot.acall("summary")
            figures = {**{k: value.get(k) for k in SUMMARY_KEYS},
                       "dead_units": value["dead_units"], "units": value["units"]}
            cached = (("engine", revision, slot.engine_status), figures)
            self._cache[slot.id] = cached
        return cached[1]


RETIRE_AFTER_SECONDS = 5.0
"""A run younger than this is never retired: its page may not have connected yet
(a lesson pushed just as the page made its first run)."""


def _unshown(slot: RunSlot, players: Players, now: float) -> bool:
    """Whether no page shows the run and no request trains it, and it is older
    than RETIRE_AFTER_SECONDS."""
    player = players.get(slot.id)
    return not (slot.busy or now - slot.created < RETIRE_AFTER_SECONDS
                or (player is not None and player.controllers > 0))


def retire_unshown(registry: RunRegistry, players: Players, student: str | None,
                   now: float | None = None) -> list[str]:
    """Before ``student`` makes a run: drop their runs that none of their pages
    shows and no request is training (a page reloaded or left, a lesson pushed),
    unless made in the last RETIRE_AFTER_SECONDS. Returns the ids dropped;
    nothing when ``student`` is None (the teacher, or anyone outside a class)."""
    if student is None:
        return []
    now = time.monotonic() if now is None else now
    dropped = []
    for slot in registry.slots():
        if slot.owner != student or not _unshown(slot, players, now):
            continue
        with contextlib.suppress(UnknownRunError):
            registry.delete(slot.id)
            dropped.append(slot.id)
    return dropped


def room_maker(players: Players, now: float | None = None
               ) -> Callable[[list[RunSlot]], RunSlot | None]:
    """For a class's new run on a full server: the run whose place it takes.

    First a run made outside the class (its least recently used one, preferring
    runs no page shows, then paused ones); then a class run that no page shows
    and no request trains (as :func:`retire_unshown` would drop), least recently
    used first. Never a run a request or job is training. None if there is none."""

    def choose(slots: list[RunSlot]) -> RunSlot | None:
        moment = time.monotonic() if now is None else now

        def shown(slot: RunSlot) -> bool:
            player = players.get(slot.id)
            return player is not None and player.controllers > 0

        outside = [s for s in slots if s.owner is None and not s.busy]
        if outside:
            return min(outside, key=lambda s: (shown(s), s.playing, s.last_used))
        unshown = [s for s in slots if s.owner is not None and _unshown(s, players, moment)]
        return min(unshown, key=lambda s: s.last_used) if unshown else None

    return choose
