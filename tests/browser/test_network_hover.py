"""Hovering (or focusing) the network diagram in headless Chromium
(static/js/network/hover.js, unit_zoom.js): a link shows its weight, a bias mark
its bias, a unit its activation, its bias and the activation's value at the
point of the input plane under the pointer, each checked against the run's own
numbers (`GET /api/runs/{id}/snapshot`) at the step on screen.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import SHOTS
from tests.browser.test_network_fit import open_state
from tests.browser.test_network_view import page_run, trained


def fmt(v: float) -> str:
    """labels.js fmt: 2 decimals, or 1 in exponent form below 0.01."""
    a = abs(v)
    if a != 0 and a < 0.01:
        mantissa, exponent = f"{v:.1e}".split("e")
        return f"{mantissa}e{int(exponent):+d}"
    return f"{v:.0f}" if a >= 100 else f"{v:.2f}"


def snapshot(server: str, run: str, grid: int = 4) -> dict[str, Any]:
    answer = httpx.get(f"{server}/api/runs/{run}/snapshot",
                       params={"output_grid": grid, "unit_grid": grid}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


POINT_ON = """([el, share]) => { const p = el.getPointAtLength(el.getTotalLength() * share);
  const m = el.getScreenCTM();
  return [p.x * m.a + m.c * p.y + m.e, p.x * m.b + p.y * m.d + m.f]; }"""

UNDER = """([x, y]) => { const el = document.elementFromPoint(x, y);
  const hits = [...el.parentNode.querySelectorAll(':scope > .nv-hit')];
  return {hit: el.classList.contains('nv-hit'), p: hits.indexOf(el), n: hits.length}; }"""


def tip(page: object) -> dict[str, Any]:
    return page.evaluate("""() => { const t = document.querySelector('[data-testid=link-tip]');
      return {visible: !t.hidden && t.getBoundingClientRect().width > 0, text: t.textContent,
              ...t.dataset}; }""")


def test_hovering_a_link_shows_its_weight_and_a_bias_mark_its_bias(page: object,
                                                                   server: str) -> None:
    open_state(page, {})
    snap = trained(page, server, unit_grid=4)
    W = snap["layers"][0]["params"]["W"]  # [inputs, units], the first dense layer
    units = len(W[0])
    hits = page.locator(".nv-link-hits").first.locator(".nv-hit")
    for p in (1, units + 2):  # x1 -> unit 2, x2 -> unit 3
        point = page.evaluate(POINT_ON, [hits.nth(p).element_handle(), 0.3])
        page.mouse.move(*point)
        under = page.evaluate(UNDER, point)
        assert under["hit"], under
        i, j = divmod(under["p"], units)
        page.wait_for_function("(ij) => document.querySelector('[data-testid=link-tip]')"
                               ".dataset.index === ij", arg=f"{i},{j}", timeout=5000)
        shown = tip(page)
        assert shown["visible"]
        assert shown["layer"] == "0" and shown["name"] == "W"
        assert float(shown["value"]) == pytest.approx(W[i][j], rel=1e-6)  # float32 frames
        assert f"weight: {fmt(W[i][j])}" in shown["text"]
        assert f"weight from x{i + 1} to unit {j + 1} of layer 1" in shown["text"]
    page.locator(".network-panel").screenshot(path=str(SHOTS / "network-hover-link-weight.png"))

    b = snap["layers"][2]["params"]["b"]  # the second dense layer's biases
    mark = page.locator(".nv-link-hits").nth(1).locator(".nv-bias-mark").nth(1)
    mark.locator(".nv-bias").hover(force=True)
    page.wait_for_function("document.querySelector('[data-testid=link-tip]').dataset.name === 'b'",
                           timeout=5000)
    shown = tip(page)
    assert shown["layer"] == "2" and shown["index"] == "1"
    assert f"bias: {fmt(b[1])}" in shown["text"]
    assert "bias of unit 2 of layer 2" in shown["text"]

    page.mouse.move(2, 2)  # away: the box goes
    page.wait_for_function("document.querySelector('[data-testid=link-tip]').hidden",
                           timeout=5000)
    # the keyboard too: the focused link's box
    page.locator(".nv-link-hits").first.locator("[tabindex='0']").focus()
    page.wait_for_function("!document.querySelector('[data-testid=link-tip]').hidden",
                           timeout=5000)
    shown = tip(page)
    assert shown["index"] == "0,0" and f"weight: {fmt(W[0][0])}" in shown["text"]


def test_hovering_a_unit_shows_its_activation_bias_and_value(page: object,
                                                             server: str) -> None:
    open_state(page, {})
    trained(page, server, unit_grid=4)
    info = page.locator("[data-testid=unit-info]")
    for column, k, dense, act, name in ((".nv-hidden", 2, 0, 1, "tanh"),
                                        (".nv-output", 0, 4, None, "sigmoid")):
        unit = page.locator(f".nv-column{column} .nv-map").nth(k)
        box = unit.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
        page.wait_for_function("document.querySelector('[data-testid=unit-info]').dataset.grid",
                               timeout=5000)
        data = info.evaluate("el => ({...el.dataset, text: el.textContent})")
        grid = int(data["grid"])
        snap = snapshot(server, page_run(page), grid)
        row, col = int(data["row"]), int(data["col"])
        assert abs(row - 0.7 * grid) <= 1 and abs(col - 0.3 * grid) <= 1, (row, col, grid)
        bias = snap["layers"][dense]["params"]["b"][k]
        value = (snap["layers"][act]["unit_maps"][k][row][col] if act is not None
                 else snap["output_map"][row][col])
        assert data["activation"] == name
        assert f"activation: {name}" in data["text"]
        assert float(data["bias"]) == pytest.approx(bias, rel=1e-6, abs=1e-9)
        assert f"bias: {fmt(bias)}" in data["text"]
        # the frame's maps are quantised to 1/255 of their range
        assert abs(float(data["value"]) - value) < 0.01, (data, value)
        assert f"value {fmt(float(data['value']))} at (x1, x2) = (" in data["text"]
        page.locator(".network-panel").screenshot(
            path=str(SHOTS / f"network-hover-unit-{column.split('-')[1]}.png"))
        page.mouse.move(2, 2)
        page.wait_for_function("document.querySelector('.nv-zoom').hidden", timeout=5000)


def test_a_linear_units_hover_shows_its_bias(page: object, server: str) -> None:
    open_state(page, {"network": {"hidden": [3], "activations": ["linear"]}})
    snap = trained(page, server, steps=10, unit_grid=4)
    page.locator(".nv-column.nv-hidden .nv-map").nth(1).hover()
    info = page.locator("[data-testid=unit-info]")
    info.wait_for(state="visible", timeout=5000)
    text = info.text_content()
    assert "activation: linear" in text
    assert f"bias: {fmt(snap['layers'][0]['params']['b'][1])}" in text
