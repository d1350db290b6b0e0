"""Fixtures for the REST tests: apps on a temporary data folder, and a client that
fails the test on any 500 answer (no input may make the server answer 500; a 503
for a full model store is a deliberate answer, not a crash)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.frames import decode
from app.main import create_app
from app.registry import RunRegistry
from app.routes.ws import router as ws_router
from app.settings import Settings

TEST_HOSTS = ["testserver"]
"""The host name the test client sends, which a server answers to only when listed
(setting allowed_hosts; see app.trusted_hosts)."""

SMALL_SPEC: dict[str, Any] = {
    "data": {"name": "circle", "n_samples": 200, "noise": 0.05},
    "hidden": [4],
    "activation": "tanh",
    "seed": 1,
}
"""A quick run: 100 training points, one hidden layer of 4 tanh units."""


class CheckedClient(TestClient):
    """A TestClient that fails the test on a 500 answer, showing its body. (Unhandled
    exceptions already fail it: TestClient re-raises them.)"""

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response = super().request(*args, **kwargs)
        assert response.status_code != 500, f"server error: {response.text[:500]}"
        return response


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., FastAPI]:
    """``make_app(**settings)``: an app whose data folder is the test's tmp_path."""

    def make(sweep_seconds: float = 60.0, **overrides: Any) -> FastAPI:
        overrides.setdefault("engine_processes", 0)  # runs in the test process
        overrides.setdefault("allowed_hosts", TEST_HOSTS)
        return create_app(Settings(data_dir=tmp_path, **overrides), sweep_seconds=sweep_seconds)

    return make


@pytest.fixture
def open_client(make_app: Callable[..., FastAPI]) -> Callable[..., Any]:
    """``with open_client(**settings) as client:`` a checked client, lifespan running."""

    @contextmanager
    def opened(**overrides: Any) -> Iterator[CheckedClient]:
        with CheckedClient(make_app(**overrides)) as client:
            yield client

    return opened


@pytest.fixture
def client(open_client: Callable[..., Any]) -> Iterator[CheckedClient]:
    """A checked client on an app with the default limits."""
    with open_client() as test_client:
        yield test_client


@pytest.fixture
def new_run(client: CheckedClient) -> Callable[..., str]:
    """``new_run(spec)`` or ``new_run(lesson=..., variant=...)``: the new run's id."""

    def create(spec: dict[str, Any] | None = None, **body: Any) -> str:
        payload = body if body else {"spec": SMALL_SPEC if spec is None else spec}
        response = client.post("/api/runs", json=payload)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    return create


def only_error(response: httpx.Response) -> dict[str, Any]:
    """The single entry of an error answer's ``detail`` list."""
    detail = response.json()["detail"]
    assert isinstance(detail, list) and len(detail) == 1, detail
    return detail[0]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[TestClient, RunRegistry]]:
    """A bare app with only the websocket route, and its run registry (runs in the
    server process), for the live-view tests."""
    app = FastAPI()
    app.state.settings = Settings(data_dir=tmp_path)
    app.state.registry = RunRegistry(max_runs=10, idle_seconds=600)
    app.include_router(ws_router)
    with TestClient(app) as client:
        yield client, app.state.registry
    app.state.registry.pool.close()


def next_frame(ws: Any) -> tuple[dict, dict]:
    """The next websocket message, which must be a binary frame, decoded."""
    message = ws.receive()
    assert message.get("bytes") is not None, message
    return decode(message["bytes"])
