"""The live websocket: ``/ws/runs/{run_id}``.

The server sends binary frames (see docs/protocol.md) at a capped rate while the
run plays and one after every command; the client sends JSON commands. A bad
command gets a JSON error message naming the field, and the socket stays open.
A handshake from a page of another site is refused (see :mod:`app.security`).
A student's (or the teacher's) run answers its owner only; the teacher gets a
read-only view of a student's run (frames, and an error for any command); to
anyone else it does not exist. A teacher token sent from an address that sent
too many wrong ones gets an error naming ``authorization`` and the socket is
closed with code 4429.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.access import viewer_of
from app.error_codes import app_error
from app.errors import ApiError
from app.json_input import JsonInputError, read_json
from app.live import Player, Players, notice
from app.registry import RunBusyError, UnknownRunError
from app.security import origin_allowed
from engine.errors import SpecError

router = APIRouter(tags=["live"])

MAX_MESSAGE_CHARS = 65536


def parse_command(text: str, max_depth: int) -> dict[str, Any]:
    """A client message as a dict, or SpecError naming what is wrong: the field
    (dotted path) of a NaN, an infinite number or a value nested more than
    ``max_depth`` deep (see :mod:`app.json_input`), else ``message``."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise app_error("message", "message_too_long", max=MAX_MESSAGE_CHARS)
    try:
        data = read_json(text, max_depth)
    except JsonInputError as err:
        raise SpecError(".".join(err.path) or "message", err.message, err.kind,
                        err.params) from None
    except ValueError as err:
        raise app_error("message", "message_not_json", reason=str(err)) from None
    if not isinstance(data, dict):
        raise app_error("message", "message_not_object")
    return data


def players_of(websocket: WebSocket) -> Players:
    state = websocket.app.state
    if not hasattr(state, "players"):
        state.players = Players(state.settings, state.registry)
    return state.players


@router.websocket("/ws/runs/{run_id}")
async def live(websocket: WebSocket, run_id: str) -> None:
    settings = websocket.app.state.settings
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"),
                          settings.allowed_origins):
        await websocket.close(code=4403)  # a page of another site: refused before accepting
        return
    await websocket.accept()
    try:
        viewer = viewer_of(websocket)
    except ApiError as err:  # too many wrong teacher tokens from this address
        await websocket.send_text(notice(err.loc[-1], err.msg, err.kind, err.ctx))
        await websocket.close(code=4429)
        return
    try:
        slot = websocket.app.state.registry.get(run_id)
        if not viewer.may_read(slot.owner):
            raise UnknownRunError(run_id)
        read_only = not viewer.may_change(slot.owner)
    except UnknownRunError as err:
        await websocket.send_text(notice("run_id", str(err), err.code, {"id": err.run_id}))
        await websocket.close(code=4404)
        return
    players = players_of(websocket)
    player = players.for_run(slot)
    send_lock = asyncio.Lock()

    async def send(data: bytes | str) -> None:
        async with send_lock:
            if isinstance(data, bytes):
                await websocket.send_bytes(data)
            else:
                await websocket.send_text(data)

    sender = asyncio.create_task(_follow(player, send))
    player.join(controls=not read_only)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            try:
                if text is None:
                    raise app_error("message", "message_binary")
                if read_only:
                    raise app_error("type", "read_only_view")
                reply = await player.command(parse_command(text, settings.max_json_depth))
            except SpecError as err:
                await send(notice(err.field, err.message, err.code, err.params))
                continue
            except RunBusyError as err:  # a REST request or job is training it
                await send(notice("run", str(err), "run_busy", {"id": err.run_id}))
                continue
            except UnknownRunError as err:  # deleted, or lost with its engine process
                await send(notice("run", str(err), err.code, {"id": err.run_id}))
                break
            if reply is not None:
                await send(reply)
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        players.release(player, controls=not read_only)


async def _follow(player: Player, send) -> None:
    """Send the newest published message whenever there is one this viewer has not
    seen; messages published while a send is under way are skipped, not queued."""
    seen = 0
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            async with player.new_frame:
                await player.new_frame.wait_for(lambda last=seen: player.seq > last)
                seen = player.seq
                data = player.message
            await send(data)
