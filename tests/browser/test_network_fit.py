"""The network diagram's size and words in headless Chromium: a net without a
hidden layer drawn at the size of any other, headers that fit (none clipped to
"outpu", none over another) in a wide panel and in a phone's column, and the
batch-norm statistics clear of the links.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SHOTS, open_playground

BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width,
            height: r.height}; };
  const nv = document.querySelector('#network .nv');
  const svg = nv.querySelector('.nv-svg');
  const units = [...nv.querySelectorAll('.nv-column:not(.nv-input) .nv-frame')].map(box);
  return {
    nv: {...box(nv), clientWidth: nv.clientWidth, scrollWidth: nv.scrollWidth},
    svg: box(svg),
    heads: [...nv.querySelectorAll('.nv-head, .nv-sub')].map((t) =>
      ({text: t.firstChild.textContent, ...box(t)})),
    unit: units.length ? units[0].width : 0,
    links: [...nv.querySelectorAll('.nv-link')].map(box),
  };
}"""


def open_state(page: object, state: dict[str, Any]) -> None:
    """The playground on the default state with `state`'s network (or lesson) set."""
    page.goto("/")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    hash_ = page.evaluate("""async (over) => {
      const m = await import('/static/js/state/state.js');
      const s = m.defaultState();
      if (over.network) Object.assign(s.network, over.network);
      if (over.lesson) s.lesson = over.lesson;
      if (over.data) Object.assign(s.data, over.data);
      return m.encodeState(s);
    }""", state)
    open_playground(page, f"/#s={hash_}&n=0")


def boxes(page: object) -> dict[str, Any]:
    return page.evaluate(BOXES)


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["left"] < b["right"] and b["left"] < a["right"]
            and a["top"] < b["bottom"] and b["top"] < a["bottom"])


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (inner["left"] >= outer["left"] - 0.5 and inner["right"] <= outer["right"] + 0.5
            and inner["top"] >= outer["top"] - 0.5 and inner["bottom"] <= outer["bottom"] + 0.5)


NO_HIDDEN = {
    "no hidden layer": {"network": {"hidden": [], "activations": []}},
    "xor-one-neuron": {"lesson": {"name": "xor-one-neuron", "variant": None}},
}


@pytest.mark.parametrize("name", list(NO_HIDDEN))
def test_a_net_without_hidden_layers_is_drawn_at_a_normal_size(page: object, name: str) -> None:
    open_state(page, {"network": {"hidden": [4, 2], "activations": ["tanh", "tanh"]}})
    two = boxes(page)
    open_state(page, NO_HIDDEN[name])
    assert page.locator(".nv-column.nv-hidden").count() == 0
    none = boxes(page)
    page.locator(".network-panel").screenshot(
        path=str(SHOTS / f"network-no-hidden-layer-{name.replace(' ', '-')}.png"))
    # the output's square and the diagram's height as a 2-layer net's (it was 2.3 times
    # as large: a 238-unit-wide drawing stretched over the panel)
    assert 0.8 <= none["unit"] / two["unit"] <= 1.25, (none["unit"], two["unit"])
    assert 0.75 <= none["svg"]["height"] / two["svg"]["height"] <= 1.25, (none["svg"], two["svg"])
    assert none["svg"]["width"] < two["svg"]["width"]  # narrower, centred, not stretched


FITS = {
    "default": {},
    "no hidden layer": {"network": {"hidden": [], "activations": []}},
    "vanishing-gradients": {"lesson": {"name": "vanishing-gradients", "variant": "sigmoid"}},
    "batch norm and dropout": {"network": {"batch_norm": True, "dropout": 0.25}},
    "three classes": {"network": {"hidden": [5], "activations": ["relu"]},
                      "data": {"name": "blobs", "classes": 3}},
}


@pytest.mark.parametrize("width", [None, 360])
@pytest.mark.parametrize("name", list(FITS))
def test_headers_fit_in_the_diagram(page: object, name: str, width: int | None) -> None:
    open_state(page, FITS[name])
    if width:  # a phone's column: the diagram's container that wide
        page.evaluate(f"document.getElementById('network').style.width = '{width}px'")
        page.wait_for_function(
            "(w) => { const s = document.querySelector('#network .nv-svg');"
            " return s && s.getBoundingClientRect().width <= w; }", arg=width, timeout=10000)
    got = boxes(page)
    tag = f"{name.replace(' ', '-')}-{width or 'panel'}"
    page.locator("#network").screenshot(path=str(SHOTS / f"network-headers-{tag}.png"))
    assert got["nv"]["scrollWidth"] <= got["nv"]["clientWidth"], got["nv"]  # nothing scrolls away
    view = {**got["nv"], "right": got["nv"]["left"] + got["nv"]["clientWidth"]}
    heads = got["heads"]
    assert "output" in [h["text"] for h in heads]
    for head in heads:
        assert inside(head, got["svg"]), (head, got["svg"])
        assert inside(head, view), (head, view)
    for i, a in enumerate(heads):
        for b in heads[i + 1:]:
            assert not overlap(a, b), (a, b)
    # the text is not shrunk past reading: 12 units drawn at 0.7 at least
    assert min(h["height"] for h in heads) >= 0.7 * 12


def test_batch_norm_statistics_do_not_overlap_the_links(page: object) -> None:
    open_state(page, {"lesson": {"name": "batch-norm", "variant": "batch-norm"}})
    page.click("[data-testid=play]")
    page.wait_for_function("Number(document.getElementById('output').dataset.step) >= 20",
                           timeout=20000)
    page.click("[data-testid=play]")
    panel = page.locator("[data-testid=bn-panel]")
    page.wait_for_function("document.querySelector('[data-testid=bn-panel] td[data-unit]')",
                           timeout=10000)
    assert panel.is_visible()
    got = boxes(page)
    cells = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=bn-panel] th, [data-testid=bn-panel] td')].map((c) => {
      const r = c.getBoundingClientRect(); const s = document.createRange();
      s.selectNodeContents(c); const t = s.getBoundingClientRect();
      return {left: t.left, right: t.right, top: t.top, bottom: t.bottom, width: t.width,
              text: c.textContent, cell: {left: r.left, right: r.right, top: r.top,
              bottom: r.bottom}}; })""")
    panel_box = panel.bounding_box()
    panel.screenshot(path=str(SHOTS / "network-batch-norm-statistics.png"))
    page.locator(".network-panel").screenshot(path=str(SHOTS / "network-batch-norm-lesson.png"))
    as_box = {"left": panel_box["x"], "right": panel_box["x"] + panel_box["width"],
              "top": panel_box["y"], "bottom": panel_box["y"] + panel_box["height"]}
    # the means and variances are not drawn over the links: their panel is below the diagram
    assert page.locator(".nv-svg .nv-stat").count() == 0
    for link in got["links"]:
        assert not overlap(link, as_box)
    texts = [c for c in cells if c["width"] > 0]
    assert len(texts) > 16
    for c in texts:  # each number inside its own cell, none over another
        assert inside(c, c["cell"]), c
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not overlap(a, b), (a, b)
    # the "BN" under each header is clear of every link
    subs = [h for h in got["heads"] if h["text"] == "BN"]
    assert len(subs) == 8
    for sub in subs:
        for link in got["links"]:
            assert not overlap(sub, link), (sub, link)
