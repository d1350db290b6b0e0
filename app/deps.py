"""What a request needs from the running app.

The lifespan in ``app.main`` puts the settings, the run registry, the model store,
the upload store and the job table (:mod:`app.jobs`) on ``app.state``; the ``*Dep`` annotations
below hand them to route functions. ``RunDep`` resolves the ``run_id`` path
parameter to its :class:`RunSlot` (an unknown id becomes a 404). ``PageDep`` reads
the ``limit`` and ``offset`` of a list, and :func:`page_of` answers a page the
store cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from app.access import Viewer, viewer_of
from app.clients import client_of
from app.jobs import JobTable
from app.live import Players
from app.registry import RunRegistry, RunSlot, UnknownRunError
from app.settings import Settings
from app.store import ModelStore
from app.upload_store import UploadStore
from engine.budget import MB, Budget
from engine.spec import Limits


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _registry(request: Request) -> RunRegistry:
    return request.app.state.registry


async def _store(request: Request) -> ModelStore:
    return request.app.state.store


async def _uploads(request: Request) -> UploadStore:
    return request.app.state.uploads


async def _jobs(request: Request) -> JobTable:
    return request.app.state.jobs


async def _players(request: Request) -> Players:
    return request.app.state.players


async def _viewer(request: Request) -> Viewer:
    return viewer_of(request)


async def _run(run_id: str, request: Request) -> RunSlot:
    """The run, if the asker may use it: a student's or the teacher's run is
    theirs alone (the teacher may read any); to anyone else it does not exist
    (404)."""
    viewer = viewer_of(request)  # first: a guessed teacher token is counted on every route
    slot = request.app.state.registry.get(run_id)
    allowed = viewer.may_read if request.method == "GET" else viewer.may_change
    if not allowed(slot.owner):
        raise UnknownRunError(run_id)
    return slot


async def count_new_run(request: Request) -> None:
    """Count a run about to be created against its client's rate (429 if over).
    A student counts on their own: a class behind one school address must not
    share one allowance."""
    request.app.state.run_rate.check(client_of(request))


DEFAULT_LIMIT = 50
"""Items a list answers when no ``limit`` is given."""

MAX_LIMIT = 200
"""The most items one page of a list may hold."""

MAX_OFFSET = 1_000_000
"""The largest ``offset``: past any list a server keeps (each has a limit in the
settings far below it)."""


@dataclass(frozen=True)
class PageQuery:
    """Which part of a list to answer: ``limit`` items from position ``offset``."""

    limit: int
    offset: int


async def _page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="the most items to answer")]
    = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET,
                                 description="how many items to skip (the next page: "
                                 "offset + limit)")] = 0,
) -> PageQuery:
    return PageQuery(limit, offset)


def page_of(items: list[Any], total: int, query: PageQuery) -> dict[str, Any]:
    """``{"items", "total", "limit", "offset"}``: the page ``query`` asked for (the
    store cut it) and how many items there are in all."""
    return {"items": items, "total": total, "limit": query.limit, "offset": query.offset}


def run_budget(settings: Settings) -> Budget:
    """The memory budget of every run on this server (see :mod:`engine.budget`)."""
    return Budget(pass_bytes=settings.pass_memory_mb * MB, map_values=settings.max_map_values)


def spec_limits(settings: Settings) -> Limits:
    """The size limits a spec must respect on this server, and its runs' budget."""
    return Limits(max_hidden_layers=settings.max_hidden_layers, max_units=settings.max_units,
                  budget=run_budget(settings))


SettingsDep = Annotated[Settings, Depends(_settings)]
RegistryDep = Annotated[RunRegistry, Depends(_registry)]
StoreDep = Annotated[ModelStore, Depends(_store)]
UploadsDep = Annotated[UploadStore, Depends(_uploads)]
NewRunDep = Annotated[None, Depends(count_new_run)]
JobsDep = Annotated[JobTable, Depends(_jobs)]
RunDep = Annotated[RunSlot, Depends(_run)]
ViewerDep = Annotated[Viewer, Depends(_viewer)]
PlayersDep = Annotated[Players, Depends(_players)]
PageDep = Annotated[PageQuery, Depends(_page)]
