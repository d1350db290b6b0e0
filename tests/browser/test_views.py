"""The page's view modules on their own, in headless Chromium: the frame decoder
against the Python codec, the output map's pixels, the charts' series and hover
boxes, and the activation identities.

Each test opens a bare page on the test server's origin (served by Playwright's
router, so the modules under /static load from the real server), mounts canvases
of known CSS size at devicePixelRatio 1, feeds the views made-up data and reads
back pixels, attributes and text.
"""

from __future__ import annotations

import base64
import json
import struct

import httpx
import numpy as np
import pytest

from app.frames import decode, encode_frame
from engine.telemetry import snapshot
from engine.trainer import Trainer
from tests.browser.conftest import open_playground, sizes_through_resizes

BARE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>views</title>
<link rel="stylesheet" href="/static/css/views.css">
<style>body { margin: 0; font: 14px system-ui, sans-serif; }</style>
<script>
  /** A canvas of w x h CSS px in its own positioned box (hover boxes and messages go there). */
  window.mount = (w, h, label) => {
    const box = document.createElement("div");
    box.style.cssText = `position: relative; width: ${w}px; height: ${h}px; margin: 8px;`;
    const canvas = document.createElement("canvas");
    canvas.style.cssText = `display: block; width: ${w}px; height: ${h}px;`;
    if (label) canvas.setAttribute("aria-label", label);
    box.append(canvas);
    document.body.append(box);
    return canvas;
  };
  /** RGBA of the device pixel containing (x, y). */
  window.pixel = (canvas, x, y) =>
    Array.from(canvas.getContext("2d").getImageData(Math.floor(x), Math.floor(y), 1, 1).data);
  /** Resolve after the next two animation frames (charts draw on the first). */
  window.frames2 = () =>
    new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
</script></head><body></body></html>
"""

# The diverging map's stops (palette.js): t -> RGB, blue for negative, orange for positive.
DIVERGING = [(-1.0, (24, 78, 140)), (-0.5, (104, 158, 208)), (0.0, (240, 238, 232)),
             (0.5, (242, 176, 96)), (1.0, (184, 98, 12))]
NEUTRAL = np.array([240, 238, 232])
OKABE_ITO = [(0, 114, 178), (230, 159, 0), (0, 158, 115)]  # classes 0, 1, 2
MAP_STRENGTH = 0.82  # the output map's colours are this strong (output/view.js)
DIVERGED_GREY = (185, 185, 185)  # --nn-diverged-map, #b9b9b9
INK_DARK = 90  # a pixel of a drawn curve (ink #1d1d1f) is darker than this in every channel


@pytest.fixture
def bare(page: object, server: str) -> object:
    """`page` on a bare document at the server's origin, with the helpers above."""
    page.route(f"{server}/views-test", lambda route: route.fulfill(
        status=200, content_type="text/html", body=BARE_PAGE))
    page.goto("/views-test")
    return page


def diverging(t: float) -> np.ndarray:
    """The diverging map at t, interpolated between its stops."""
    ts = [s for s, _ in DIVERGING]
    return np.array([np.interp(t, ts, [c[i] for _, c in DIVERGING]) for i in range(3)])


def assert_rgb(actual: list[int], expected: object, tol: float = 3) -> None:
    rgb = np.array(actual[:3], dtype=float)
    assert np.abs(rgb - np.asarray(expected, dtype=float)).max() <= tol, (actual, expected)


def orangeish(rgba: list[int]) -> bool:
    r, g, b = rgba[:3]
    return r > g > b and r - b > 100


def blueish(rgba: list[int]) -> bool:
    r, g, b = rgba[:3]
    return b > g > r and b - r > 60


# ---------------------------------------------------------------------------
# frames.js against app/frames.py

DECODE_JS = """async ({b64, shift}) => {
  const { decodeFrame } = await import('/static/js/common/frames.js');
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  // shift: the message starts `shift` bytes into its buffer (unaligned float32 arrays)
  const buffer = new Uint8Array(raw.length + shift);
  buffer.set(raw, shift);
  const { header, arrays } = decodeFrame(shift ? buffer.subarray(shift) : buffer.buffer);
  const out = {};
  for (const [name, a] of Object.entries(arrays)) {
    out[name] = { type: a.data.constructor.name, shape: a.shape, data: Array.from(a.data) };
  }
  return { header, arrays: out };
}"""

TRUNCATED_JS = """async ({b64, cut}) => {
  const { decodeFrame } = await import('/static/js/common/frames.js');
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).slice(0, cut);
  try {
    decodeFrame(raw.buffer);
    return null;
  } catch (error) {
    return { isError: error instanceof Error, message: error.message };
  }
}"""


@pytest.fixture(scope="module")
def message() -> bytes:
    """A real frame: a small net with batch norm and dropout after 12 steps."""
    trainer = Trainer({"hidden": [5, 4], "activation": "relu", "dropout": 0.3,
                       "batch_norm": True, "data": {"name": "moons", "n_samples": 60}})
    trainer.train(12)
    frame = snapshot(trainer, output_grid=20, unit_grid=6)
    return encode_frame(frame, {"type": "frame", "run": "abc", "seq": 3, "playing": False})


def test_decode_frame_matches_the_python_codec(bare: object, message: bytes) -> None:
    header, arrays = decode(message)
    b64 = base64.b64encode(message).decode()
    page = bare.evaluate(DECODE_JS, {"b64": b64, "shift": 0})
    assert page["header"] == header
    assert page["header"]["step"] == 12 and page["header"]["run"] == "abc"
    assert set(page["arrays"]) == set(arrays)
    kinds = {"float32": 0, "map": 0, "mask": 0}
    for entry in header["arrays"]:
        name = entry["name"]
        got, want = page["arrays"][name], arrays[name]
        assert got["shape"] == list(want.shape), name
        values = np.array(got["data"], dtype=np.float64).reshape(want.shape)
        if "lo" in entry:  # a de-quantised map: equal to float32 rounding
            kinds["map"] += 1
            assert got["type"] == "Float32Array", name
            scale = max(abs(entry["lo"]), abs(entry["hi"]), 1e-30)
            np.testing.assert_allclose(values, want, rtol=0,
                                       atol=2 * np.finfo(np.float32).eps * scale)
            assert values.min() >= entry["lo"] - 1e-6 and values.max() <= entry["hi"] + 1e-6
        elif entry["dtype"] == "float32":  # parameters: the very same float32 numbers
            kinds["float32"] += 1
            assert got["type"] == "Float32Array", name
            np.testing.assert_array_equal(values, want.astype(np.float64))
        else:  # a dropout mask
            kinds["mask"] += 1
            assert got["type"] == "Uint8Array", name
            np.testing.assert_array_equal(values, want)
            assert set(np.unique(values)) <= {0, 1}
    assert kinds["float32"] >= 8 and kinds["map"] == 3 and kinds["mask"] == 2
    # the output map spans its range: not left as raw bytes 0..255
    out = np.array(page["arrays"]["output_map"]["data"])
    entry = next(e for e in header["arrays"] if e["name"] == "output_map")
    assert abs(out.min() - entry["lo"]) < 1e-6 and abs(out.max() - entry["hi"]) < 1e-6

    unaligned = bare.evaluate(DECODE_JS, {"b64": b64, "shift": 1})
    assert unaligned == page


def test_decode_frame_rejects_a_truncated_message(bare: object, message: bytes) -> None:
    header, _ = decode(message)
    (length,) = struct.unpack_from("<I", message, 0)
    start = 4 + length + (-(4 + length)) % 4
    last = header["arrays"][-1]
    b64 = base64.b64encode(message).decode()
    cases = {
        3: "frame: shorter than its 4-byte header length",
        4 + length // 2: "frame: header runs past the end",
        start + last["offset"] + 2: f"frame: array {last['name']} runs past the end",
    }
    for cut, text in cases.items():
        result = bare.evaluate(TRUNCATED_JS, {"b64": b64, "cut": cut})
        assert result == {"isError": True, "message": text}, cut
    assert bare.evaluate(TRUNCATED_JS, {"b64": b64, "cut": len(message)}) is None


# ---------------------------------------------------------------------------
# output/view.js

OUTPUT_JS = """async ({points, frame, size, label}) => {
  const { OutputView } = await import('/static/js/output/view.js');
  const { plotRect } = await import('/static/js/output/point_layer.js');
  const canvas = mount(size, size, label);
  const view = new OutputView(canvas);
  window.out = { canvas, view, plot: plotRect({ width: size, height: size }) };
  if (points) view.setPoints(points);
  show(frame);
}"""

SHOW_JS = """
/** Draw a made-up frame: {header, map: {data, shape} | null, nan?: true}. */
window.show = (frame) => {
  const arrays = {};
  if (frame.map) {
    const data = Float32Array.from(frame.map.data);
    if (frame.nan) data[0] = NaN;
    arrays.output_map = { data, shape: frame.map.shape };
  }
  out.view.update({ header: frame.header, arrays });
};
/** Pixels at data points [x, y] of a plot whose axes span `extent` (x) and `yRange` (y). */
window.probe = (points, extent, yRange) => points.map(([x, y]) => {
  const p = out.plot;
  const px = p.x + ((x - extent[0]) / (extent[1] - extent[0])) * p.w;
  const py = p.y + ((yRange[1] - y) / (yRange[1] - yRange[0])) * p.h;
  return pixel(out.canvas, px, py);
});
/** Pixels at offsets (CSS px) from the data point [x, y]. */
window.around = ([x, y], offsets, extent, yRange) => {
  const p = out.plot;
  const px = p.x + ((x - extent[0]) / (extent[1] - extent[0])) * p.w;
  const py = p.y + ((yRange[1] - y) / (yRange[1] - yRange[0])) * p.h;
  return offsets.map(([dx, dy]) => pixel(out.canvas, px + dx, py + dy));
};
"""

PLANE = [-1.0, 1.0, -1.0, 1.0]
Y_PLANE = [-1.0, 1.0]


def open_output(page: object, points: object, frame: dict, label: str = "Output map") -> None:
    page.add_script_tag(content=SHOW_JS)
    page.evaluate(OUTPUT_JS, {"points": points, "frame": frame, "size": 400, "label": label})


def half_map(g: int = 20) -> dict:
    """(g, g) output: 1.0 on the left half of the plane, 0.0 on the right."""
    data = [1.0 if col < g // 2 else 0.0 for _row in range(g) for col in range(g)]
    return {"data": data, "shape": [g, g]}


def plane_frame(**header: object) -> dict:
    return {"header": {"extent": PLANE, "status": "training", "train_loss": 0.3, **header},
            "map": half_map()}


BINARY_POINTS = {"dims": 2, "task": "binary", "classes": 2, "extent": PLANE,
                 "train": [[0.5, 0.5, 1]], "test": [[0.5, -0.5, 1]]}


def test_a_binary_map_is_painted_on_the_diverging_palette(bare: object) -> None:
    open_output(bare, BINARY_POINTS, plane_frame())
    left, right, top_left, bottom_right = bare.evaluate(
        "probe([[-0.5, 0], [0.5, 0], [-0.9, 0.9], [0.9, -0.9]], [-1, 1], [-1, 1])")
    assert orangeish(left) and orangeish(top_left)
    assert blueish(right) and blueish(bottom_right)
    # p = 1 -> t = (2p - 1) * 0.82, p = 0 -> t = -0.82
    assert_rgb(left, diverging(MAP_STRENGTH))
    assert_rgb(right, diverging(-MAP_STRENGTH))
    assert_rgb(top_left, diverging(MAP_STRENGTH))


def test_train_points_are_filled_and_test_points_hollow(bare: object) -> None:
    # both points are class 1 (orange), both on the blue half of the map
    open_output(bare, BINARY_POINTS, plane_frame())
    train_centre, test_centre = bare.evaluate("probe([[0.5, 0.5], [0.5, -0.5]], [-1, 1], [-1, 1])")
    assert_rgb(train_centre, OKABE_ITO[1], tol=2)  # filled with the class colour
    assert_rgb(test_centre, diverging(-MAP_STRENGTH))  # the map shows through the ring
    # two points: drawn large (10 px), the ring on the radius
    r = float(bare.evaluate("out.canvas.dataset.pointRadius"))
    assert r == 10
    ring = [[r, 0], [-r, 0], [0, r], [0, -r]]
    test_ring = bare.evaluate(f"around([0.5, -0.5], {ring}, [-1, 1], [-1, 1])")
    assert all(orangeish(p) for p in test_ring), test_ring
    assert all(not orangeish(p) for p in bare.evaluate(
        "around([0.5, -0.5], [[0, 0], [1, 0], [0, 1], [-1, -1]], [-1, 1], [-1, 1])"))


def test_a_multiclass_map_shows_the_most_likely_class(bare: object) -> None:
    g = 30
    thirds = [[0.8, 0.1, 0.1], [0.05, 0.15, 0.8], [0.1, 0.85, 0.05]]  # argmax 0, 2, 1
    data = [p for _row in range(g) for col in range(g) for p in thirds[col * 3 // g]]
    points = {"dims": 2, "task": "multiclass", "classes": 3, "extent": PLANE,
              "train": [], "test": []}
    frame = {"header": {"extent": PLANE, "status": "training", "train_loss": 0.4},
             "map": {"data": data, "shape": [g, g, 3]}}
    open_output(bare, points, frame)
    pixels = bare.evaluate("probe([[-2 / 3, 0.3], [0, -0.3], [2 / 3, 0.6]], [-1, 1], [-1, 1])")
    for pixel, probs, cls in zip(pixels, thirds, [0, 2, 1], strict=True):
        first, second = sorted(probs, reverse=True)[:2]
        strength = (first - second) * MAP_STRENGTH
        expected = NEUTRAL + (np.array(OKABE_ITO[cls]) - NEUTRAL) * strength
        assert_rgb(pixel, expected, tol=2)


def test_a_one_dimensional_regression_draws_its_curve(bare: object) -> None:
    g = 50
    xs = [-1 + (i + 0.5) / g * 2 for i in range(g)]
    curve = [0.8 * x for x in xs]  # the fitted line y = 0.8 x
    points = {"dims": 1, "task": "regression", "classes": None, "extent": [-1.0, 1.0],
              "train": [[-1.0, -1.0], [1.0, 1.0]], "test": [[0.0, 0.9]]}
    frame = {"header": {"extent": [-1.0, 1.0], "status": "training", "train_loss": 0.1},
             "map": {"data": curve, "shape": [g]}}
    open_output(bare, points, frame)
    y_range = [-1.24, 1.24]  # the targets' range [-1, 1] widened by 12%
    on_curve = [[x, 0.8 * x] for x in (-0.6, -0.2, 0.3, 0.7)]
    darkest = bare.evaluate(
        f"""{on_curve}.map(([x, y]) => around([x, y], [[0, -1], [0, 0], [0, 1]],
              [-1, 1], {y_range}).reduce((a, p) => Math.max(...p.slice(0, 3)) <
              Math.max(...a.slice(0, 3)) ? p : a))""")
    assert all(max(p[:3]) < INK_DARK for p in darkest), darkest
    off_curve = [[x, 0.8 * x + d] for x in (-0.6, 0.3) for d in (-0.4, 0.4)]
    background = bare.evaluate(f"probe({off_curve}, [-1, 1], {y_range})")
    assert all(p[:3] == [255, 255, 255] for p in background), background  # --nn-surface


def test_a_diverged_run_shows_the_message_instead_of_the_map(bare: object) -> None:
    open_output(bare, BINARY_POINTS, plane_frame())
    message = bare.locator(".nn-diverged")
    assert message.count() == 0 or not message.is_visible()
    text = bare.evaluate("import('/static/js/output/view.js').then((m) => m.DIVERGED_MESSAGE)")
    assert "diverged" in text

    def diverged_state(frame: dict) -> tuple[bool, str, list[int]]:
        bare.evaluate("(frame) => show(frame)", frame)
        pixel = bare.evaluate("probe([[-0.5, 0]], [-1, 1], [-1, 1])[0]")
        return message.is_visible(), bare.evaluate("out.canvas.getAttribute('aria-label')"), pixel

    for frame in (plane_frame(status="diverged"), plane_frame(train_loss=None),
                  plane_frame(train_loss=1e31), {**plane_frame(), "nan": True}):
        visible, label, pixel = diverged_state(frame)
        assert visible and label == text, frame["header"]
        assert_rgb(pixel, DIVERGED_GREY, tol=1)
        assert message.text_content() == text
        box, canvas = message.bounding_box(), bare.locator("canvas").bounding_box()
        assert box["x"] == pytest.approx(canvas["x"] + 46)  # over the plot
        assert box["width"] == pytest.approx(400 - 56)
        visible, label, pixel = diverged_state(plane_frame())  # the run recovers
        assert not visible and label == "Output map"
        assert orangeish(pixel)


# ---------------------------------------------------------------------------
# charts.js

CHARTS_JS = """async () => {
  const { GradientChart, LossChart } = await import('/static/js/charts/charts.js');
  const loss = new LossChart(mount(600, 220));
  const grad = new GradientChart(mount(600, 220));
  window.charts = { loss, grad };
}"""

PUSH_JS = """async (headers) => {
  for (const header of headers) {
    charts.loss.push({ header, arrays: {} });
    charts.grad.push({ header, arrays: {} });
  }
  await frames2();
  return { lines: charts.grad.canvas.dataset.lines, points: charts.grad.canvas.dataset.points };
}"""

HOVER_JS = """async ({chart, step, towards}) => {
  // the pointer `towards` of the way from `step` to the next row's step
  const c = charts[chart];
  const size = { width: c.canvas.clientWidth, height: c.canvas.clientHeight };
  const plot = c.plotArea(size);
  const first = c.rows[0].step;
  const last = c.rows[c.rows.length - 1].step;
  const next = c.rows[c.rows.findIndex((r) => r.step === step) + 1].step;
  const at = step + towards * (next - step);
  const box = c.canvas.getBoundingClientRect();
  return [box.left + plot.x + ((at - first) / (last - first)) * plot.w,
          box.top + plot.y + plot.h / 2];
}"""

HOVER_BOX_JS = """(chart) => {
  const box = charts[chart].canvas.parentElement.querySelector('.nn-hover');
  if (!box || box.hidden) return null;
  return {
    title: box.querySelector('.nn-hover-title').textContent,
    rows: [...box.querySelectorAll('.nn-hover-row')].map((row) =>
      [row.children[1].textContent, row.querySelector('.nn-hover-value').textContent]),
  };
}"""


def made_up_header(i: int, dense: int, step: int | None = None) -> dict:
    """Frame i of a run with `dense` dense layers (an activation after each but the last)."""
    layers = []
    for j in range(dense):
        layers.append({"path": str(2 * j), "type": "dense", "units": 4,
                       "weight_grad_norm": (j + 1) * 10.0 ** -(j + 1) * (1 + i / 10),
                       "input_grad_norm": 0.1})
        if j < dense - 1:
            layers.append({"path": str(2 * j + 1), "type": "activation", "name": "tanh"})
    return {"step": 10 * i if step is None else step, "epoch": 0, "status": "training",
            "train_loss": 1 / (1 + i), "test_loss": 1.5 / (1 + i),
            "train_accuracy": 0.5 + i / 100, "test_accuracy": 0.4 + i / 100, "layers": layers}


def hover(page: object, chart: str, step: int, towards: float, title: str) -> dict:
    """Move the pointer over `chart` `towards` of the way from `step` to the next
    row, wait for the hover box titled `title`, and return its title and rows."""
    x, y = page.evaluate(HOVER_JS, {"chart": chart, "step": step, "towards": towards})
    page.mouse.move(x, y)
    page.wait_for_function(f"({HOVER_BOX_JS})('{chart}')?.title === {title!r}", timeout=5000)
    return page.evaluate(HOVER_BOX_JS, chart)


def test_the_gradient_chart_draws_one_line_per_dense_layer(bare: object) -> None:
    bare.evaluate(CHARTS_JS)
    n = 30
    drawn = bare.evaluate(PUSH_JS, [made_up_header(i, 3) for i in range(n)])
    assert drawn == {"lines": "3", "points": str(n)}
    # another network (5 dense layers) at later steps: the chart starts afresh
    drawn = bare.evaluate(PUSH_JS, [made_up_header(i, 5, step=400 + 10 * i) for i in range(7)])
    assert drawn == {"lines": "5", "points": "7"}
    # a step back (the run was reset) starts afresh too
    drawn = bare.evaluate(PUSH_JS, [made_up_header(i, 5) for i in range(2)])
    assert drawn == {"lines": "5", "points": "2"}
    # the same step again replaces the last row (a frame after a command)
    drawn = bare.evaluate(PUSH_JS, [made_up_header(1, 5), made_up_header(2, 5)])
    assert drawn == {"lines": "5", "points": "3"}
    bare.evaluate("charts.grad.reset()")
    drawn = bare.evaluate(PUSH_JS, [made_up_header(i, 2) for i in range(4)])
    assert drawn == {"lines": "2", "points": "4"}


def test_hovering_a_chart_shows_the_nearest_steps_values(bare: object) -> None:
    bare.evaluate(CHARTS_JS)
    bare.evaluate(PUSH_JS, [made_up_header(i, 3) for i in range(30)])
    for towards, i in ((0.3, 13), (0.7, 14)):
        box = hover(bare, "grad", 130, towards, f"step {10 * i}")
        norms = made_up_header(i, 3)["layers"][::2]
        assert box["rows"] == [
            [name, f"{layer['weight_grad_norm']:.3g}"]
            for name, layer in zip(["layer 1 (input side)", "layer 2", "output"], norms,
                                   strict=True)]
    assert box["rows"][0] == ["layer 1 (input side)", "0.24"]

    box = hover(bare, "loss", 200, 0.4, "step 200")
    h = made_up_header(20, 3)
    assert box["rows"] == [
        ["train loss", f"{h['train_loss']:.4g}"], ["test loss", f"{h['test_loss']:.4g}"],
        ["train accuracy", "70.0%"], ["test accuracy", "60.0%"]]
    bare.mouse.move(1, 1)  # leaving the canvas hides the box
    bare.wait_for_function(f"({HOVER_BOX_JS})('loss') === null")


def test_the_gradient_legend_names_every_layer_in_columns(bare: object) -> None:
    # eleven dense layers in a chart 170 px high: more than one column holds
    shown = bare.evaluate("""async (headers) => {
      const { GradientChart } = await import('/static/js/charts/charts.js');
      const chart = new GradientChart(mount(560, 170));
      for (const header of headers) chart.push({ header, arrays: {} });
      await frames2();
      const size = { width: 560, height: 170 };
      return { legend: JSON.parse(chart.canvas.dataset.legend), plot: chart.plotArea(size) };
    }""", [made_up_header(i, 11) for i in range(3)])
    assert shown["legend"] == (["layer 1 (input side)"] + [f"layer {i}" for i in range(2, 11)]
                               + ["output"])
    assert 200 < shown["plot"]["w"] < 560 - 50 - 100  # room left for two legend columns


def test_the_gradient_chart_by_depth_draws_the_newest_rows_bars(bare: object) -> None:
    bare.evaluate(CHARTS_JS)
    bare.evaluate(PUSH_JS, [made_up_header(i, 4) for i in range(5)])
    bare.evaluate("charts.grad.setView('depth')")
    bare.wait_for_function("charts.grad.canvas.dataset.view === 'depth'")
    drawn = bare.evaluate("({...charts.grad.canvas.dataset})")
    newest = [layer["weight_grad_norm"] for layer in made_up_header(4, 4)["layers"][::2]]
    assert drawn["bars"] == "4" and drawn["step"] == "40"
    assert json.loads(drawn["values"]) == newest
    assert json.loads(drawn["labels"]) == ["1", "2", "3", "out"]
    assert json.loads(drawn["yTicks"]) == ["1e-4", "1e-3", "1e-2", "1e-1", "1e0"]
    assert "lines" not in drawn and "legend" not in drawn
    bare.evaluate(PUSH_JS, [made_up_header(5, 4)])  # a new frame: its bars
    bare.wait_for_function("charts.grad.canvas.dataset.step === '50'")


def test_charts_on_a_shared_axis_draw_the_union_of_their_ranges(bare: object) -> None:
    ticks = bare.evaluate("""async () => {
      const { LossChart } = await import('/static/js/charts/charts.js');
      const { SharedAxis } = await import('/static/js/charts/shared_axis.js');
      const small = new LossChart(mount(400, 200), { log: true });
      const large = new LossChart(mount(400, 200), { log: true });
      const rows = (losses) => losses.map((loss, i) => ({ header: { step: 10 * i,
        train_loss: loss, test_loss: loss } }));
      rows([1e-3, 1e-4, 2e-6]).forEach((frame) => small.push(frame));
      rows([2, 0.5, 0.02]).forEach((frame) => large.push(frame));
      const read = async () => { await frames2();
        return [small, large].map((c) => JSON.parse(c.canvas.dataset.yTicks)); };
      const own = await read();
      const axis = new SharedAxis();
      axis.add(small);
      axis.add(large);
      const shared = await read();
      large.push({ header: { step: 30, train_loss: 50, test_loss: 60 } });
      const widened = await read();
      axis.delete(large);
      const apart = await read();
      return { own, shared, widened, apart };
    }""")
    assert ticks["own"][0] == ["1e-6", "1e-5", "0.0001", "0.001"]
    assert ticks["own"][1] == ["0.01", "0.1", "1", "10"]
    # 1e-6 to 10, every other decade labelled (and the top one)
    assert ticks["shared"][0] == ticks["shared"][1] == ["1e-6", "0.0001", "0.01", "1", "10"]
    # a new frame on one side moves both
    assert ticks["widened"][0] == ticks["widened"][1] == ["1e-6", "0.0001", "0.01", "1", "100"]
    assert ticks["apart"][0] == ["1e-6", "1e-5", "0.0001", "0.001"]


def test_small_numbers_keep_their_digits(bare: object) -> None:
    written = bare.evaluate("""async () => {
      const { formatMetric, formatNumber } = await import('/static/js/charts/scales.js');
      const values = [0.69, 0.00042, 0.000123456, 4.2e-5, 1234.5, 0, null];
      return { metric: values.map((v) => formatMetric(v)),
               label: values.map((v) => formatNumber(v)) };
    }""")
    assert written["metric"] == ["0.690", "0.000420", "0.000123", "4.20e-5", "1235", "0", "–"]
    assert written["label"] == ["0.69", "0.00042", "0.000123", "4.2e-5", "1230", "0", "–"]


# ---------------------------------------------------------------------------
# explorer.js

IDENTITIES_JS = """async (tamper) => {
  const { checkIdentities, checkSlope } = await import('/static/js/playground/explorer.js');
  const activations = await (await fetch('/api/activations')).json();
  const curves = activations.hidden.map((c) => ({ ...c, f: c.f.slice(), df: c.df.slice() }));
  const curve = (name) => curves.find((c) => c.name === name);
  if (tamper === 'sigmoid_df') curve('sigmoid').df[150] += 1e-6;
  if (tamper === 'tanh_f') curve('tanh').f = curve('tanh').f.map((v) => v * 1.001);
  if (tamper === 'swap_df') curve('sigmoid').df = curve('tanh').df.slice();
  const x = activations.x;
  return {
    identities: checkIdentities(x, curves).map(({ formula, ok, error, count, text }) =>
      ({ formula, ok, error, count, text })),
    slopes: Object.fromEntries(curves.map((c) => [c.name, checkSlope(x, c).ok])),
  };
}"""


def test_the_activation_identities_hold_and_a_wrong_curve_fails(bare: object,
                                                                server: str) -> None:
    catalogue = httpx.get(f"{server}/api/activations").json()
    x = np.array(catalogue["x"])
    curve = {c["name"]: (np.array(c["f"]), np.array(c["df"])) for c in catalogue["hidden"]}
    (sf, sdf), (tf, tdf) = curve["sigmoid"], curve["tanh"]
    doubled = [(i, int(np.argmin(np.abs(x - 2 * v)))) for i, v in enumerate(x)
               if np.abs(x - 2 * v).min() <= 1e-6 * (x[1] - x[0])]
    expected = [np.abs(sdf - sf * (1 - sf)).max(), np.abs(tdf - (1 - tf * tf)).max(),
                max(abs(tf[i] - (2 * sf[j] - 1)) for i, j in doubled)]

    good = bare.evaluate(IDENTITIES_JS, None)
    assert [c["count"] for c in good["identities"]] == [len(x), len(x), len(doubled)]
    for check, error in zip(good["identities"], expected, strict=True):
        assert check["ok"] and check["error"] < 1e-12, check
        assert check["error"] == error  # the same double arithmetic as NumPy's
        assert "holds" in check["text"]
    assert all(good["slopes"].values()) and len(good["slopes"]) >= 5

    bad = bare.evaluate(IDENTITIES_JS, "sigmoid_df")
    sigmoid_check = bad["identities"][0]
    assert not sigmoid_check["ok"] and "does not hold" in sigmoid_check["text"]
    assert sigmoid_check["error"] == pytest.approx(1e-6, rel=1e-6)
    assert bad["identities"][1]["ok"] and bad["identities"][2]["ok"]

    bad = bare.evaluate(IDENTITIES_JS, "tanh_f")
    assert [c["ok"] for c in bad["identities"]] == [True, False, False]
    assert min(c["error"] for c in bad["identities"][1:]) > 1e-4

    bad = bare.evaluate(IDENTITIES_JS, "swap_df")
    assert not bad["identities"][0]["ok"] and not bad["slopes"]["sigmoid"]
    assert bad["slopes"]["tanh"]


def test_the_explorer_marks_a_failing_identity(bare: object) -> None:
    shown = bare.evaluate("""async () => {
      const { ActivationExplorer } = await import('/static/js/playground/explorer.js');
      const activations = await (await fetch('/api/activations')).json();
      const box = document.createElement('div');
      document.body.append(box);
      new ActivationExplorer(box, activations);
      const tampered = structuredClone(activations);
      tampered.hidden.find((c) => c.name === 'sigmoid').df[40] *= 1.01;
      const other = document.createElement('div');
      document.body.append(other);
      new ActivationExplorer(other, tampered);
      const marks = (root) => [...root.querySelectorAll('.nn-identity')]
        .map((li) => li.classList.contains('nn-ok') ? 'ok' : 'fail');
      return { good: marks(box), bad: marks(other),
               text: other.querySelector('.nn-identity.nn-fail').textContent };
    }""")
    assert shown["good"] == ["ok", "ok", "ok", "ok"]  # three identities and tanh's slope
    assert shown["bad"] == ["fail", "ok", "ok", "ok"]
    assert "sigmoid′(x) = p (1 − p)" in shown["text"] and "does not hold" in shown["text"]


def test_playground_charts_keep_their_size_through_resizes_at_125_percent(
        browser: object, server: str) -> None:
    before, after, _ = sizes_through_resizes(browser, server, open_playground,
                                             "#loss-chart, #gradient-chart")
    assert len(before) == 2 and after == before
