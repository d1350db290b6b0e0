"""The address a client is counted by: X-Forwarded-For believed only from the
proxies of the setting ``trusted_proxies`` (on a real server started as `make
run` starts it, and in the app), and an IPv6 client counted by its /64."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from app.settings import Settings
from tests.app.conftest import CheckedClient
from tests.http_checks import running_server

SPEC = {"spec": {"data": {"name": "xor", "n_samples": 40}, "hidden": [2]}}


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[str]:
    """A server started as `make run` starts it, allowing 2 runs per client a
    minute; its base URL."""
    env = {k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"}
    with running_server(tmp_path, env, NNPLAY_ENGINE_PROCESSES="0",
                        NNPLAY_RUNS_PER_MINUTE="2") as base:
        yield base


def test_a_made_up_forwarded_for_header_does_not_make_a_new_client(real_server: str):
    """Uvicorn believes X-Forwarded-For from 127.0.0.1 by default; the server must
    not, or a client on the same machine (or behind a local proxy that passes the
    header on) gets a fresh allowance with every made-up address."""
    with httpx.Client(base_url=real_server, timeout=30) as client:
        answers = [client.post("/api/runs", json=SPEC,
                               headers={"X-Forwarded-For": f"198.51.100.{i}"})
                   for i in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429], answers[-1].text


@pytest.fixture
def app_from(make_app: Callable[..., FastAPI]) -> Callable[..., Any]:
    """``app_from(peer, **settings)``: a client connecting from address ``peer``."""
    opened: list[CheckedClient] = []

    def client(peer: str, **settings: Any) -> CheckedClient:
        made = CheckedClient(make_app(**settings), client=(peer, 40000))
        opened.append(made.__enter__())
        return made

    yield client
    for made in opened:
        made.__exit__(None, None, None)


def run_statuses(client: CheckedClient, forwarded: list[str]) -> list[int]:
    """The statuses of creating a run once per entry, sending it as X-Forwarded-For
    (nothing for "")."""
    return [client.post("/api/runs", json=SPEC,
                        headers={"X-Forwarded-For": f} if f else {}).status_code
            for f in forwarded]


def test_forwarded_for_is_believed_from_a_trusted_proxy_only(app_from: Callable[..., Any]):
    proxy = app_from("10.0.0.5", runs_per_minute=2, trusted_proxies=["10.0.0.0/24"])
    # each client behind the proxy has its own allowance: the rightmost address
    # that is not a trusted proxy is the client
    assert run_statuses(proxy, ["198.51.100.1", "198.51.100.2", "198.51.100.3",
                                "203.0.113.9, 198.51.100.1, 10.0.0.7"]) == [201, 201, 201, 201]
    assert run_statuses(proxy, ["198.51.100.1"]) == [429]  # its third in the minute
    direct = app_from("192.0.2.7", runs_per_minute=2, trusted_proxies=["10.0.0.0/24"])
    assert run_statuses(direct, ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) == [
        201, 201, 429]  # not a proxy: the header is the client's own words


def same_app(client: CheckedClient, peer: str) -> CheckedClient:
    """Another client of the same app, connecting from ``peer``."""
    return CheckedClient(client.app, client=(peer, 40001))


def test_an_ipv6_client_counts_by_its_64_network(app_from: Callable[..., Any]):
    first = app_from("2001:db8:1:2::1", runs_per_minute=2)
    assert run_statuses(first, ["", ""]) == [201, 201]
    same_64 = same_app(first, "2001:db8:1:2:ffff::9")
    assert run_statuses(same_64, [""]) == [429]
    assert run_statuses(same_app(first, "2001:db8:1:3::1"), [""]) == [201]
    assert run_statuses(same_app(first, "::ffff:192.0.2.7"), ["", ""]) == [201, 201]
    assert run_statuses(same_app(first, "192.0.2.7"), [""]) == [429]  # the same IPv4 client


@pytest.mark.parametrize("bad", ["proxy.example", "10.0.0.300", "10.0.0.0/40"])
def test_a_trusted_proxy_must_be_an_address_or_network(tmp_path: Path, bad: str):
    with pytest.raises(ValidationError, match="trusted_proxies") as refused:
        Settings(data_dir=tmp_path, trusted_proxies=[bad])
    assert "is not an IP address or network" in str(refused.value)
