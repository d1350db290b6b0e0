"""Live views: one player per watched run, frames shared by all its viewers.

A :class:`Player` drives one run while at least one websocket watches it. While
the run plays, the player trains ``steps_per_frame`` steps and takes a frame, in a
worker thread (never on the event loop), then waits out the rest of the frame
period; while paused it sleeps until a command arrives. Each frame is encoded once
and published; every viewer sends the newest frame when it is free, so a slow
client skips frames and nothing queues without bound. When the last viewer leaves,
the run is paused and kept as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread

from app.frames import encode_frame, pack, quantise
from app.registry import RunRegistry, RunSlot
from app.settings import Settings
from engine.errors import SpecError
from engine.telemetry import MapMaker
from engine.validate import as_float, as_int, as_mapping

log = logging.getLogger(__name__)

PAUSED_POLL_SECONDS = 0.25
"""A paused player looks this often for changes made through the REST API."""


WORKERS = 1
"""Frames computed at once across all players. Frame work is many small NumPy
calls that hold the GIL, so a second worker thread only fights over it (measured
with 40 sessions: 3.5 frames/s per client with two workers, 4.5 with one)."""


class Player:
    """Trains and draws one run for its viewers.

    Attributes:
        seq: number of the newest published message (0 before the first).
        message: the newest message: an encoded frame (bytes), or a JSON notice
            (str) such as the run having failed or been deleted.
    """

    def __init__(self, slot: RunSlot, settings: Settings, registry: RunRegistry,
                 limiter: anyio.CapacityLimiter | None = None) -> None:
        self.slot = slot
        self.limiter = limiter
        self.settings = settings
        self.registry = registry
        self.fps = min(30.0, settings.max_frame_rate)
        self.output_grid = settings.live_output_grid
        self.unit_grid = settings.live_unit_grid
        self.viewers = 0
        self.seq = 0
        self.message: bytes | str = b""
        self.new_frame = asyncio.Condition()
        self._wake = asyncio.Event()
        self._want_frame = True
        self._drawn_version = -1
        self.task: asyncio.Task | None = None

    # -- viewers ------------------------------------------------------------------
    def join(self) -> None:
        self.viewers += 1
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._loop())
        self.request_frame()

    def leave(self) -> None:
        self.viewers -= 1
        if self.viewers <= 0:
            self.slot.playing = False  # a closed tab leaves the run paused and intact
            self._wake.set()

    def request_frame(self) -> None:
        """Publish a frame soon (after a command)."""
        self._want_frame = True
        self._wake.set()

    # -- the loop -----------------------------------------------------------------
    async def _loop(self) -> None:
        while self.viewers > 0 and self.registry.has(self.slot.id):
            playing = self.slot.playing and self.slot.trainer.status != "diverged"
            changed = self.slot.version != self._drawn_version  # e.g. trained through REST
            if playing or self._want_frame or changed:
                self._want_frame = False
                started = time.monotonic()
                steps = self.slot.steps_per_frame if playing else 0
                try:
                    data = await anyio.to_thread.run_sync(self._advance, steps,
                                                          limiter=self.limiter)
                except Exception:  # one run's failure must not take the server down
                    log.exception("run %s failed while playing", self.slot.id)
                    self.slot.playing = False
                    data = notice("run", "the run failed and is paused")
                await self._publish(data)
                if playing:
                    rest = 1.0 / self.fps - (time.monotonic() - started)
                    if rest > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), rest)
                    self._wake.clear()
                continue
            # paused: wake for a command, or look again soon for changes made elsewhere
            self.slot.touch()  # a watched run is in use: the idle sweep must keep it
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), PAUSED_POLL_SECONDS)
            self._wake.clear()
        if not self.registry.has(self.slot.id):
            await self._publish(notice("run", "the run was deleted"))

    def _advance(self, steps: int) -> bytes:
        with self.slot.lock:
            frame = self.slot.advance(steps, self.output_grid, self.unit_grid)
            self._drawn_version = self.slot.version
        return encode_frame(frame, self.header())

    def header(self) -> dict[str, Any]:
        return {"type": "frame", "run": self.slot.id, "seq": self.seq + 1,
                "playing": self.slot.playing, "steps_per_frame": self.slot.steps_per_frame,
                "fps": self.fps, "status": self.slot.status,
                "grid": {"output": self.output_grid, "units": self.unit_grid}}

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
            raise SpecError("type", f"unknown command {kind!r}; one of {', '.join(COMMANDS)}")
        reply = await handler(self, message)
        self.request_frame()
        return reply

    async def _in_thread(self, fn: Callable[[], Any]) -> Any:
        return await anyio.to_thread.run_sync(fn, limiter=self.limiter)

    async def play(self, message: dict) -> None:
        _keys(message, ())
        self.slot.playing = True

    async def pause(self, message: dict) -> None:
        _keys(message, ())
        self.slot.playing = False

    async def step(self, message: dict) -> None:
        _keys(message, ("n",))
        n = as_int("n", message.get("n", 1), 1, self.settings.max_steps_per_request)
        await self._in_thread(lambda: self.slot.train(n))

    async def reset(self, message: dict) -> None:
        _keys(message, ())
        await self._in_thread(lambda: self.slot.change(lambda t: t.reset()))

    async def set_hyper(self, message: dict) -> None:
        _keys(message, ("name", "value"))
        name = message.get("name")
        if name not in ("lr", "l1", "l2", "batch_size"):
            raise SpecError("name", "one of lr, l1, l2, batch_size")
        value = message.get("value")
        await self._in_thread(lambda: self.slot.change(lambda t: t.set_hyper(**{name: value})))

    async def set_weight(self, message: dict) -> None:
        _keys(message, ("layer", "name", "index", "value"))
        layer, name = message.get("layer"), message.get("name")
        if not isinstance(layer, str) or not isinstance(name, str):
            raise SpecError("layer" if not isinstance(layer, str) else "name", "must be a string")
        index, value = message.get("index"), message.get("value")
        if not isinstance(index, list):
            raise SpecError("index", "must be a list of integers")
        await self._in_thread(
            lambda: self.slot.change(lambda t: t.set_param(layer, name, index, value)))

    async def speed(self, message: dict) -> None:
        _keys(message, ("steps_per_frame",))
        self.slot.steps_per_frame = as_int("steps_per_frame", message.get("steps_per_frame"),
                                           1, self.settings.max_steps_per_frame)

    async def frame_rate(self, message: dict) -> None:
        _keys(message, ("value",))
        self.fps = as_float("value", message.get("value"), 0.5, self.settings.max_frame_rate)

    async def grid(self, message: dict) -> None:
        _keys(message, ("output", "units"))
        self.output_grid = as_int("output", message.get("output", self.output_grid), 2, 200)
        self.unit_grid = as_int("units", message.get("units", self.unit_grid), 2, 100)

    async def frame_now(self, message: dict) -> None:
        _keys(message, ())

    async def unit_map(self, message: dict) -> bytes:
        _keys(message, ("layer", "unit", "grid"))
        g = as_int("grid", message.get("grid", self.settings.live_output_grid), 2, 200)
        layer = message.get("layer")
        unit = message.get("unit")

        def draw() -> bytes:
            with self.slot.lock:
                maps = MapMaker(self.slot.trainer).maps(2, g)["units"]
            if layer not in maps:
                raise SpecError("layer", f"no hidden activation layer {layer!r}; "
                                f"layers: {', '.join(maps)}")
            unit_index = as_int("unit", unit, 0, maps[layer].shape[0] - 1)
            q, lo, hi = quantise(maps[layer][unit_index])
            header = {"type": "unit_map", "run": self.slot.id, "layer": layer,
                      "unit": unit_index, "grid": g,
                      "arrays": [{"name": "map", "dtype": "uint8", "shape": list(q.shape),
                                  "offset": 0, "lo": lo, "hi": hi}]}
            return pack(header, [q.tobytes()])

        return await self._in_thread(draw)


def notice(field: str, message: str) -> str:
    """A JSON error message for the socket (text, not binary)."""
    return json.dumps({"type": "error", "field": field, "message": message})


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
}


class Players:
    """The players of a server, by run id."""

    def __init__(self, settings: Settings, registry: RunRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self._players: dict[str, Player] = {}
        self._limiter: anyio.CapacityLimiter | None = None

    def for_run(self, slot: RunSlot) -> Player:
        if self._limiter is None:  # made inside the event loop that uses it
            self._limiter = anyio.CapacityLimiter(WORKERS)
        player = self._players.get(slot.id)
        if player is None or player.slot is not slot:
            player = self._players[slot.id] = Player(slot, self.settings, self.registry,
                                                     self._limiter)
        return player

    def release(self, player: Player) -> None:
        player.leave()
        if player.viewers <= 0 and self._players.get(player.slot.id) is player:
            del self._players[player.slot.id]

    async def close(self) -> None:
        for player in list(self._players.values()):
            if player.task is not None:
                player.task.cancel()
        self._players.clear()
