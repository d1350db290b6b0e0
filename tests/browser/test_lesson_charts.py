"""The playground's charts show what the lessons' texts promise, in headless
Chromium: the loss chart on a log scale with small losses written in full
(universal-approximation), the gradient norms as one bar per layer
(vanishing-gradients), a lesson opening its charts as its catalogue entry's
`display` asks, and three variants side by side on shared axes (residual), in
English and Traditional Chinese.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from app.frames import header_of
from tests.browser.conftest import open_playground
from tests.browser.test_playground import load_lesson, play_until

THREE_DIGITS = re.compile(r"0\.0*[1-9]\d\d|[1-9]\.\d\de-\d+|[1-9]\.\d\d|[1-9]\d\.\d")
"""A loss written with three significant digits: 0.690, 0.000412, 4.12e-5."""

HOVER_ROWS = """(testid) => {
  const box = document.querySelector(`[data-testid=${testid}] ~ .nn-hover`);
  if (!box || box.hidden) return null;
  return { title: box.querySelector('.nn-hover-title').textContent,
           rows: [...box.querySelectorAll('.nn-hover-row')].map((row) =>
             [row.children[1].textContent, row.querySelector('.nn-hover-value').textContent]) };
}"""

BAR_HEIGHTS = """() => {
  // each bar's drawn height (CSS px): from the plot's floor to the highest pixel,
  // searched down from the plot's top, that has the colour the bar has just
  // above the floor (its value may be written inside its top, in another colour)
  const c = document.querySelector('[data-testid=gradient-chart]');
  const [x0, y0, w, h] = JSON.parse(c.dataset.plot);
  const dpr = c.width / c.clientWidth;
  const n = Number(c.dataset.bars);
  const ctx = c.getContext('2d');
  const same = (d, i, ref) => [0, 1, 2].every((k) => Math.abs(d[4 * i + k] - ref[k]) <= 2);
  return [...Array(n).keys()].map((i) => {
    const x = Math.round((x0 + (i + 0.5) * (w / n)) * dpr);
    const d = ctx.getImageData(x, 0, 1, c.height).data;
    const floor = Math.floor((y0 + h) * dpr) - 2;
    const ref = [d[4 * floor], d[4 * floor + 1], d[4 * floor + 2]];
    let top = Math.floor(y0 * dpr);
    while (top < floor && !same(d, top, ref)) top += 1;
    return (y0 + h) - top / dpr;
  });
}"""


def dataset(page: object, testid: str) -> dict:
    return page.evaluate(f"({{...document.querySelector('[data-testid={testid}]').dataset}})")


def ticks(page: object, testid: str) -> list[str]:
    return json.loads(dataset(page, testid)["yTicks"])


def is_decade(label: str) -> bool:
    exponent = math.log10(float(label))
    return abs(exponent - round(exponent)) < 1e-9


def test_the_loss_chart_goes_log_and_small_losses_keep_their_digits(page: object) -> None:
    open_playground(page)
    load_lesson(page, "universal-approximation")
    page.select_option("[data-testid=speed]", "20")
    play_until(page, "Number(document.querySelector('[data-testid=train-loss]').textContent)"
                     " < 0.001", timeout=60000)
    page.wait_for_function("document.querySelector('[data-testid=play]').textContent === 'Play'")
    train = page.text_content("[data-testid=train-loss]")
    assert THREE_DIGITS.fullmatch(train), train  # not 0.000
    assert 0 < float(train) < 0.001
    assert THREE_DIGITS.fullmatch(page.text_content("[data-testid=test-loss]"))

    # the lesson opens its loss chart on a log scale (its display); linear from 0,
    # the small losses sit on the floor
    assert dataset(page, "loss-chart")["scale"] == "log"
    assert page.is_checked("[data-testid=loss-log]")
    page.uncheck("[data-testid=loss-log]")
    page.wait_for_function(
        "document.querySelector('[data-testid=loss-chart]').dataset.scale === 'linear'")
    linear = ticks(page, "loss-chart")
    assert linear[0] == "0" and not all(is_decade(x) for x in linear[1:])
    page.check("[data-testid=loss-log]")
    page.wait_for_function(
        "document.querySelector('[data-testid=loss-chart]').dataset.scale === 'log'")
    decades = ticks(page, "loss-chart")
    assert all(is_decade(x) for x in decades), decades
    assert float(decades[0]) <= float(train) and float(decades[-1]) >= 0.1  # the start's loss
    assert math.log10(float(decades[-1]) / float(decades[0])) >= 3

    # hover at the newest step: the loss with its digits
    box = page.locator("[data-testid=loss-chart]").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 16, box["y"] + box["height"] / 2)
    page.wait_for_function(f"({HOVER_ROWS})('loss-chart') !== null", timeout=5000)
    rows = dict(page.evaluate(HOVER_ROWS, "loss-chart")["rows"])
    assert float(rows["train loss"]) == pytest.approx(float(train), rel=5e-3)


def test_the_gradient_chart_by_depth_draws_a_bar_per_layer_from_the_frame(page: object) -> None:
    frames: list[dict] = []

    def watch(ws: object) -> None:
        ws.on("framereceived",
              lambda payload: frames.append(header_of(payload)) if isinstance(payload, bytes)
              else None)

    page.on("websocket", watch)
    open_playground(page)
    load_lesson(page, "vanishing-gradients")
    page.click("[data-testid=step]")
    page.wait_for_function("document.querySelector('[data-testid=step-count]').textContent === '1'")

    # the lesson opens its gradient chart by depth (its display); over time, the
    # legend names every layer (nine dense layers)
    assert page.get_attribute("[data-testid=gradient-view-depth]", "aria-pressed") == "true"
    page.click("[data-testid=gradient-view-time]")
    names = ["layer 1 (input side)"] + [f"layer {i}" for i in range(2, 9)] + ["output"]
    page.wait_for_function(
        "JSON.parse(document.querySelector('[data-testid=gradient-chart]').dataset.legend "
        "|| '[]').length === 9")
    assert json.loads(dataset(page, "gradient-chart")["legend"]) == names
    assert page.get_attribute("[data-testid=gradient-view-time]", "aria-pressed") == "true"

    page.click("[data-testid=gradient-view-depth]")
    page.click("[data-testid=step]")
    page.wait_for_function(
        "document.querySelector('[data-testid=gradient-chart]').dataset.view === 'depth' && "
        "document.querySelector('[data-testid=gradient-chart]').dataset.step === '2'")
    step = 2
    assert page.get_attribute("[data-testid=gradient-view-depth]", "aria-pressed") == "true"
    drawn = dataset(page, "gradient-chart")
    header = next(h for h in reversed(frames) if h["step"] == step)
    norms = [layer["weight_grad_norm"] for layer in header["layers"] if layer["type"] == "dense"]
    assert drawn["bars"] == "9"
    assert json.loads(drawn["values"]) == pytest.approx(norms, rel=1e-12)
    assert json.loads(drawn["labels"]) == [str(i) for i in range(1, 9)] + ["out"]
    # the vanishing-gradient staircase: orders of magnitude from the output down
    assert norms[-1] / norms[0] > 1e3

    # the bars as drawn: each as high as its norm on the log axis
    decades = json.loads(drawn["yTicks"])
    assert all(is_decade(x) for x in decades)
    lo, hi = math.log10(float(decades[0])), math.log10(float(decades[-1]))
    plot_height = json.loads(drawn["plot"])[3]
    heights = page.evaluate(BAR_HEIGHTS)
    expected = [(math.log10(v) - lo) / (hi - lo) * plot_height for v in norms]
    assert heights == pytest.approx(expected, abs=2.5)

    # hovering a bar names its layer and its norm
    box = page.locator("[data-testid=gradient-chart]").bounding_box()
    x0, y0, w, h = json.loads(drawn["plot"])
    page.mouse.move(box["x"] + x0 + w / 18, box["y"] + y0 + h / 2)
    page.wait_for_function(f"({HOVER_ROWS})('gradient-chart') !== null", timeout=5000)
    hover = page.evaluate(HOVER_ROWS, "gradient-chart")
    assert hover["title"] == f"step {step}"
    assert hover["rows"][0][0] == "layer 1 (input side)"
    assert float(hover["rows"][0][1]) == pytest.approx(norms[0], rel=1e-2)


def test_a_lesson_opens_its_charts_as_its_display_asks(page: object) -> None:
    # the catalogue's displays: vanishing-gradients by depth, universal-approximation
    # on a log scale; the others as the page's defaults
    open_playground(page)
    assert page.get_attribute("[data-testid=gradient-view-time]", "aria-pressed") == "true"
    assert not page.is_checked("[data-testid=loss-log]")

    load_lesson(page, "vanishing-gradients")
    page.wait_for_function(
        "document.querySelector('[data-testid=gradient-chart]').dataset.view === 'depth' && "
        "document.querySelector('[data-testid=gradient-chart]').dataset.bars === '9'")
    assert page.get_attribute("[data-testid=gradient-view-depth]", "aria-pressed") == "true"
    assert not page.is_checked("[data-testid=loss-log]")

    load_lesson(page, "universal-approximation")
    page.wait_for_function(
        "document.querySelector('[data-testid=loss-chart]').dataset.scale === 'log' && "
        "document.querySelector('[data-testid=gradient-chart]').dataset.view === 'time'")
    assert page.is_checked("[data-testid=loss-log]")
    assert page.get_attribute("[data-testid=gradient-view-time]", "aria-pressed") == "true"

    # its comparison opens the same way, and a reload of the lesson's link too
    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-compare]")
    page.wait_for_function("document.querySelectorAll('.compare-side').length === 3 && "
                           "[...document.querySelectorAll('.compare-side canvas.compare-chart')]"
                           ".filter((c) => c.dataset.scale === 'log').length === 3")
    assert page.is_checked("[data-testid=compare-loss-log]")
    page.click("[data-testid=compare-close]")
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function(
        "document.querySelector('[data-testid=loss-chart]').dataset.scale === 'log'")


def test_three_variants_run_side_by_side_on_shared_axes(page: object) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    open_playground(page)
    page.click("[data-testid=open-lessons]")

    # four variants: the preset and its neighbour ticked, a third may join, not a fourth
    page.click("[data-testid=lesson-dead-relu]")
    boxes = page.locator("[data-testid=lesson-compare-choice] input[type=checkbox]")
    assert boxes.count() == 4
    assert [boxes.nth(i).is_checked() for i in range(4)] == [True, True, False, False]
    page.check("[data-testid=lesson-compare-prelu]")
    assert page.is_disabled("[data-testid=lesson-compare-rrelu]")
    assert page.is_enabled("[data-testid=lesson-compare]")
    page.uncheck("[data-testid=lesson-compare-relu]")
    assert page.is_enabled("[data-testid=lesson-compare-rrelu]")
    page.uncheck("[data-testid=lesson-compare-prelu]")
    assert page.is_disabled("[data-testid=lesson-compare]")  # one is not a comparison

    # residual: its three variants, all ticked
    page.click("[data-testid=lesson-residual]")
    for name in ("shallow", "deep-plain", "deep-residual"):
        assert page.is_checked(f"[data-testid=lesson-compare-{name}]")
    page.click("[data-testid=lesson-compare]")
    compare = page.locator("[data-testid=compare]")
    compare.wait_for(state="visible", timeout=20000)
    sides = compare.locator(".compare-side")
    assert sides.count() == 3
    page.click("[data-testid=compare-gradient-view-depth]")
    page.click("[data-testid=compare-play]")
    metrics = "[...document.querySelectorAll('.compare-metrics')]"
    page.wait_for_function(f"{metrics}.every((p) => Number(p.dataset.step || 0) >= 150)",
                           timeout=60000)
    page.click("[data-testid=compare-play]")  # pause all
    page.wait_for_function(f"{metrics}.every((p) => p.dataset.playing === 'false')")
    assert page.text_content("[data-testid=compare-play]") == "Play all"

    # each side got its own frames
    for name in ("shallow", "deep-plain", "deep-residual"):
        text = page.text_content(f"[data-testid=compare-metrics-{name}]")
        assert re.search(r"step \d+ · train loss \S+ · test loss \S+", text), text

    # one screen at 1440 x 900 holds the three side by side
    boxes_xy = [sides.nth(i).bounding_box() for i in range(3)]
    assert boxes_xy[0]["x"] < boxes_xy[1]["x"] < boxes_xy[2]["x"]
    assert len({round(b["y"]) for b in boxes_xy}) == 1
    assert boxes_xy[2]["x"] + boxes_xy[2]["width"] <= 1440
    top = compare.bounding_box()["y"]
    assert max(b["y"] + b["height"] for b in boxes_xy) - top <= 900

    # shared axes: the same ticks on every side, over the union of their values
    names = ("shallow", "deep-plain", "deep-residual")
    charts = "[...document.querySelectorAll('.compare-side canvas.compare-chart')]"
    page.wait_for_function(
        f"{charts}.every((c) => c.dataset.step === undefined || c.dataset.step === "
        "c.closest('.compare-side').querySelector('.compare-metrics').dataset.step)")
    losses = [ticks(page, f"compare-loss-{n}") for n in names]
    assert losses[0] == losses[1] == losses[2]
    grads = [dataset(page, f"compare-gradient-{n}") for n in names]
    assert grads[0]["yTicks"] == grads[1]["yTicks"] == grads[2]["yTicks"]
    values = {n: json.loads(g["values"]) for n, g in zip(names, grads, strict=True)}
    assert [len(values[n]) for n in names] == [3, 11, 11]
    lowest = float(json.loads(grads[0]["yTicks"])[0])
    assert lowest <= min(min(v) for v in values.values())
    # the shallow net's own norms are far above the shared floor the deep plain net sets
    assert min(values["shallow"]) > 100 * lowest


def test_the_new_chart_controls_in_traditional_chinese(page: object) -> None:
    open_playground(page, "/?lang=zh-Hant")
    assert page.text_content("label[for=loss-log]").strip() == "對數刻度"
    assert page.text_content("[data-testid=gradient-view-time]").strip() == "隨時間"
    assert page.text_content("[data-testid=gradient-view-depth]").strip() == "依深度"
    assert page.text_content("label[for=compare-loss-log]").strip() == "損失用對數刻度"
    page.click("[data-testid=gradient-view-depth]")
    page.click("[data-testid=step]")
    page.wait_for_function(
        "document.querySelector('[data-testid=gradient-chart]').dataset.view === 'depth' && "
        "document.querySelector('[data-testid=gradient-chart]').dataset.step === "
        "document.querySelector('[data-testid=step-count]').textContent")
    labels = json.loads(dataset(page, "gradient-chart")["labels"])
    assert labels == ["1", "2", "輸出"]  # the default 4-2 net: three dense layers
    page.click("[data-testid=gradient-view-time]")
    page.wait_for_function(
        "document.querySelector('[data-testid=gradient-chart]').dataset.legend")
    assert json.loads(dataset(page, "gradient-chart")["legend"]) == [
        "第 1 層（輸入端）", "第 2 層", "輸出"]

    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-activations]")
    choice = page.locator("[data-testid=lesson-compare-choice]")
    assert choice.locator("legend").text_content() == "並排比較兩個或三個變體"
    assert choice.locator("input:checked").count() == 3
    for i in range(3):
        choice.locator("input").nth(i).uncheck()
    assert page.get_attribute("[data-testid=lesson-compare]", "title") == "請勾選兩個或三個變體"
