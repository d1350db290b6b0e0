"""The pages under their content-security policy (a violation is a console error,
which fails the test), and the API documentation served by this server (no CDN)."""

from __future__ import annotations

import time

import pytest


def wait_until(page: object, expression: str, seconds: float = 20.0) -> None:
    """Poll an expression from outside the page (waiting inside it would need the
    string evaluation the policy forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"not true within {seconds} s: {expression}"
        time.sleep(0.1)


@pytest.mark.parametrize(("path", "drawn"), [
    ("/", "Number(document.getElementById('output').dataset.framesDrawn || 0) > 2"),
    ("/lab#lesson=convolution",
     "document.querySelectorAll('canvas').length > 10 && document.body.dataset.ready"),
], ids=["playground", "lab"])  # the ids name the screenshots
def test_pages_work_under_their_policy(strict_page: object, path: str, drawn: str) -> None:
    strict_page.goto(path)
    strict_page.wait_for_selector("body[data-ready=true]", timeout=20000)
    strict_page.keyboard.press("Space")  # play: frames arrive over the websocket
    wait_until(strict_page, drawn)
    time.sleep(1.0)


def test_api_docs_render_from_this_server(strict_page: object, server: str) -> None:
    requested: list[str] = []
    strict_page.on("request", lambda r: requested.append(r.url))
    strict_page.goto("/docs")
    strict_page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert "runs" in strict_page.content()
    assert requested and all(url.startswith(server) for url in requested), requested
