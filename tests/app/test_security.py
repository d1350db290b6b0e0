"""Security headers on every answer, the API docs without a CDN, the websocket's
Origin check and CORS (off unless configured)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.security import DOCS_POLICY, PAGE_POLICY, origin_allowed
from tests.app.conftest import CheckedClient


@pytest.mark.parametrize("path", ["/", "/lab", "/api/datasets", "/static/js/playground/main.js",
                                  "/api/runs/nope", "/healthz"])
def test_every_answer_has_the_security_headers(client: CheckedClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def assert_page_policy(headers: Any) -> None:
    """The pages' strict policy and the other security headers are on an answer."""
    assert headers["content-security-policy"] == PAGE_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_errors_made_outside_the_routes_have_the_security_headers(
        open_client: Callable[..., Any]) -> None:
    with open_client(max_request_bytes=1024) as client:
        too_large = client.post("/api/runs", content=b"{" + b" " * 2000 + b"}",
                                headers={"content-type": "application/json"})
        assert too_large.status_code == 413
        assert_page_policy(too_large.headers)
        nan = client.post("/api/runs", content=b'{"spec": NaN}',
                          headers={"content-type": "application/json"})
        assert nan.status_code == 422
        assert_page_policy(nan.headers)
        wrong_host = client.get("/api/datasets", headers={"host": "rebound.example"})
        assert wrong_host.status_code == 400
        assert_page_policy(wrong_host.headers)


def test_the_last_resort_500_has_the_security_headers(make_app: Callable[..., Any]) -> None:
    app = make_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a deliberate bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert_page_policy(response.headers)


@pytest.mark.parametrize("path", ["/docs/oauth2-redirect", "/docsx", "/docs/anything",
                                  "/docs/"])
def test_only_the_docs_page_itself_gets_the_relaxed_policy(client: CheckedClient,
                                                           path: str) -> None:
    assert client.get(path, follow_redirects=False).headers["content-security-policy"] \
        == PAGE_POLICY
    assert client.get("/docs").headers["content-security-policy"] == DOCS_POLICY


def test_api_docs_come_from_this_server(client: CheckedClient) -> None:
    page, asset = "/docs", "/static-docs/swagger-ui-bundle.js"
    answer = client.get(page)
    assert answer.status_code == 200
    assert "https://" not in answer.text and "cdn" not in answer.text.lower()
    assert asset in answer.text and client.get(asset).status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in answer.headers["content-security-policy"]
    assert client.get("/redoc").status_code == 404


@pytest.mark.parametrize(("origin", "host", "allowed", "ok"), [
    (None, "localhost:8000", [], True),
    ("http://localhost:8000", "localhost:8000", [], True),
    ("http://evil.example", "localhost:8000", [], False),
    ("http://localhost:9000", "localhost:8000", [], False),
    ("https://school.example", "localhost:8000", ["https://school.example"], True),
])
def test_origin_allowed(origin: str | None, host: str, allowed: list[str], ok: bool) -> None:
    assert origin_allowed(origin, host, allowed) is ok


def test_websocket_from_another_site_is_refused(client: CheckedClient,
                                                new_run: Callable[..., str]) -> None:
    run_id = new_run()
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
            f"/ws/runs/{run_id}", headers={"origin": "http://evil.example"}) as ws:
        ws.receive()
    assert refused.value.code == 4403
    with client.websocket_connect(f"/ws/runs/{run_id}",
                                  headers={"origin": "http://testserver"}) as ws:
        assert ws.receive().get("bytes")  # the first frame


def test_cors_is_off_by_default_and_follows_the_setting(
        open_client: Callable[..., Any]) -> None:
    preflight = {"origin": "https://school.example", "access-control-request-method": "POST"}
    with open_client() as plain:
        answer = plain.options("/api/runs", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers
    with open_client(allowed_origins=["https://school.example"]) as shared:
        answer = shared.options("/api/runs", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "https://school.example"
        got = shared.get("/api/datasets", headers={"origin": "https://school.example"})
        assert got.headers["access-control-allow-origin"] == "https://school.example"


def test_run_creation_is_rate_limited_per_client(open_client: Callable[..., Any]) -> None:
    spec = {"spec": {"data": {"name": "xor", "n_samples": 40}, "hidden": [2]}}
    with open_client(runs_per_minute=3) as limited:
        for _ in range(3):
            assert limited.post("/api/runs", json=spec).status_code == 201
        refused = limited.post("/api/runs", json=spec)
        assert refused.status_code == 429
        assert refused.json()["detail"][0]["type"] == "rate_runs"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        saved = limited.post("/api/models/import", json={"model_id": "nope"})
        assert saved.status_code == 429  # opening a model makes a run too
        assert limited.get("/api/datasets").status_code == 200  # the rest still answers
