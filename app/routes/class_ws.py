"""A student's class socket: ``/ws/classroom``.

On connecting, and again whenever the teacher pushes a lesson, the server sends
``{"type": "lesson", "lesson", "variant", "lesson_version", "class", "code"}``;
when the class ends it sends ``{"type": "ended"}`` and closes. The page opens
the lesson it is sent. Without a student's cookie (the student's class ended,
or the classroom is off) the server sends ``{"type": "ended"}`` and closes with
code 4401; a student the teacher removes is sent ``{"type": "ended"}`` too, and
the socket closed. The client sends nothing; anything it sends is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.access import viewer_of
from app.class_store import ClassNotFound
from app.errors import ApiError
from app.security import origin_allowed

router = APIRouter(tags=["classroom"])


@router.websocket("/ws/classroom")
async def class_socket(websocket: WebSocket) -> None:
    settings = websocket.app.state.settings
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"),
                          settings.allowed_origins):
        await websocket.close(code=4403)  # a page of another site: refused before accepting
        return
    # accepted before refusing: closing unaccepted answers the handshake with HTTP
    # 403, which a browser reports as close code 1006, and the page would retry
    await websocket.accept()
    classroom = getattr(websocket.app.state, "classroom", None)
    try:
        student = viewer_of(websocket).student if classroom is not None else None
    except ApiError:  # a teacher token from a guessing address: no student either
        student = None
    if student is None:
        await websocket.send_text(json.dumps({"type": "ended"}))
        await websocket.close(code=4401)
        return
    drain = asyncio.create_task(_ignore_input(websocket))
    try:
        while not drain.done():
            pushed = classroom.pushed(student.class_id)  # before reading: no push is missed
            try:
                info = classroom.store.get(student.class_id)
                if classroom.store.student(student.id) is None:  # the teacher removed them
                    raise ClassNotFound(student.class_id)
            except ClassNotFound:
                await websocket.send_text(json.dumps({"type": "ended"}))
                await websocket.close(code=1000)
                return
            await websocket.send_text(json.dumps({
                "type": "lesson", "lesson": info.lesson, "variant": info.variant,
                "lesson_version": info.lesson_version, "class": info.name, "code": info.code}))
            waiter = asyncio.create_task(pushed.wait())
            await asyncio.wait({waiter, drain}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await drain


async def _ignore_input(websocket: WebSocket) -> None:
    """Read (and drop) what the client sends, until it goes."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
