"""The page and its static files, and the points the page draws."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path

from tests.app.conftest import SMALL_SPEC, CheckedClient

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_playground_page_loads_its_modules_from_static(client: CheckedClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<script type="module" src="/static/js/playground/main.js">' in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert 'data-max-hidden-layers="10"' in html
    script = client.get("/static/js/playground/main.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_lab_page_loads_its_modules_from_static(client: CheckedClient) -> None:
    page = client.get("/lab")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<script type="module" src="/static/js/lab/main.js">' in html
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    for src in re.findall(r'(?:src|href)="([^"#]+)"', html):
        assert src == "/" or src.startswith("/static/"), src
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src
    assert 'href="/"' in html  # back to the playground
    assert 'href="/lab"' in client.get("/").text  # and from it


def imports_of(path: str) -> set[str]:
    """The modules a static/js module imports (its relative `from "./x.js"` or
    `from "../folder/x.js"` lines), as paths under static/js."""
    text = (STATIC / "js" / path).read_text()
    here = posixpath.dirname(path)
    return {posixpath.normpath(posixpath.join(here, spec))
            for spec in re.findall(r'from "(\.{1,2}/[a-z0-9_/]+\.js)"', text)}


def test_every_module_the_pages_load_is_served(client: CheckedClient) -> None:
    # the pages' entry points: each page's {% block entry %} (the base template's
    # <script type="module" src="/static/js/...">) and the partials' scripts
    entries = {m for path in (STATIC.parent / "templates").glob("*.html")
               for m in re.findall(r'(?:\{% block entry %\}|src="/static/js/)([a-z0-9_/]+\.js)',
                                   path.read_text())}
    assert {"playground/main.js", "lab/main.js", "classroom/teacher.js", "classroom/join.js",
            "common/language_switch.js"} <= entries
    seen, todo = set(), sorted(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert (STATIC / "js" / name).is_file(), f"{name} is imported but does not exist"
        assert client.get(f"/static/js/{name}").status_code == 200, name
        todo += imports_of(name)
    assert {"common/live.js", "network/view.js", "state/state.js", "common/frames.js",
            "lab/kernels.js"} <= seen
    every = {p.relative_to(STATIC / "js").as_posix() for p in (STATIC / "js").rglob("*.js")}
    assert every - seen == set(), f"modules nothing imports: {every - seen}"


def test_modules_live_in_folders_named_for_their_page_or_part() -> None:
    """static/js has no loose modules: each sits in a folder for its page
    (playground, lab, classroom) or the part it is (charts, network, ...)."""
    js = STATIC / "js"
    assert sorted(p.name for p in js.glob("*.js")) == []
    folders = {p.name for p in js.iterdir() if p.is_dir()}
    assert {"playground", "lab", "classroom", "common", "charts", "network"} <= folders
    assert all(any((js / f).glob("*.js")) for f in folders)


def test_static_files_are_not_served_outside_the_folder(client: CheckedClient) -> None:
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/js/nope.js").status_code == 404


def test_points_are_the_plotted_data(client: CheckedClient,
                                     new_run: Callable[..., str]) -> None:
    run_id = new_run(SMALL_SPEC)
    points = client.get(f"/api/runs/{run_id}/points").json()
    assert points["dims"] == 2 and points["task"] == "binary" and points["classes"] == 2
    assert len(points["train"]) == 100 and len(points["test"]) == 100
    assert all(len(row) == 3 and row[2] in (0, 1) for row in points["train"])
    xmin, xmax, ymin, ymax = points["extent"]
    assert all(xmin <= x <= xmax and ymin <= y <= ymax for x, y, _ in points["train"])
    assert points["features"] == ["x1", "x2"]


def test_points_of_one_dimensional_regression(client: CheckedClient,
                                              new_run: Callable[..., str]) -> None:
    run_id = new_run({"data": {"name": "sine", "n_samples": 60}, "hidden": [3]})
    points = client.get(f"/api/runs/{run_id}/points").json()
    assert points["dims"] == 1 and points["task"] == "regression"
    assert points["classes"] is None and len(points["extent"]) == 2
    assert all(len(row) == 2 for row in points["train"] + points["test"])
    assert len(points["train"]) + len(points["test"]) == 60


def test_points_of_an_unknown_run_are_404(client: CheckedClient) -> None:
    assert client.get("/api/runs/nope/points").status_code == 404
