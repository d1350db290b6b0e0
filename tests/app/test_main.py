"""Tests for the thin FastAPI app, its settings and its command line."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import cli
from app.deps import run_budget, spec_limits
from app.engine_pool import default_processes
from app.main import create_app
from app.settings import Settings, get_settings
from engine.budget import MB, Budget
from tests.app.conftest import TEST_HOSTS


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path,
                                        allowed_hosts=TEST_HOSTS))) as test_client:
        yield test_client


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Make `get_settings()` re-read the environment, before and after the test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_healthz_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "runs": 0,
        "engine": {"kind": "local", "address": None, "reachable": True, "problem": None,
                   "nodes": 1, "workers": [{"node": "local", "runs": 0}] * default_processes()}}


def test_api_root_describes_server(client: TestClient) -> None:
    response = client.get("/api")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "nnplay"
    assert body["docs"] == "/docs" and body["page"] == "/"


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    for name in ("NNPLAY_HOST", "NNPLAY_PORT", "NNPLAY_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.data_dir.is_absolute() and settings.data_dir.name == "nnplay"


def test_settings_port_from_env(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    monkeypatch.setenv("NNPLAY_PORT", "9123")
    assert get_settings().port == 9123


def test_settings_memory_budget_from_env(monkeypatch: pytest.MonkeyPatch,
                                        fresh_settings: None) -> None:
    for name in ("NNPLAY_PASS_MEMORY_MB", "NNPLAY_MAX_MAP_VALUES"):
        monkeypatch.delenv(name, raising=False)
    assert run_budget(get_settings()) == Budget(128 * MB, 1_000_000)
    get_settings.cache_clear()
    monkeypatch.setenv("NNPLAY_PASS_MEMORY_MB", "64")
    monkeypatch.setenv("NNPLAY_MAX_MAP_VALUES", "200000")
    settings = get_settings()
    assert run_budget(settings) == Budget(64 * MB, 200_000)
    assert spec_limits(settings).budget == Budget(64 * MB, 200_000)


def test_cli_serve_uses_settings_unless_overridden(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None, tmp_path: Path
) -> None:
    calls: list[tuple[str, int]] = []

    def fake_serve(host: str, port: int) -> int:
        calls.append((host, port))
        return 0

    monkeypatch.setattr(cli, "serve", fake_serve)
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(tmp_path))  # the check opens the database
    monkeypatch.setenv("NNPLAY_HOST", "0.0.0.0")
    monkeypatch.setenv("NNPLAY_PORT", "9000")

    assert cli.main(["serve"]) == 0
    assert cli.main(["serve", "--host", "127.0.0.1", "--port", "8080"]) == 0
    assert calls == [("0.0.0.0", 9000), ("127.0.0.1", 8080)]


def test_cli_without_command_fails() -> None:
    with pytest.raises(SystemExit) as excinfo:
        cli.main([])
    assert excinfo.value.code == 2
