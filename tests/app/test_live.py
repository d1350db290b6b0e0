"""The live player under load: a full engine process makes cheaper frames (the
setting live_output_grid_busy) so a whole class keeps its frame rate, and a command
answered by a frame queued before it still ends on a frame that shows it."""

from __future__ import annotations

import asyncio
import time

from app import live
from app.fair_queue import COMMAND, FRAME
from app.frames import header_of
from app.live import BUSY_FRAMES, Player
from app.registry import RunRegistry
from app.settings import Settings
from tests.app.conftest import SMALL_SPEC


def test_frames_are_coarser_while_the_engine_process_has_frames_queued(
        tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(live, "BUSY_HOLD_SECONDS", 600.0)  # longer than this test
    registry = RunRegistry(max_runs=20, idle_seconds=600)  # runs in this process
    slots = [registry.create(("spec", SMALL_SPEC, None)) for _ in range(BUSY_FRAMES + 1)]
    player = Player(slots[0], Settings(data_dir=tmp_path, live_output_grid=100,
                                       live_output_grid_busy=40), registry)
    quiet = Player(slots[0], Settings(data_dir=tmp_path, live_output_grid_busy=0), registry)
    assert player.frame_grid() == 100 and player.header(player.frame_grid())["grid"] == {
        "output": 100, "units": 16}
    # hold the engine process on one long request (seconds), and queue a class's
    # frames behind it
    assert len({s.worker for s in slots}) == 1
    busy = slots[0].submit("train", 30000)
    queued = [s.submit("live_frame", 1, 30, 8, {}, None, priority=FRAME)
              for s in slots[1:BUSY_FRAMES]]
    assert player.frame_grid() == 100  # BUSY_FRAMES - 1 waiting: ordinary
    queued.append(slots[-1].submit("live_frame", 1, 30, 8, {}, None, priority=FRAME))
    assert slots[0].worker.frames_waiting() >= BUSY_FRAMES
    assert player.frame_grid() == 40
    assert player.header(40)["grid"]["output"] == 40
    assert quiet.frame_grid() == 100  # the setting 0 never lowers it
    player.output_grid = 30  # a viewer who asked for less than the busy side keeps it
    assert player.frame_grid() == 30
    for future in [busy, *queued]:
        future.exception(timeout=30)
    assert player.frame_grid() == 30 and slots[0].worker.frames_waiting() == 0
    # the queue is empty, and the frames stay coarse for the hold
    player.output_grid = 100
    assert player.frame_grid() == 40
    registry.pool.close()


def test_an_engine_process_stays_busy_for_the_hold_after_its_queue_empties(tmp_path) -> None:
    registry = RunRegistry(max_runs=20, idle_seconds=600)
    slots = [registry.create(("spec", SMALL_SPEC, None)) for _ in range(BUSY_FRAMES + 1)]
    worker = slots[0].worker
    assert not worker.busy(BUSY_FRAMES, 3.0)
    held = slots[0].submit("train", 30000)
    queued = [s.submit("live_frame", 1, 30, 8, {}, None, priority=FRAME) for s in slots[1:]]
    seen = time.monotonic() - 10.0  # as if seen busy 10 s ago
    assert worker.busy(BUSY_FRAMES, 0.0, now=seen)  # busy while the frames wait, hold or not
    assert worker.busy(BUSY_FRAMES, 3.0, now=seen)
    assert worker.busy(BUSY_FRAMES, 3.0, now=seen - 5.0)  # an older reading keeps the hold
    for future in [held, *queued]:
        future.exception(timeout=30)
    assert worker.frames_waiting() == 0
    assert worker.busy(BUSY_FRAMES, 3.0, now=seen + 2.9)  # within the hold
    assert not worker.busy(BUSY_FRAMES, 3.0, now=seen + 3.0)  # the hold is over
    assert not worker.busy(BUSY_FRAMES, 3.0)  # and 10 s on, now
    registry.pool.close()


def test_a_pause_while_a_frame_is_queued_ends_on_a_paused_frame(tmp_path) -> None:
    # the queued frame's header was written while playing; promoted to answer the
    # pause, it was the last frame sent, so the page showed a paused run as playing
    registry = RunRegistry(max_runs=20, idle_seconds=600)
    mine, other = (registry.create(("spec", SMALL_SPEC, None)) for _ in range(2))
    assert mine.worker is other.worker
    player = Player(mine, Settings(data_dir=tmp_path), registry)

    async def scenario() -> dict:
        player.join()
        await player.command({"type": "play"})
        deadline = time.monotonic() + 60
        while player.seq < 4:  # playing steadily
            assert time.monotonic() < deadline, "no frames while playing"
            await asyncio.sleep(0.01)
        busy = other.submit("train", 20000)  # holds the engine process for a while
        while player._queued is None or player._queued.running():
            assert time.monotonic() < deadline and not busy.done(), "no frame got queued"
            await asyncio.sleep(0.005)
        await player.command({"type": "pause"})
        while True:  # every frame sent, and the player idle: the last frame tells
            await asyncio.sleep(0.05)
            if busy.done() and player._queued is None and not player._want_frame:
                await asyncio.sleep(0.3)
                if player._queued is None and not player._want_frame:
                    break
            assert time.monotonic() < deadline, "the player never settled"
        player.leave()
        return header_of(player.message)

    last = asyncio.run(scenario())
    registry.pool.close()
    assert last["playing"] is False


def test_a_probe_asked_for_while_a_frame_is_queued_ends_on_a_frame_of_it(tmp_path) -> None:
    # the queued frame was asked for with the probe before; promoted to answer the
    # probe command, it was the last frame sent: a paused lab page went on showing
    # the sample before the sentence typed (on a busy engine process)
    from engine.trainer import Trainer
    from tests.app.test_lab_runs import IMAGE_SPEC

    registry = RunRegistry(max_runs=20, idle_seconds=600)
    mine = registry.add(Trainer(IMAGE_SPEC))
    other = registry.create(("spec", SMALL_SPEC, None))
    assert mine.worker is other.worker
    player = Player(mine, Settings(data_dir=tmp_path), registry)

    async def settled(deadline: float, *futures: object) -> None:
        while True:  # every frame sent, and the player idle: the last frame tells
            await asyncio.sleep(0.05)
            if all(f.done() for f in futures) and player._queued is None \
                    and not player._want_frame:
                await asyncio.sleep(0.3)
                if player._queued is None and not player._want_frame:
                    return
            assert time.monotonic() < deadline, "the player never settled"

    async def scenario() -> dict:
        player.join()
        deadline = time.monotonic() + 60
        await settled(deadline)
        assert header_of(player.message)["probe"]["index"] == 0
        busy = other.submit("train", 20000)  # holds the engine process for a while
        while not busy.running():
            assert time.monotonic() < deadline, "the engine never took the training"
            await asyncio.sleep(0.005)
        player.request_frame()
        while player._queued is None:
            assert time.monotonic() < deadline and not busy.done(), "no frame got queued"
            await asyncio.sleep(0.005)
        command = asyncio.create_task(player.command({"type": "probe", "index": 5}))
        await asyncio.sleep(0)  # its check is queued
        # a command of mine after the check: the frame is still queued when it is answered
        hold = mine.worker.submit(other.id, "train", (20000,), COMMAND, mine.tenant)
        await command
        await settled(deadline, busy, hold)
        player.leave()
        return header_of(player.message)

    last = asyncio.run(scenario())
    registry.pool.close()
    assert last["probe"]["index"] == 5
