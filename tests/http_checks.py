"""Checks of a running nnplay server reached only over HTTP, shared by the tests of
an installed wheel (tests/test_wheel.py) and of the Docker image (tests/test_image.py),
and the waits of every test that starts a server.

- :func:`crawl_pages` fetches the pages and every file they load, as a browser
  would: the ``<script>``, ``<link>`` and ``<img>`` addresses of the HTML, the ES
  module imports of each script (recursively), the ``url()`` and ``@import`` of each
  style sheet, and the language catalogues that ``static/js/common/i18n.js`` fetches.
- :func:`save_model` and :func:`read_model` save a lesson's run as a model through
  the REST API and read it back, to show a model outlives a restart.

Nothing here knows how the server was started, so the same checks run against a
virtualenv's ``nnplay serve`` and against a container's published port.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]

PAGES = ("/", "/lab", "/teacher", "/join")
"""Every page; /teacher and /join exist only with a teacher token set."""

TEACHER_TOKEN = "packaging-tests-teacher"
"""A teacher token (8+ characters) for servers under test, so every page exists."""

ASSET_TAGS = {"script": "src", "link": "href", "img": "src", "source": "src"}
"""HTML elements whose address the browser loads by itself (``<a>`` links it does not)."""

JS_IMPORTS = (
    # import { a, b } from "./x.js";  export { c } from "./y.js";  (over several lines too)
    re.compile(r"^\s*(?:import|export)\b[^;'\"]*?\bfrom\s*[\"']([^\"']+)[\"']", re.M),
    re.compile(r"^\s*import\s*[\"']([^\"']+)[\"']", re.M),  # import "./side-effect.js";
    re.compile(r"\bimport\(\s*[\"']([^\"']+)[\"']\s*\)"),  # import("./lazy.js")
)
CSS_URLS = (
    re.compile(r"@import\s+(?:url\()?\s*[\"']?([^\"')\s;]+)"),
    re.compile(r"url\(\s*[\"']?([^\"')]+?)[\"']?\s*\)"),
)


class _AssetParser(HTMLParser):
    """Collects the loaded addresses of a page and the language of its ``<html>``."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        name = ASSET_TAGS.get(tag)
        if name and values.get(name):
            self.addresses.append(values[name] or "")


def page_assets(html: str) -> tuple[list[str], str | None]:
    """The addresses a page loads by itself and its ``<html lang>``."""
    parser = _AssetParser()
    parser.feed(html)
    return parser.addresses, parser.lang


def module_imports(source: str) -> list[str]:
    """The specifiers of an ES module's static and dynamic imports and re-exports."""
    return [m.group(1) for pattern in JS_IMPORTS for m in pattern.finditer(source)]


def css_references(source: str) -> list[str]:
    """The addresses a style sheet loads (``url()``, ``@import``), data: URLs left out."""
    found = {m.group(1) for pattern in CSS_URLS for m in pattern.finditer(source)}
    return sorted(ref for ref in found if not ref.startswith(("data:", "#")))


def catalogue_addresses(lang: str, i18n_js: str) -> list[str]:
    """The catalogue files the page script fetches for ``lang``: the address template
    and the PARTS list, both read from the served ``static/js/common/i18n.js``."""
    parts = re.search(r"const\s+PARTS\s*=\s*\[([^\]]*)\]", i18n_js)
    template = re.search(r"fetch\(\s*`([^`]*\$\{part\}[^`]*)`", i18n_js)
    assert parts and template, "static/js/common/i18n.js no longer reads as this test expects"
    names = re.findall(r"[\"']([^\"']+)[\"']", parts.group(1))
    return [template.group(1).replace("${lang}", lang).replace("${part}", name)
            for name in names]


@dataclass
class Crawl:
    """What :func:`crawl_pages` fetched: each address with its status, and the
    languages the pages were rendered in."""

    status: dict[str, int] = field(default_factory=dict)
    languages: set[str] = field(default_factory=set)

    def failures(self) -> dict[str, int]:
        """The addresses that did not answer 200."""
        return {url: code for url, code in self.status.items() if code != 200}


def crawl_pages(client: httpx.Client, pages: Iterable[str] = PAGES,
                languages: Iterable[str] = ("en", "zh-Hant")) -> Crawl:
    """Fetch every page in every language (``?lang=``) and, recursively, every file
    they load; the client's base URL is the server's. JSON catalogues must parse to
    objects and scripts must come as JavaScript, else they count as failures (-1)."""
    crawl = Crawl()
    queue: list[str] = []
    for page in pages:
        for language in languages:
            address = f"{page}?lang={language}"
            response = client.get(address)
            crawl.status[address] = response.status_code
            if response.status_code != 200:
                continue
            found, lang = page_assets(response.text)
            if lang:
                crawl.languages.add(lang)
            queue += [urljoin(page, ref) for ref in found]
    i18n_js = None
    while queue:
        address = queue.pop()
        if address in crawl.status:
            continue
        split = urlsplit(address)
        assert not split.scheme and not split.netloc, f"a page loads {address} from elsewhere"
        response = client.get(address)
        crawl.status[address] = response.status_code
        if response.status_code != 200:
            continue
        kind = response.headers.get("content-type", "")
        if split.path.endswith(".js"):
            if "javascript" not in kind:
                crawl.status[address] = -1
            queue += [urljoin(address, ref) for ref in module_imports(response.text)]
            if split.path.endswith("/i18n.js"):
                i18n_js = response.text
        elif split.path.endswith(".css"):
            queue += [urljoin(address, ref) for ref in css_references(response.text)]
    assert i18n_js is not None, "no page loads static/js/common/i18n.js"
    for lang in sorted(crawl.languages - {"en"}):
        for address in catalogue_addresses(lang, i18n_js):
            response = client.get(address)
            crawl.status[address] = response.status_code
            if response.status_code == 200 and not isinstance(_json_or_none(response), dict):
                crawl.status[address] = -1
    return crawl


def _json_or_none(response: httpx.Response) -> Any:
    """The response's JSON, or None when it is not JSON."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def tracked_catalogues(lang: str = "zh-Hant") -> set[str]:
    """The addresses of the checkout's catalogue files for ``lang``."""
    folder = ROOT / "static" / "i18n" / lang
    return {f"/static/i18n/{lang}/{path.name}" for path in folder.glob("*.json")}


def assert_pages_complete(client: httpx.Client) -> Crawl:
    """Crawl every page in both languages and fail on anything but 200, on a page
    not rendered in Traditional Chinese when asked, or on a catalogue file of the
    checkout that the pages never fetch."""
    crawl = crawl_pages(client)
    assert not crawl.failures(), f"not served: {crawl.failures()}"
    assert "zh-Hant" in crawl.languages, "no page rendered in Traditional Chinese"
    missed = tracked_catalogues() - set(crawl.status)
    assert not missed, f"catalogue files the pages never fetch: {sorted(missed)}"
    scripts = [url for url in crawl.status if url.endswith(".js")]
    assert len(scripts) > 10, f"only {len(scripts)} scripts found: is the crawl broken?"
    return crawl


def without_settings(env: Mapping[str, str], **extra: str) -> dict[str, str]:
    """``env`` without nnplay's own settings (NNPLAY_...), which a test sets itself,
    plus ``extra``."""
    return {**{k: v for k, v in env.items() if not k.startswith("NNPLAY_")}, **extra}


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it
    started (a server and its engine processes, make and its server)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def run_alone(argv: list[str], timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``subprocess.run`` with text output captured, in a process group of its own
    that is stopped whole if it outlives ``timeout`` (then the test fails)."""
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True, **kwargs) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_group(proc)
            raise
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def free_port() -> int:
    """A TCP port free on the loopback address just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, env: Mapping[str, str], **settings: str) -> Iterator[str]:
    """A server started as `make run` starts it (``python -m app``, from this
    checkout) on a free loopback port with ``env`` less nnplay's own settings, plus
    ``settings`` (``NNPLAY_...``) and its data in ``data_dir``; yields its base URL
    once it answers, and stops it (and its engine processes) afterwards."""
    port = free_port()
    env = without_settings(env, NNPLAY_PORT=str(port), NNPLAY_DATA_DIR=str(data_dir),
                           **settings)
    log = data_dir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, alive=lambda: proc.poll() is None, seconds=120,
                      describe=lambda: log.read_text()[-2000:])
        yield base
    finally:
        stop_group(proc)


def wait_until_up(base_url: str, alive: Callable[[], bool], seconds: float = 60,
                  describe: Callable[[], str] = lambda: "") -> None:
    """Poll ``/healthz`` until it answers 200; fail when ``alive()`` turns False
    (the server died) or after ``seconds``, with ``describe()`` (e.g. its log)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert alive(), f"the server stopped before answering:\n{describe()}"
        assert time.monotonic() < deadline, \
            f"no answer from {base_url}/healthz within {seconds:.0f} s:\n{describe()}"
        time.sleep(0.25)


def save_model(client: httpx.Client, name: str, lesson: str = "dead-relu") -> str:
    """Create a run of ``lesson``, train it a little, save it as ``name``; its model id."""
    created = client.post("/api/runs", json={"lesson": lesson})
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]
    trained = client.post(f"/api/runs/{run_id}/train", json={"steps": 20})
    assert trained.status_code == 200, trained.text
    saved = client.post(f"/api/runs/{run_id}/save", json={"name": name})
    assert saved.status_code == 201, saved.text
    assert saved.json()["name"] == name
    return saved.json()["id"]


def listed_models(client: httpx.Client) -> list[dict[str, Any]]:
    """The saved models' listings (the first page, newest first)."""
    response = client.get("/api/models", params={"limit": 200})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def read_model(client: httpx.Client, model_id: str, name: str) -> dict[str, Any]:
    """The saved record of ``model_id``, checked to be listed under ``name`` and to
    hold a trained network's weights."""
    assert name in [m["name"] for m in listed_models(client) if m["id"] == model_id]
    response = client.get(f"/api/models/{model_id}")
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["format"] == "nnplay-model" and record["step"] > 0
    assert record["params"], "the record has no weights"
    return record
