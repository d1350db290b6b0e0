"""Fixtures for the browser tests: a real server on loopback and Debian's Chromium
driven by Playwright, with console errors failing the test and a screenshot of
each test under test-output/browser/.

The server is started as `make run` starts it (``python -m app``), with its own
data folder and one engine process; Chromium is ``/usr/bin/chromium`` (``make
test`` installs it), launched headless with the flags this machine needs.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http_checks import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

TEACHER_TOKEN = "browser-tests-teacher"
"""The browser tests' server has the classroom on, with this teacher token."""

playwright_api = pytest.importorskip("playwright.sync_api")


@contextlib.contextmanager
def run_server(settings: dict[str, str] | None = None) -> Iterator[str]:
    """A server started like `make run`, on a free loopback port, with the browser
    tests' settings and then ``settings`` (NNPLAY_... variables); its base URL."""
    port = free_port()
    data = tempfile.TemporaryDirectory()
    # every test's page comes from one address and makes runs (and students join)
    # fast: no rate limit, no limit of runs per client
    env = {**os.environ, "NNPLAY_HOST": "127.0.0.1", "NNPLAY_PORT": str(port),
           "NNPLAY_DATA_DIR": data.name, "NNPLAY_ENGINE_PROCESSES": "1",
           "NNPLAY_RUNS_PER_MINUTE": "100000", "NNPLAY_MAX_RUNS_PER_CLIENT": "100000",
           "NNPLAY_JOINS_PER_MINUTE": "100000", "NNPLAY_CLASS_JOINS_PER_MINUTE": "100000",
           "NNPLAY_TEACHER_TOKEN": TEACHER_TOKEN, **(settings or {})}
    log = open(Path(data.name) / "server.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, alive=lambda: proc.poll() is None, seconds=120,
                      describe=lambda: (Path(data.name) / "server.log").read_text()[-2000:])
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        data.cleanup()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The base URL of a server started like `make run`, on a free loopback port."""
    with run_server() as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                    headless=True)
        yield browser
        browser.close()


class Console:
    """Console errors and uncaught page errors seen during a test."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: object) -> None:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


def _open_page(browser: object, server: str, request: pytest.FixtureRequest,
               bypass_csp: bool) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server,
                                  bypass_csp=bypass_csp)
    page = context.new_page()
    console = Console()
    console.watch(page)
    page.console = console
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert console.errors == [], f"console errors: {console.errors}"


@pytest.fixture
def page(browser: object, server: str, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh 1280 x 800 page on the server; fails the test on any console error
    and saves a screenshot named after the test. Playwright's waiting for a
    condition evaluates strings in the page, which the pages' content-security
    policy forbids, so this page ignores the policy; ``strict_page`` keeps it."""
    yield from _open_page(browser, server, request, bypass_csp=True)


@pytest.fixture
def strict_page(browser: object, server: str,
                request: pytest.FixtureRequest) -> Iterator[object]:
    """As ``page``, with the server's content-security policy enforced: anything
    the policy blocks is a console error and fails the test."""
    yield from _open_page(browser, server, request, bypass_csp=False)


def open_playground(page: object, path: str = "/") -> None:
    """Open the page and wait until it has made its run and drawn a frame."""
    page.goto(path)
    if "#" in path:  # a link to a state: a hash-only change does not reload the page
        page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function("document.getElementById('output').dataset.framesDrawn > 0",
                           timeout=20000)


def sizes_through_resizes(browser: object, server: str, open_page: object,
                          selector: str) -> tuple[list, list, float]:
    """At 125% display scaling: the CSS boxes [[width, height], ...] of the elements
    matching ``selector`` on a page opened by ``open_page(page)``, before and after
    the window is made narrower and wide again, and the root font size (1 rem)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server,
                                  device_scale_factor=1.25, bypass_csp=True)
    page = context.new_page()
    box = ("[...document.querySelectorAll(" + repr(selector) + ")].map((c) => {"
           "const r = c.getBoundingClientRect(); "
           "return [Math.round(r.width), Math.round(r.height)]; })")
    try:
        open_page(page)
        before = page.evaluate(box)
        for width in (1000, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(300)
        after = page.evaluate(box)
        rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    finally:
        context.close()
    return before, after, rem
