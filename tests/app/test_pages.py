"""The page and its static files, and the points the page draws."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.app.conftest import SMALL_SPEC, CheckedClient

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_playground_page_loads_its_modules_from_static(client: CheckedClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<script type="module" src="/static/js/main.js">' in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert 'data-max-hidden-layers="10"' in html
    script = client.get("/static/js/main.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_lab_page_loads_its_modules_from_static(client: CheckedClient) -> None:
    page = client.get("/lab")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<script type="module" src="/static/js/lab_main.js">' in html
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    for src in re.findall(r'(?:src|href)="([^"#]+)"', html):
        assert src == "/" or src.startswith("/static/"), src
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src
    assert 'href="/"' in html  # back to the playground
    assert 'href="/lab"' in client.get("/").text  # and from it


def imports_of(name: str) -> set[str]:
    """The modules a static/js module imports (from "./x.js" lines)."""
    text = (STATIC / "js" / name).read_text()
    return set(re.findall(r'from "\./([a-z0-9_]+\.js)"', text))


def test_every_module_the_pages_load_is_served(client: CheckedClient) -> None:
    # the pages' entry points: <script type="module" src=...> of every template
    entries = {m for path in (STATIC.parent / "templates").glob("*.html")
               for m in re.findall(r'src="/static/js/([a-z0-9_]+\.js)"', path.read_text())}
    assert {"main.js", "lab_main.js", "teacher_main.js", "join.js",
            "language_switch.js"} <= entries
    seen, todo = set(), sorted(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert client.get(f"/static/js/{name}").status_code == 200, name
        todo += imports_of(name)
    assert {"live.js", "network_view.js", "state.js", "frames.js", "lab_kernels.js"} <= seen
    unused = {p.name for p in (STATIC / "js").glob("*.js")} - seen
    assert unused == set(), f"modules nothing imports: {unused}"


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
