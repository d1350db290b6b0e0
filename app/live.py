"""Live views: one player per watched run, frames shared by all its viewers.

A :class:`Player` drives one run while at least one websocket watches it. While
the run plays, the player asks the run's engine worker to train
``steps_per_frame`` steps and encode a frame (never on the event loop; see
:mod:`app.engine_pool`), then waits out the rest of the frame period; while
paused it sleeps until a command arrives. A viewer's command goes ahead of the
queued frames of every run. Each frame is encoded once and published; every
viewer sends the newest frame when it is free, so a slow client skips frames and
nothing queues without bound. When the last viewer leaves, the run is paused and
kept as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from concurrent.futures import Future
from typing import Any

from app.error_codes import app_error
from app.error_codes import message as error_text
from app.fair_queue import COMMAND, FRAME
from app.registry import RunRegistry, RunSlot, UnknownRunError
from app.settings import Settings
from engine.validate import as_float, as_int, as_mapping

log = logging.getLogger(__name__)

PAUSED_POLL_SECONDS = 0.25
"""A paused player looks this often for changes made through the REST API."""

BUSY_FRAMES = 4
"""Frames queued in one engine process from which live frames use the setting
live_output_grid_busy (one or two waiting is ordinary: a few students playing)."""

BUSY_HOLD_SECONDS = 3.0
"""How long an engine process's live frames stay at live_output_grid_busy after it
last had BUSY_FRAMES queued. A class near the machine's capacity would otherwise
swing between the two sides, and every swing back to the full side fills the
queue again. Measured with bench/classroom.py, 40 students at 10 frames/s on two
cores: without the hold 8 to 52% of the frames had the full side and the engine
processes took 1.56 cores; with it, 1.27 to 1.43 cores for as many frames."""


class Player:
    """Trains and draws one run for its viewers.

    Attributes:
        seq: number of the newest published message (0 before the first).
        message: the newest message: an encoded frame (bytes), or a JSON notice
            (str) such as the run having failed or been deleted.
    """

    def __init__(self, slot: RunSlot, settings: Settings, registry: RunRegistry) -> None:
        self.slot = slot
        self.settings = settings
        self.registry = registry
        self.fps = min(30.0, settings.max_frame_rate)
        self.output_grid = settings.live_output_grid
        self.unit_grid = settings.live_unit_grid
        self.viewers = 0
        self.controllers = 0
        self.seq = 0
        self.message: bytes | str = b""
        self.new_frame = asyncio.Condition()
        self._wake = asyncio.Event()
        self._want_frame = True
        self._urgent = False  # the next frame answers a command: it skips the queue
        self._queued: Future | None = None  # the frame request the loop waits for
        self._drawn_version = -1
        self._due: float | None = None  # when the next frame is due while playing
        self.probe: dict[str, Any] | None = None  # the sample an image/text run's probe shows
        self.task: asyncio.Task | None = None

    # -- viewers ------------------------------------------------------------------
    def join(self, controls: bool = True) -> None:
        """A viewer arrives; ``controls`` False for a read-only one (the teacher)."""
        self.viewers += 1
        self.controllers += controls
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._loop())
        self.request_frame()

    def leave(self, controls: bool = True) -> None:
        self.viewers -= 1
        self.controllers -= controls
        if self.controllers <= 0:
            # a closed tab leaves the run paused and intact (a read-only viewer
            # cannot keep it playing)
            self.slot.playing = False
            self._wake.set()

    def request_frame(self) -> None:
        """Publish a frame soon (after a command)."""
        self._want_frame = True
        self._wake.set()

    # -- the loop -----------------------------------------------------------------
    async def _loop(self) -> None:
        while self.viewers > 0 and self.registry.has(self.slot.id) and not self.slot.lost:
            playing = self.slot.playing and self.slot.engine_status != "diverged"
            changed = self.slot.version != self._drawn_version  # e.g. trained through REST
            if playing or self._want_frame or changed:
                self._want_frame = False
                started = time.monotonic()
                steps = self.slot.steps_per_frame if playing else 0
                priority, self._urgent = (COMMAND if self._urgent else FRAME), False
                try:
                    data = await self._advance(steps, priority)
                except UnknownRunError:
                    break  # deleted, or lost with its engine process
                except Exception:  # one run's failure must not take the server down
                    log.exception("run %s failed while playing", self.slot.id)
                    self.slot.playing = False
                    data = notice("run", error_text("run_failed"), "run_failed")
                await self._publish(data)
                if playing:  # frames on a steady clock, not a period after each one
                    period = 1.0 / self.fps
                    due = (self._due if self._due is not None else started) + period
                    self._due = max(due, time.monotonic() - period / 2)  # never a burst
                    rest = self._due - time.monotonic()
                    if rest > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), rest)
                    self._wake.clear()
                else:
                    self._due = None
                continue
            self._due = None
            # paused: wake for a command, or look again soon for changes made elsewhere
            self.slot.touch()  # a watched run is in use: the idle sweep must keep it
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), PAUSED_POLL_SECONDS)
            self._wake.clear()
        if self.slot.lost:
            await self._publish(notice("run", error_text("run_lost_live"), "run_lost_live"))
        elif not self.registry.has(self.slot.id):
            await self._publish(notice("run", error_text("run_deleted"), "run_deleted"))

    def frame_grid(self) -> int:
        """The output map side of the next frame: the viewer's, or the setting
        live_output_grid_busy while the run's engine process has BUSY_FRAMES or
        more frames queued and BUSY_HOLD_SECONDS after, so that a full class keeps
        its frame rate."""
        busy = self.settings.live_output_grid_busy
        if busy and self.slot.worker.busy(BUSY_FRAMES, BUSY_HOLD_SECONDS):
            return min(self.output_grid, busy)
        return self.output_grid

    async def _advance(self, steps: int, priority: int) -> bytes:
        grid = self.frame_grid()
        self._queued = self.slot.submit("live_frame", steps, grid, self.unit_grid,
                                        self.header(grid), self.probe,
                                        self.slot.slice_seconds, priority=priority)
        try:
            data, _, revision = await self.slot.outcome(self._queued)
        finally:
            self._queued = None
        self._drawn_version = revision
        return data

    def header(self, output_grid: int | None = None) -> dict[str, Any]:
        return {"type": "frame", "run": self.slot.id, "seq": self.seq + 1,
                "playing": self.slot.playing, "steps_per_frame": self.slot.steps_per_frame,
                "fps": self.fps, "status": self.slot.status,
                "grid": {"output": output_grid or self.output_grid, "units": self.unit_grid}}

    async def _publish(self, data: bytes | str) -> None:
        async with self.new_frame:
            self.message = data
            self.seq += 1
            self.new_frame.notify_all()

    # -- commands ---------------------------------------------------------------
    async def command(self, message: dict[str, Any]) -> bytes | None:
        """Apply one client command. Returns a binary reply for this viewer only
        (a full-resolution unit map) or None; raises SpecError for bad input."""
        kind = message.get("type")
        handler = COMMANDS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            raise app_error("type", "unknown_command", command=kind, choices=", ".join(COMMANDS))
        view = self.view(), self.probe
        reply = await handler(self, message)
        await self._answer(view_changed=(self.view(), self.probe) != view)
        return reply

    def view(self) -> tuple[Any, ...]:
        """What a frame's header says of the live view itself (not of the run): playing
        or not, steps per frame, frame rate, grid sides."""
        return (self.slot.playing, self.slot.steps_per_frame, self.fps, self.output_grid,
                self.unit_grid)

    async def _answer(self, view_changed: bool) -> None:
        """Show a command's effect at once. The frame the loop waits for, if still
        queued behind other runs' frames, moves to the front: it is drawn after the
        command, so it shows the command's effect on the run. Its header and probe,
        though, were written when it was queued: when the command changed the view
        (a pause, say) or the sample probed, a frame with the new ones follows it at
        the front, or a page would go on showing the run as playing, or the sample
        before the one asked for (a sentence typed in the lab while a frame waited)."""
        queued = self._queued
        if queued is not None and self.slot.worker.promote(queued) and not view_changed:
            return
        self._urgent = True
        self.request_frame()

    async def play(self, message: dict) -> None:
        _keys(message, ())
        self.slot.playing = True

    async def pause(self, message: dict) -> None:
        _keys(message, ())
        self.slot.playing = False

    async def step(self, message: dict) -> None:
        _keys(message, ("n",))
        n = as_int("n", message.get("n", 1), 1, self.settings.max_steps_per_request)
        await self.slot.atrain(n, priority=COMMAND)

    async def reset(self, message: dict) -> None:
        _keys(message, ())
        await self.slot.acall("reset")

    async def set_hyper(self, message: dict) -> None:
        _keys(message, ("name", "value"))
        name = message.get("name")
        if name not in ("lr", "l1", "l2", "batch_size"):
            raise app_error("name", "unknown_setting")
        value = message.get("value")
        await self.slot.acall("set_hyper", {name: value})

    async def set_weight(self, message: dict) -> None:
        _keys(message, ("layer", "name", "index", "value"))
        layer, name = message.get("layer"), message.get("name")
        if not isinstance(layer, str) or not isinstance(name, str):
            raise app_error("layer" if not isinstance(layer, str) else "name", "not_text")
        index, value = message.get("index"), message.get("value")
        if not isinstance(index, list):
            raise app_error("index", "not_index")
        await self.slot.acall("set_param", layer, name, index, value)

    async def speed(self, message: dict) -> None:
        _keys(message, ("steps_per_frame",))
        self.slot.steps_per_frame = as_int("steps_per_frame", message.get("steps_per_frame"),
                                           1, self.settings.max_steps_per_frame)

    async def frame_rate(self, message: dict) -> None:
        _keys(message, ("value",))
        self.fps = as_float("value", message.get("value"), 0.5, self.settings.max_frame_rate)

    async def grid(self, message: dict) -> None:
        """New grid sides; refused (naming ``units`` or ``output``, with the largest
        side that fits) if the run's maps at those sides would exceed its budget."""
        _keys(message, ("output", "units"))
        output = as_int("output", message.get("output", self.output_grid), 2, 200)
        units = as_int("units", message.get("units", self.unit_grid), 2, 100)
        await self.slot.acall("check_maps", output, units, ("output", "units"))
        self.output_grid, self.unit_grid = output, units

    async def frame_now(self, message: dict) -> None:
        _keys(message, ())

    async def probe_sample(self, message: dict) -> None:
        """Image and text runs: which sample the probe shows (see engine.probe)."""
        request = {k: v for k, v in message.items() if k != "type"}
        await self.slot.acall("check_probe", request)  # a bad one names its field
        self.probe = request

    async def unit_map(self, message: dict) -> bytes:
        _keys(message, ("layer", "unit", "grid"))
        g = as_int("grid", message.get("grid", self.settings.live_output_grid), 2, 200)
        header = {"type": "unit_map", "run": self.slot.id}
        data, _, _ = await self.slot.acall("unit_map", message.get("layer"),
                                           message.get("unit"), g, header)
        return data


def notice(field: str, message: str, code: str = "value_error",
           params: dict[str, Any] | None = None) -> str:
    """A JSON error message for the socket (text, not binary): the field, the English
    message, its ``code`` and the ``params`` of its sentence (see
    :mod:`app.error_codes`)."""
    return json.dumps({"type": "error", "field": field, "message": message, "code": code,
                       "params": params or {}})


def _keys(message: dict, allowed: tuple[str, ...]) -> None:
    """Refuse fields the command does not take (the error names the field)."""
    as_mapping("", message, ("type", *allowed))


COMMANDS = {
    "play": Player.play,
    "pause": Player.pause,
    "step": Player.step,
    "reset": Player.reset,
    "set": Player.set_hyper,
    "set_weight": Player.set_weight,
    "speed": Player.speed,
    "fps": Player.frame_rate,
    "grid": Player.grid,
    "frame": Player.frame_now,
    "unit_map": Player.unit_map,
    "probe": Player.probe_sample,
}


class Players:
    """The players of a server, by run id."""

    def __init__(self, settings: Settings, registry: RunRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self._players: dict[str, Player] = {}

    def for_run(self, slot: RunSlot) -> Player:
        player = self._players.get(slot.id)
        if player is None or player.slot is not slot:
            player = self._players[slot.id] = Player(slot, self.settings, self.registry)
        return player

    def get(self, run_id: str) -> Player | None:
        """The player of a run that someone is watching, if any."""
        return self._players.get(run_id)

    def release(self, player: Player, controls: bool = True) -> None:
        player.leave(controls)
        if player.viewers <= 0 and self._players.get(player.slot.id) is player:
            del self._players[player.slot.id]

    async def close(self) -> None:
        for player in list(self._players.values()):
            if player.task is not None:
                player.task.cancel()
        self._players.clear()
