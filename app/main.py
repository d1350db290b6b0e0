"""The FastAPI application: kept thin, it creates the app and wires everything in.

``create_app(settings)`` builds an app whose lifespan holds the run registry, the
saved-model store, the background jobs and the live players, and sweeps idle
runs in the background. ``app`` is the one the server runs (``python -m app`` or
``nnplay serve``). The REST API is under ``/api`` and described at ``/docs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from app import __version__, errors
from app.addresses import trust_proxies
from app.class_store import ClassStore
from app.classroom import Classroom
from app.engine_pool import make_pool
from app.jobs import JobTable
from app.live import Players
from app.rate_limit import PerMinute
from app.registry import RunRegistry
from app.routes import (
    catalogue,
    class_ws,
    classes,
    jobs,
    models,
    pages,
    runs,
    teacher_pages,
    uploads,
    ws,
)
from app.schemas import Health
from app.security import headers_on_every_answer
from app.settings import Settings, get_settings
from app.store import ModelStore
from app.teacher_sessions import COOKIE_AGE, TeacherSessions
from app.trusted_hosts import HostGuard, served_names
from app.upload_store import UploadStore

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0
"""How often runs idle longer than the setting run_idle_seconds are dropped."""

DESCRIPTION = """A live neural-network playground for the classroom.

Create a run from a spec or a lesson, train it, look inside it (snapshot, or just
its weights and biases: params), edit a weight, and save it as a named model.
Errors answer with a 4xx whose `detail` lists the offending field in `loc`, as
FastAPI's own validation errors do; each operation lists the errors it can
answer. Lists answer a page (`items`, `total`, `limit`, `offset`), and what a
request creates is at its answer's `Location`.
The live view is a websocket, `/ws/runs/{run_id}` (see docs/protocol.md).
"""

TAGS = [
    {"name": "health", "description": "Whether the server answers, and what it is."},
    {"name": "catalogue", "description": "What a spec may name, and the lessons."},
    {"name": "runs", "description": "Runs held in memory: train, inspect, edit."},
    {"name": "models", "description": "Saved models, kept in SQLite across restarts."},
    {"name": "uploads", "description": "Your own data: CSV files of 2-D points."},
    {"name": "live", "description": "The websocket that streams frames."},
    {"name": "classroom", "description": "A teacher's classes: join codes, the class "
     "table, lessons pushed to every student. Off unless NNPLAY_TEACHER_TOKEN is set."},
]


def operation_id(route: APIRoute) -> str:
    """An operation's id in the OpenAPI description (and so a generated client's
    method name): its endpoint function's name, e.g. ``create_run``."""
    return route.name


def sweep(app: FastAPI) -> list[str]:
    """Drop idle runs (and forget their jobs); returns the dropped ids."""
    dropped = app.state.registry.sweep()
    app.state.jobs.forget_runs_except({slot.id for slot in app.state.registry.slots()})
    if dropped:
        log.info("dropped %d idle run(s)", len(dropped))
    return dropped


async def _sweep_forever(app: FastAPI, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            sweep(app)
        except Exception:  # the sweeper must outlive any one bad sweep
            log.exception("sweeping idle runs failed")


def create_app(settings: Settings | None = None, sweep_seconds: float = SWEEP_SECONDS) -> FastAPI:
    """The application for ``settings`` (default: read from the environment)."""
    settings = settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = make_pool(settings.engine, settings.engine_processes, settings.frame_batch)
        registry = RunRegistry(settings.max_runs, settings.run_idle_seconds, pool,
                               max_per_client=settings.max_runs_per_client,
                               slice_seconds=settings.compute_slice_ms / 1000)
        app.state.registry = registry
        app.state.store = ModelStore(settings.database_path, max_models=settings.max_models,
                                     max_per_client=settings.max_models_per_client)
        app.state.uploads = UploadStore(settings.database_path, max_uploads=settings.max_uploads,
                                        max_per_client=settings.max_uploads_per_client)
        app.state.jobs = JobTable()
        app.state.players = Players(settings, registry)
        if settings.teacher_token is not None:  # the classroom is on
            app.state.classes = ClassStore(settings.database_path, settings.max_classes,
                                           settings.max_students)
            app.state.classroom = Classroom(app.state.classes, registry, app.state.players)
            app.state.teacher_sessions = TeacherSessions(
                settings.database_path, settings.teacher_token.get_secret_value(), COOKIE_AGE)
        sweeper = asyncio.create_task(_sweep_forever(app, sweep_seconds))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await app.state.players.close()
            app.state.jobs.shutdown()
            pool.close()
            app.state.store.close()

    # the API docs' viewer comes from the fastapi-offline package, not a CDN
    # (no ReDoc page: its bundle fetches a logo from its makers' site)
    app = FastAPIOffline(title="nnplay", version=__version__, description=DESCRIPTION,
                         openapi_tags=TAGS, lifespan=lifespan, static_url="/static-docs",
                         favicon_url="/static/favicon.svg", redoc_url=None,
                         generate_unique_id_function=operation_id)
    app.state.settings = settings
    app.state.run_rate = PerMinute(settings.runs_per_minute, "rate_runs")
    app.state.join_rate = PerMinute(settings.joins_per_minute, "rate_joins", ["body", "code"])
    app.state.class_join_rate = PerMinute(settings.class_joins_per_minute, "rate_class_joins",
                                          ["body", "code"])
    app.state.teacher_failures = PerMinute(settings.teacher_failures_per_minute,
                                           "rate_teacher_failures", ["header", "authorization"])
    if settings.allowed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins,
                           allow_methods=["*"], allow_headers=["*"])
    errors.install(app, settings.max_request_bytes, settings.max_json_depth)
    trust_proxies(app, settings.trusted_proxies)
    app.add_middleware(HostGuard, names=served_names(settings))  # before reading a body
    headers_on_every_answer(app)  # outermost: on every answer, errors included
    for router in (catalogue.router, runs.router, jobs.router, models.router, uploads.router,
                   ws.router, classes.router, class_ws.router, pages.router,
                   teacher_pages.router):
        app.include_router(router)
    app.mount("/static", pages.static_files(), name="static")

    @app.get("/healthz", response_model=Health, tags=["health"], summary="Liveness check",
             responses={503: {"model": Health, "description": "The engine cannot take runs: "
                                                           "its Ray cluster is out of reach, "
                                                           "or has no engine worker left"}})
    async def get_health(request: Request, response: Response) -> dict[str, object]:
        """Whether the server can serve runs, and its engine: its kind (local or ray),
        its nodes, and its workers with the runs each holds. 503 (status
        ``engine_unreachable`` or ``engine_unavailable``) while a Ray cluster cannot
        be reached or has no worker left."""
        engine = request.app.state.registry.pool.describe()
        status = ("engine_unreachable" if not engine["reachable"]
                  else "engine_unavailable" if not engine["workers"] else "ok")
        if status != "ok":
            response.status_code = 503
        return {"status": status, "runs": len(request.app.state.registry), "engine": engine}

    @app.get("/api", tags=["health"], summary="What this server is")
    async def get_server_info() -> dict[str, str]:
        """Name, version, and where the page, the API docs and the live socket are."""
        return {"name": "nnplay", "version": __version__, "page": "/", "docs": "/docs",
                "live": "/ws/runs/{run_id}"}

    return app


app = create_app()
