"""The network diagram (static/js/network/view.js and the modules it uses) in
headless Chromium, on real runs of a real server.

`layoutColumns` is run in the page on the layer lists the server makes; the
drawn diagram is checked against the run's own numbers (`GET
/api/runs/{id}/snapshot`): batch-norm statistics, dropout masks, residual arcs,
and weights edited with the keyboard. Each test leaves a screenshot under
test-output/browser/ and fails on any console error (see conftest.py).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tests.browser.conftest import SHOTS, open_playground

LAYOUT_SUMMARY = """async ([layers, spec, options]) => {
  const { layoutColumns } = await import('/static/js/network/view.js');
  const layout = layoutColumns(layers, spec, options);
  const path = (ref) => (ref ? ref.path : null);
  const refs = [];
  for (const c of layout.columns) {
    for (const ref of [c.dense, c.batchnorm, c.activation, c.dropout]) {
      if (ref) refs.push([ref.path, ref.index]);
    }
  }
  return {
    columns: layout.columns.map((c) => [c.kind, c.width, path(c.dense), path(c.batchnorm),
      c.activation ? `${c.activation.path} ${c.activation.name}` : null,
      c.dropout ? `${c.dropout.path} ${c.dropout.p}` : null]),
    names: layout.inputs.names,
    numbers: layout.hidden.map((c) => c.number),
    outputLast: layout.output === layout.columns[layout.columns.length - 1],
    links: layout.links.map((l) => [l.dense.path, l.from, l.to]),
    arcs: layout.arcs.map((a) => [a.from, a.to, path(a.projection)]),
    refs,
  };
}"""

# spec -> expected columns [kind, width, dense, batch norm, "activation name",
# "dropout p"], input names, links [dense, from, to] and arcs [from, to, projection]
LAYOUTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "tanh-4-2": ({"hidden": [4, 2], "activation": "tanh"}, {
        "columns": [["input", 2, None, None, None, None],
                    ["hidden", 4, "0", None, "1 tanh", None],
                    ["hidden", 2, "2", None, "3 tanh", None],
                    ["output", 1, "4", None, None, None]],
        "names": ["x1", "x2"],
        "links": [["0", 0, 1], ["2", 1, 2], ["4", 2, 3]],
        "arcs": []}),
    "batch-norm-dropout": ({"hidden": [4, 4], "batch_norm": True, "dropout": 0.25,
                            "activation": "relu",
                            "data": {"name": "circle", "features": ["x1", "x2", "x1*x2"]}}, {
        "columns": [["input", 3, None, None, None, None],
                    ["hidden", 4, "0", "1", "2 relu", "3 0.25"],
                    ["hidden", 4, "4", "5", "6 relu", "7 0.25"],
                    ["output", 1, "8", None, None, None]],
        "names": ["x1", "x2", "x1*x2"],
        "links": [["0", 0, 1], ["4", 1, 2], ["8", 2, 3]],
        "arcs": []}),
    "residual": ({"hidden": [4, 4, 4], "residual": True}, {
        "columns": [["input", 2, None, None, None, None],
                    ["hidden", 4, "0", None, "1 tanh", None],
                    ["hidden", 4, "2.0.0", None, "2.0.1 tanh", None],
                    ["hidden", 4, "2.0.2", None, "2.0.3 tanh", None],
                    ["output", 1, "3", None, None, None]],
        "names": ["x1", "x2"],
        "links": [["0", 0, 1], ["2.0.0", 1, 2], ["2.0.2", 2, 3], ["3", 3, 4]],
        "arcs": [[1, 3, None]]}),
    "residual-projection": ({"hidden": [4, 6, 6, 3], "residual": True}, {
        "columns": [["input", 2, None, None, None, None],
                    ["hidden", 4, "0", None, "1 tanh", None],
                    ["hidden", 6, "2.0.0", None, "2.0.1 tanh", None],
                    ["hidden", 6, "2.0.2", None, "2.0.3 tanh", None],
                    ["hidden", 3, "3", None, "4 tanh", None],
                    ["output", 1, "5", None, None, None]],
        "names": ["x1", "x2"],
        "links": [["0", 0, 1], ["2.0.0", 1, 2], ["2.0.2", 2, 3], ["3", 3, 4], ["5", 4, 5]],
        "arcs": [[1, 3, "2.1"]]}),
    "one-input": ({"hidden": [3], "data": {"name": "sine"}}, {
        "columns": [["input", 1, None, None, None, None],
                    ["hidden", 3, "0", None, "1 tanh", None],
                    ["output", 1, "2", None, None, None]],
        "names": ["x"],
        "links": [["0", 0, 1], ["2", 1, 2]],
        "arcs": []}),
    "three-classes": ({"hidden": [5], "activation": "leaky_relu",
                       "data": {"name": "blobs", "classes": 3}}, {
        "columns": [["input", 2, None, None, None, None],
                    ["hidden", 5, "0", None, "1 leaky_relu", None],
                    ["output", 3, "2", None, None, None]],
        "names": ["x1", "x2"],
        "links": [["0", 0, 1], ["2", 1, 2]],
        "arcs": []}),
}


# -- helpers --------------------------------------------------------------------------

def new_run(server: str, spec: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(f"{server}/api/runs", json={"spec": spec}, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()


def snapshot(server: str, run_id: str, unit_grid: int = 2) -> dict[str, Any]:
    answer = httpx.get(f"{server}/api/runs/{run_id}/snapshot",
                       params={"output_grid": 4, "unit_grid": unit_grid}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def layer(snap: dict[str, Any], path: str) -> dict[str, Any]:
    return next(entry for entry in snap["layers"] if entry["path"] == path)


def page_run(page: object) -> str:
    return page.get_attribute("[data-testid=output]", "data-run")


def page_step(page: object) -> int:
    return int(page.get_attribute("[data-testid=output]", "data-step"))


def open_state(page: object, network: dict[str, Any], steps: int = 0) -> None:
    """Open the playground on the default state with `network` changed, trained
    to `steps` (the state's hash is made by the page's own state.js)."""
    page.goto("/")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    hash_ = page.evaluate("""async (network) => {
      const m = await import('/static/js/state/state.js');
      const s = m.defaultState();
      Object.assign(s.network, network);
      return m.encodeState(s);
    }""", network)
    open_playground(page, f"/#s={hash_}&n={steps}")
    page.wait_for_function(f"document.getElementById('output').dataset.step === '{steps}'",
                           timeout=20000)


def shows(text: str, value: float) -> bool:
    """Whether a table number (3 significant digits, or 2 in exponent form below
    0.001) is `value` rounded."""
    shown = float(text)
    return abs(shown - value) <= (0.05 if abs(value) < 1e-3 else 0.006) * abs(value) + 1e-12


def first_text(locator: object) -> str:
    """The element's own first text (without its <title> tooltip)."""
    return locator.evaluate("el => el.firstChild.textContent")


def active_label(page: object) -> str:
    return page.evaluate("document.activeElement.getAttribute('aria-label') || ''")


def set_weight_commands(page: object) -> list[dict[str, Any]]:
    """Every `set_weight` command the page sends on its websockets, as they go."""
    sent: list[dict[str, Any]] = []

    def watch(ws: object) -> None:
        def frame(payload: str | bytes) -> None:
            if isinstance(payload, str) and '"set_weight"' in payload:
                sent.append(json.loads(payload))
        ws.on("framesent", frame)

    page.on("websocket", watch)
    return sent


def wait_until(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


# -- layout ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_columns_of_the_servers_layers(page: object, server: str, name: str) -> None:
    spec, expected = LAYOUTS[name]
    run = new_run(server, spec)
    layers = snapshot(server, run["id"])["layers"]
    inputs = len(layers[0]["params"]["W"])
    page.goto("/")
    got = page.evaluate(LAYOUT_SUMMARY, [layers, run["spec"], {"inputCount": inputs}])
    assert got["columns"] == expected["columns"]
    assert got["names"] == expected["names"]
    assert got["links"] == expected["links"]
    assert got["arcs"] == expected["arcs"]
    assert got["numbers"] == list(range(1, len(expected["columns"]) - 1))
    assert got["outputLast"] is True
    for path, index in got["refs"]:  # `index` names the frame arrays layers.{index}.*
        assert layers[index]["path"] == path


def test_layout_names_inputs_by_position_when_the_features_do_not_fit(
        page: object, server: str) -> None:
    run = new_run(server, {"hidden": [3]})
    layers = snapshot(server, run["id"])["layers"]
    page.goto("/")
    four = page.evaluate(LAYOUT_SUMMARY, [layers, run["spec"], {"inputCount": 4}])
    assert four["names"] == ["x1", "x2", "x3", "x4"]
    assert four["columns"][0] == ["input", 4, None, None, None, None]
    no_count = page.evaluate(LAYOUT_SUMMARY, [layers, run["spec"], {}])
    assert no_count["names"] == run["spec"]["data"]["features"]


# -- the drawn diagram ----------------------------------------------------------------

def test_batch_norm_statistics_are_in_their_own_panel(page: object, server: str) -> None:
    open_state(page, {"batch_norm": True}, steps=60)
    snap = snapshot(server, page_run(page))
    assert snap["step"] == 60
    hidden = page.locator(".nv-column.nv-hidden")
    assert hidden.count() == 2
    # no numbers under the units (links ran over them): the panel has them
    assert page.locator(".nv-svg .nv-stat").count() == 0
    panel = page.locator("[data-testid=bn-panel]")
    assert panel.is_visible()
    assert panel.get_attribute("data-step") == "60"
    groups = panel.locator("tbody")
    assert [groups.nth(i).get_attribute("data-layer") for i in range(groups.count())] == ["1", "4"]
    moved = 0
    for column, path, width in zip(range(2), ("1", "4"), (4, 2), strict=True):
        bn = layer(snap, path)
        assert bn["type"] == "batchnorm"
        assert first_text(hidden.nth(column).locator(".nv-sub")) == "BN"
        body = panel.locator(f"tbody[data-layer='{path}']")
        assert body.get_attribute("data-kind") == "unit"
        for stat, values in (("mean", bn["running_mean"]), ("var", bn["running_var"])):
            cells = body.locator(f"tr[data-stat={stat}] td[data-unit]")
            assert cells.count() == len(values) == width
            for k, value in enumerate(values):
                cell = cells.nth(k)
                assert cell.get_attribute("data-unit") == str(k)
                assert float(cell.get_attribute("data-value")) == pytest.approx(value, rel=1e-12)
                assert shows(cell.text_content(), value), (path, stat, k, value)
        moved += sum(abs(mean) > 0.01 for mean in bn["running_mean"])
    assert moved > 0  # trained statistics, not the initial zeros


def trained(page: object, server: str, steps: int = 40, unit_grid: int = 2) -> dict[str, Any]:
    """Trains the page's run for `steps` or more, pauses, and answers the run's
    snapshot (unit maps on a `unit_grid` grid) at the step the page shows."""
    page.click("[data-testid=play]")
    page.wait_for_function(f"Number(document.getElementById('output').dataset.step) >= {steps}",
                           timeout=20000)
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=play]')"
                           ".getAttribute('aria-pressed') === 'false'", timeout=10000)
    run = page_run(page)
    snaps: list[dict[str, Any]] = []

    def settled() -> bool:
        snaps.append(snapshot(server, run, unit_grid))
        return snaps[-1]["step"] == page_step(page)

    wait_until(settled)
    return snaps[-1]


def test_dropout_greys_the_units_its_last_mask_switched_off(page: object, server: str) -> None:
    open_state(page, {"hidden": [8, 8], "activations": ["tanh", "tanh"], "dropout": 0.5})
    assert page.locator(".nv-off[visibility=visible]").count() == 0  # no mask before training
    snap = trained(page, server, 30)
    hidden = page.locator(".nv-column.nv-hidden")
    greyed_total = 0
    for column, path in zip(range(2), ("2", "5"), strict=True):
        dropout = layer(snap, path)
        assert dropout["type"] == "dropout"
        off = [k for k, kept in enumerate(dropout["mask"][0]) if not kept]
        units = hidden.nth(column).locator(".nv-unit")
        greyed = [k for k in range(units.count())
                  if units.nth(k).locator(".nv-off").get_attribute("visibility") == "visible"]
        assert greyed == off
        for k in off:
            assert "switched off by dropout" in units.nth(k).locator("canvas").get_attribute(
                "aria-label")
        assert first_text(hidden.nth(column).locator(".nv-sub")) == "drop .5"
        greyed_total += len(greyed)
    assert greyed_total > 0
    assert page.locator(".nv-column.nv-output .nv-off[visibility=visible]").count() == 0


@pytest.mark.parametrize(("hidden", "projection"), [([4, 4, 4], False), ([4, 6, 6, 3], True)])
def test_a_residual_block_is_drawn_as_a_skip_arc(page: object, hidden: list[int],
                                                 projection: bool) -> None:
    open_state(page, {"hidden": hidden, "activations": ["tanh"] * len(hidden),
                      "residual": True})
    arcs = page.locator(".nv-arc")
    assert arcs.count() == 1
    assert first_text(arcs.locator("text")) == "+ skip"
    title = arcs.locator("title").text_content()
    assert ("projection" in title) is projection
    d = arcs.locator("path").get_attribute("d")
    start = float(d[1:].split(",")[0])
    end = float(d.split(" ")[-1].split(",")[0])
    heads = page.locator(".nv-column.nv-hidden .nv-head")
    assert heads.count() == len(hidden)
    # the block wraps hidden layers 2 and 3: from layer 1's column to layer 3's
    assert start == pytest.approx(float(heads.nth(0).get_attribute("x")))
    assert end == pytest.approx(float(heads.nth(2).get_attribute("x")))
    assert "1 residual block" in page.get_attribute(".nv-svg", "aria-label")


DRAWN_LAYERS = """() => {
  const sets = [...document.querySelectorAll('.nv-link-set')].map((g) =>
    [g.dataset.layer, Number(g.dataset.units)]);
  const projections = [...document.querySelectorAll('.nv-projection')].map((g) =>
    [g.dataset.layer, Number(g.dataset.units)]);
  const units = document.querySelectorAll(
    '.nv-column.nv-hidden .nv-unit, .nv-column.nv-output .nv-unit').length;
  const cells = [...document.querySelectorAll('.nv-projection-map')]
    .map((c) => [c.width, c.height]);
  return {dense: sets.concat(projections), units, cells};
}"""


def projections_of(hidden: list[int]) -> int:
    """How many blocks of the widths form change the width: the residual option
    wraps hidden layers i and i + 1 from the second on (engine/spec.py)."""
    count, i = 0, 1
    while i + 1 < len(hidden):
        count += hidden[i - 1] != hidden[i + 1]
        i += 2
    return count


@pytest.mark.parametrize("hidden", [[4, 4, 4], [4, 6, 6, 3], [3, 5, 5, 2, 2]])
def test_the_diagram_draws_every_dense_layer_of_a_residual_run(page: object, server: str,
                                                               hidden: list[int]) -> None:
    """The residual checkbox adds a projection P where a block changes the width:
    a dense layer of its own, drawn on the skip's arc as a matrix of its weights."""
    open_state(page, {"hidden": hidden, "activations": ["tanh"] * len(hidden),
                      "residual": True})
    run: dict[str, Any] = {}

    def shown() -> bool:  # the page's run is the state's (not one made on the way)
        run.update(httpx.get(f"{server}/api/runs/{page_run(page)}", timeout=30).json())
        widths = [e["units"] for e in run["layers"] if e["type"] == "dense"
                  and not e["path"].endswith(".1")][:-1]
        drawn = page.locator(".nv-column.nv-hidden").count()
        return widths == hidden and drawn == len(hidden) and run["id"] == page_run(page)

    wait_until(shown)
    dense = [[entry["path"], entry["units"]] for entry in run["layers"]
             if entry["type"] == "dense"]
    drawn = page.evaluate(DRAWN_LAYERS)
    assert sorted(drawn["dense"]) == sorted(dense)
    projections = [path for path, _ in dense if path.endswith(".1")]
    assert len(drawn["cells"]) == len(projections) == projections_of(hidden)
    # a cell per weight: inputs across, outputs down; units: one square per unit
    # of each column plus one row per unit of each projection
    snap = snapshot(server, page_run(page))
    for (width, height), path in zip(drawn["cells"], projections, strict=True):
        W = layer(snap, path)["params"]["W"]
        assert (width, height) == (len(W), len(W[0]))
    assert drawn["units"] + sum(h for _, h in drawn["cells"]) == sum(u for _, u in dense)
    # the checkbox's hint says so
    hint = page.text_content("[data-testid=residual-hint]")
    assert ("projection P" in hint) is bool(projections), hint
    if projections:
        assert hint.endswith(f"drawn on its arc: {len(projections)}.")
    if projections:
        page.locator(".network-panel").screenshot(
            path=str(SHOTS / f"network-residual-projection-{'-'.join(map(str, hidden))}.png"))
        assert page.locator("[data-testid=legend-projection]").is_visible()
        # hovering a cell of P names its weight
        W = layer(snap, projections[0])["params"]["W"]
        box = page.locator(".nv-projection-map").first.bounding_box()
        i, j = len(W) - 1, 1
        page.mouse.move(box["x"] + (i + 0.5) * box["width"] / len(W),
                        box["y"] + (j + 0.5) * box["height"] / len(W[0]))
        page.wait_for_function("document.querySelector('[data-testid=link-tip]').dataset.layer"
                               " === '" + projections[0] + "'", timeout=5000)
        tip = page.locator("[data-testid=link-tip]")
        assert tip.get_attribute("data-index") == f"{i},{j}"
        assert float(tip.get_attribute("data-value")) == pytest.approx(W[i][j], rel=1e-6)
        assert "weight of the projection P from unit" in tip.text_content()
    else:
        assert page.locator("[data-testid=legend-projection]").count() == 0


def test_a_weight_is_edited_with_the_keyboard(page: object, server: str) -> None:
    sent = set_weight_commands(page)
    open_playground(page)
    run = page_run(page)
    before = snapshot(server, run)["layers"][0]["params"]["W"]
    page.locator(".nv-link-hits").first.locator("[tabindex='0']").focus()
    assert active_label(page).startswith("weight from x1 to unit 1 of layer 1: ")
    page.keyboard.press("ArrowRight")
    assert active_label(page).startswith("weight from x1 to unit 2 of layer 1: ")
    assert page.locator(".nv-link-hits").first.locator("[tabindex='0']").count() == 1
    page.keyboard.press("Enter")
    editor = page.locator(".nv-editor")
    editor.wait_for(state="visible")
    assert "weight from x1 to unit 2 of layer 1" in editor.text_content()
    assert page.evaluate("document.activeElement.closest('.nv-editor') !== null")
    assert float(page.input_value(".nv-editor input")) == pytest.approx(before[0][1], rel=1e-3)
    page.keyboard.type("1.5")
    page.keyboard.press("Enter")
    editor.wait_for(state="hidden")
    assert active_label(page).startswith("weight from x1 to unit 2 of layer 1: ")
    wait_until(lambda: len(sent) == 1)
    assert sent == [{"type": "set_weight", "layer": "0", "name": "W", "index": [0, 1],
                     "value": 1.5}]
    wait_until(lambda: snapshot(server, run)["layers"][0]["params"]["W"][0][1] == 1.5)
    after = snapshot(server, run)["layers"][0]["params"]["W"]
    assert after[0][0] == before[0][0] and after[1] == before[1]
    page.wait_for_function("document.activeElement.getAttribute('aria-label')"
                           ".endsWith(': 1.50')", timeout=10000)

    page.keyboard.press("End")  # the group's last item: the last unit's bias
    assert active_label(page).startswith("bias of unit 4 of layer 1: ")
    page.keyboard.press("Enter")
    editor.wait_for(state="visible")  # typing before the field has focus goes nowhere
    page.wait_for_function("document.activeElement.closest('.nv-editor') !== null")
    page.keyboard.type("-2")
    page.keyboard.press("Enter")
    editor.wait_for(state="hidden")
    wait_until(lambda: len(sent) == 2)
    assert sent[1] == {"type": "set_weight", "layer": "0", "name": "b", "index": [3],
                       "value": -2}
    wait_until(lambda: snapshot(server, run)["layers"][0]["params"]["b"][3] == -2)


def test_escape_cancels_an_edit_and_an_empty_value_is_refused(page: object,
                                                              server: str) -> None:
    sent = set_weight_commands(page)
    open_playground(page)
    run = page_run(page)
    before = snapshot(server, run)["layers"][0]["params"]
    page.locator(".nv-link-hits").first.locator("[tabindex='0']").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert active_label(page).startswith("weight from x1 to unit 3 of layer 1: ")
    editor = page.locator(".nv-editor")
    page.keyboard.press("Enter")
    editor.wait_for(state="visible")
    page.keyboard.type("9")
    page.keyboard.press("Escape")
    editor.wait_for(state="hidden")
    assert active_label(page).startswith("weight from x1 to unit 3 of layer 1: ")

    page.keyboard.press("Enter")
    editor.wait_for(state="visible")
    assert page.input_value(".nv-editor input") != "9"  # reopened on the weight's own value
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    assert page.get_attribute(".nv-editor input", "aria-invalid") == "true"
    assert editor.is_visible()
    page.keyboard.press("Escape")
    editor.wait_for(state="hidden")

    page.wait_for_timeout(500)
    assert sent == []
    assert snapshot(server, run)["layers"][0]["params"] == before
