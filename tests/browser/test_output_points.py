"""The output map's points in headless Chromium (static/js/output/point_layer.js,
point_legend.js): training points filled, test points hollow rings, a legend
saying so, and few points (XOR's four) drawn large enough to see.
"""

from __future__ import annotations

import math
from typing import Any

from tests.browser.conftest import SHOTS
from tests.browser.test_network_fit import open_state

CLASS_RGB = {0: (0, 114, 178), 1: (230, 159, 0)}  # palette.js CLASS_COLORS

PIXELS = """async () => {
  const canvas = document.getElementById('output');
  const run = canvas.dataset.run;
  const points = await (await fetch(`/api/runs/${run}/points`)).json();
  const [x, y, w, h] = canvas.dataset.plot.split(',').map(Number);
  const ratio = canvas.width / canvas.clientWidth;
  const ctx = canvas.getContext('2d');
  const at = (px, py) => Array.from(ctx.getImageData(Math.floor(px * ratio),
    Math.floor(py * ratio), 1, 1).data.slice(0, 3));
  const [xmin, xmax, ymin, ymax] = points.extent;
  const place = (row) => [x + (row[0] - xmin) / (xmax - xmin) * w,
    y + (ymax - row[1]) / (ymax - ymin) * h];
  const radius = Number(canvas.dataset.pointRadius);
  const all = points.train.concat(points.test).map(place);
  const near = (p) => all.filter((q) => Math.hypot(p[0] - q[0], p[1] - q[1]) < 3 * radius);
  const alone = (p) => near(p).length === 1
    && p[0] > x + 2 * radius && p[0] < x + w - 2 * radius
    && p[1] > y + 2 * radius && p[1] < y + h - 2 * radius;
  const look = (row) => {
    const [px, py] = place(row);
    const ring = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => at(px + radius * Math.cos(k * Math.PI / 4),
      py + radius * Math.sin(k * Math.PI / 4)));
    return {label: row[2], centre: at(px, py), ring};
  };
  return {
    radius,
    train: points.train.filter((r) => alone(place(r))).map(look),
    test: points.test.filter((r) => alone(place(r))).map(look),
  };
}"""


def distance(a: list[int], b: tuple[int, int, int]) -> float:
    return math.dist(a, b)


def legend(page: object) -> dict[str, Any]:
    return page.evaluate("""() => { const l = document.querySelector('[data-testid=point-legend]');
      return {visible: !!l && !l.hidden && l.getBoundingClientRect().height > 0,
              text: l ? l.textContent : '', same: l ? l.dataset.same : null}; }""")


def test_train_points_are_filled_and_test_points_are_rings(page: object) -> None:
    open_state(page, {"data": {"name": "circle", "n_samples": 60}})
    page.wait_for_function("document.getElementById('output').dataset.plot", timeout=10000)
    got = page.evaluate(PIXELS)
    page.locator(".output-panel").screenshot(path=str(SHOTS / "output-train-filled-test-rings.png"))
    assert 5 <= got["radius"] <= 8  # 60 points: larger than the 400 of the default
    assert len(got["train"]) >= 3 and len(got["test"]) >= 3
    for point in got["train"]:  # filled: the class colour at the centre
        assert distance(point["centre"], CLASS_RGB[point["label"]]) < 40, point
    for point in got["test"]:  # hollow: the map at the centre, the class colour on the ring
        colour = CLASS_RGB[point["label"]]
        assert distance(point["centre"], colour) > 60, point
        assert min(distance(p, colour) for p in point["ring"]) < 40, point
    said = legend(page)
    assert said["visible"]
    assert "filled: training point" in said["text"] and "ring: test point" in said["text"]
    assert said["same"] == "false"


def test_the_four_xor_points_are_big_enough_to_see(page: object) -> None:
    open_state(page, {"data": {"name": "circle"}})
    page.wait_for_function("document.getElementById('output').dataset.pointRadius", timeout=10000)
    many = float(page.get_attribute("#output", "data-point-radius"))
    open_state(page, {"lesson": {"name": "xor-one-neuron", "variant": None}})
    page.wait_for_function("Number(document.getElementById('output').dataset.pointRadius) > 5",
                           timeout=10000)
    four = float(page.get_attribute("#output", "data-point-radius"))
    page.locator(".output-panel").screenshot(path=str(SHOTS / "output-xor-points.png"))
    assert many <= 4  # 400 points stay small
    assert four >= 9  # was 2.7 px: a speck
    got = page.evaluate(PIXELS.replace("< 3 * radius", "< 0.5 * radius"))
    # XOR's test points are its training points: a filled dot with a ring round it
    assert len(got["train"]) == 0  # every point has its twin (alone() finds two)
    said = legend(page)
    assert said["visible"] and said["same"] == "true"
    assert "the 4 training points" in said["text"]
    pixels = page.evaluate("""async () => {
      const canvas = document.getElementById('output');
      const points = await (await fetch(`/api/runs/${canvas.dataset.run}/points`)).json();
      const [x, y, w, h] = canvas.dataset.plot.split(',').map(Number);
      const r = Number(canvas.dataset.pointRadius);
      const [xmin, xmax, ymin, ymax] = points.extent;
      const ctx = canvas.getContext('2d');
      const ratio = canvas.width / canvas.clientWidth;
      const at = (px, py) => Array.from(ctx.getImageData(Math.floor(px * ratio),
        Math.floor(py * ratio), 1, 1).data.slice(0, 3));
      return points.train.map((row) => {
        const px = x + (row[0] - xmin) / (xmax - xmin) * w;
        const py = y + (ymax - row[1]) / (ymax - ymin) * h;
        return {label: row[2], centre: at(px, py), gap: at(px + r + 2, py),
          ring: [0, 1, 2, 3, 4, 5, 6, 7].map((k) => at(px + (r + 4.5) * Math.cos(k * Math.PI / 4),
            py + (r + 4.5) * Math.sin(k * Math.PI / 4)))};
      });
    }""")
    assert len(pixels) == 4
    for point in pixels:
        colour = CLASS_RGB[point["label"]]
        assert distance(point["centre"], colour) < 40, point
        assert min(distance(p, colour) for p in point["ring"]) < 40, point
