"""The host names the server answers to: its own, not another site's rebound name."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from app.settings import Settings
from app.trusted_hosts import HostNames, host_name, machine_names, served_names
from tests.app.conftest import only_error


@pytest.mark.parametrize(("header", "name"), [
    ("localhost:8000", "localhost"),
    ("Laptop.School.Example", "laptop.school.example"),
    ("laptop.local.:8000", "laptop.local"),
    ("192.168.1.20:8000", "192.168.1.20"),
    ("[::1]:8000", "::1"),
    ("[fe80::1]", "fe80::1"),
    ("[::1", None),
    ("evil.example:80:81", None),
    ("evil.example:http", None),
    ("localhost@evil.example", "localhost@evil.example"),
    ("", None),
])
def test_host_name_of_a_header(header: str, name: str | None) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(("header", "ok"), [
    ("localhost:8000", True),
    ("class.localhost", True),
    ("127.0.0.1:8000", True),
    ("192.168.1.20:8000", True),  # a student typing the laptop's address
    ("[::1]:8000", True),
    ("10.0.0.5", True),
    (None, True),  # no Host header: an HTTP/1.0 program, never a browser
    ("rebound.example:8000", False),  # a page of another site, its name rebound
    ("localhost.evil.example", False),
    ("localhost@evil.example", False),
    ("testserver", False),
    ("laptop.school.example", True),
    ("LAPTOP.school.example:8000", True),
    ("a.lab.school.example", True),
    ("lab.school.example", False),  # "*.lab..." is the names under it, not itself
    ("school.example", False),
])
def test_the_names_a_server_answers_to(header: str | None, ok: bool) -> None:
    names = HostNames(["laptop.school.example", "*.lab.school.example"])
    assert names.allows(header) is ok


def test_the_listen_address_is_a_name_too_when_it_is_one() -> None:
    assert served_names(Settings(host="nnplay.school.example")).allows(
        "nnplay.school.example:8000")
    assert not served_names(Settings(host="0.0.0.0")).allows("nnplay.school.example:8000")
    assert served_names(Settings(host="0.0.0.0")).allows("192.168.1.20:8000")
    assert served_names(Settings(allowed_hosts=["*"])).allows("anything.example")


def test_the_machine_s_own_names_are_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    own = socket.gethostname()
    names = served_names(Settings(host="0.0.0.0"))
    assert names.allows(f"{own}:8000") and names.allows(own.split(".")[0] + ".local")
    monkeypatch.setattr(socket, "gethostname", lambda: "Laptop.School.Example")
    assert machine_names() == ["laptop.school.example", "laptop", "laptop.local"]
    named = served_names(Settings(host="0.0.0.0"))
    assert named.allows("laptop:8000") and named.allows("LAPTOP.local")
    assert not named.allows("school.example") and not named.allows("laptop.evil.example")
    monkeypatch.setattr(socket, "gethostname", lambda: "")
    assert machine_names() == []


@pytest.mark.parametrize("entry", ["http://laptop.local", "laptop.local:8000", "laptop.local/",
                                   "", "*laptop.local", "lap*.local", "laptop..local"])
def test_a_setting_that_is_not_a_host_name_is_refused(entry: str) -> None:
    with pytest.raises(ValidationError, match="not a host name"):
        Settings(allowed_hosts=[entry])


def test_a_request_to_another_host_is_400_naming_the_header(
        open_client: Callable[..., Any]) -> None:
    with open_client(host="0.0.0.0") as client:
        refused = client.get("/api/datasets", headers={"host": "rebound.example:8000"})
        assert refused.status_code == 400
        error = only_error(refused)
        assert error["loc"] == ["header", "host"] and error["type"] == "host_not_allowed"
        assert "rebound.example:8000" in error["msg"] and "NNPLAY_ALLOWED_HOSTS" in error["msg"]
        posted = client.post("/api/runs", json={"lesson": "xor-two-relu"},
                             headers={"host": "rebound.example"})
        assert posted.status_code == 400
        assert client.get("/healthz").json()["runs"] == 0  # nothing was made
        for host in ("192.168.1.20:8000", "localhost:8000", "[::1]:8000"):
            assert client.get("/api/datasets", headers={"host": host}).status_code == 200


def test_a_websocket_to_another_host_never_opens(open_client: Callable[..., Any]) -> None:
    with open_client() as client:
        run_id = client.post("/api/runs", json={"lesson": "xor-two-relu"}).json()["id"]
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
                f"/ws/runs/{run_id}", headers={"host": "rebound.example"}) as ws:
            ws.receive()
        assert refused.value.code == 4403
        with client.websocket_connect(f"/ws/runs/{run_id}",
                                      headers={"host": "127.0.0.1:8000"}) as ws:
            assert ws.receive().get("bytes")  # the first frame
