"""What the lessons tell students to watch is on the screen, in headless Chromium
on a real server, in English and Traditional Chinese:

- one neuron on XOR: the boundary line w . x + b = 0, drawn from the weights
  even when they vanish and the map is a uniform grey, and thin links for them;
  any other net's boundary is its output's 0.5 contour;
- dead ReLUs: each unit the frame marks dead is marked "dead on the training
  data" on the diagram, with a legend saying what dead means;
- batch norm after a convolution: the panel's rows per channel (the dense case
  is in test_network_view.py);
- the spatial pyramid: its 1 + 4 + 16 bins per channel drawn for the probed sample;
- seeds: a lesson's new seed is shown, kept with the lesson and in the link, and
  a link opens the same run, in the playground and in the lab.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import numpy as np
import pytest

from tests.browser.conftest import open_playground

LANGUAGES = ["en", "zh-Hant"]

# a word of each language the screens must show
WORDS = {
    "line": {"en": "Dark line: the neuron's boundary", "zh-Hant": "深色線：這個神經元的邊界"},
    "contour": {"en": "Dark line: the decision boundary", "zh-Hant": "深色線：決策邊界"},
    "dead": {"en": "dead on the training data", "zh-Hant": "在訓練資料上死亡"},
    "dead-note": {"en": "Away from the data", "zh-Hant": "離開資料的地方"},
    "model-seed": {"en": "model seed", "zh-Hant": "模型種子"},
    "pyramid": {"en": "Spatial pyramid of this sample", "zh-Hant": "這個樣本的空間金字塔"},
    "bn": {"en": "Batch-norm running statistics", "zh-Hant": "批次歸一化的移動統計量"},
}

MAIN = "document.getElementById('lab-main')"


# -- helpers --------------------------------------------------------------------------

def api(server: str, method: str, path: str, **kwargs: Any) -> Any:
    answer = httpx.request(method, f"{server}/api{path}", timeout=60, **kwargs)
    assert answer.status_code < 300, answer.text
    return answer.json()


def snapshot(server: str, run_id: str, grid: int = 4) -> dict[str, Any]:
    return api(server, "GET", f"/runs/{run_id}/snapshot",
               params={"output_grid": grid, "unit_grid": 2})


def layer(snap: dict[str, Any], path: str) -> dict[str, Any]:
    return next(entry for entry in snap["layers"] if entry["path"] == path)


def state_hash(page: object, lesson: str | None = None, network: dict | None = None) -> str:
    """The page's own encoding (state.js) of the default state with a lesson or a
    network changed."""
    return page.evaluate("""async ([lesson, network]) => {
      const m = await import('/static/js/state/state.js');
      const s = m.defaultState();
      if (lesson) s.lesson = {name: lesson, variant: null};
      if (network) Object.assign(s.network, network);
      return m.encodeState(s);
    }""", [lesson, network])


def open_state(page: object, lang: str, steps: int, lesson: str | None = None,
               network: dict | None = None) -> str:
    """Open the playground in `lang` on a lesson (or the default state with `network`
    changed) trained to `steps`; answers the page's run id."""
    page.goto(f"/?lang={lang}")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    open_playground(page, f"/?lang={lang}#s={state_hash(page, lesson, network)}&n={steps}")
    page.wait_for_function(f"document.getElementById('output').dataset.step === '{steps}'",
                           timeout=30000)
    return page.get_attribute("[data-testid=output]", "data-run")


def clip(line: list[float], extent: list[float]) -> list[list[float]]:
    """The ends of a x + b y + c = 0 inside the extent (the line crosses it)."""
    a, b, c = line
    x0, x1, y0, y1 = extent
    hits = []
    for x in (x0, x1):
        y = -(a * x + c) / b
        if y0 <= y <= y1:
            hits.append([x, y])
    for y in (y0, y1):
        x = -(b * y + c) / a
        if x0 <= x <= x1:
            hits.append([x, y])
    assert len(hits) >= 2, hits
    return hits


# -- the boundary ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_neurons_boundary_is_drawn_from_its_vanishing_weights(
        page: object, server: str, lang: str) -> None:
    run = open_state(page, lang, 3000, lesson="xor-one-neuron")
    snap = snapshot(server, run, grid=50)
    W = np.asarray(layer(snap, "0")["params"]["W"])[:, 0]
    b = layer(snap, "0")["params"]["b"][0]
    assert 0 < np.abs(W).max() < 1e-12  # the weights have all but vanished
    assert np.ptp(np.asarray(snap["output_map"])) == 0  # a uniform map shows no line
    assert snap["boundary_line"] == [W[0], W[1], b]
    canvas = page.locator("[data-testid=output]")
    assert canvas.get_attribute("data-boundary") == "line"
    drawn = json.loads(canvas.get_attribute("data-boundary-points"))
    # the line w1 x + w2 y + b = 0 (a logit: its prediction is 0.5 at z = 0) across the plot
    expected = clip([W[0], W[1], b], snap["extent"])
    assert len(drawn) == 2
    for point in drawn:
        assert min(np.hypot(point[0] - e[0], point[1] - e[1]) for e in expected) < 1e-3
    for x, y in drawn:  # on the line: w . x = -b
        assert W[0] * x + W[1] * y == pytest.approx(-b, rel=1e-3)
    note = page.locator("[data-testid=boundary-note]")
    assert note.is_visible() and WORDS["line"][lang] in note.text_content()
    assert "e-16" in note.locator(".nn-equation").text_content()
    # links of weights near 1e-16 are drawn thin (the thinnest width), not blown up
    widths = [float(w) for w in page.locator(".nv-svg .nv-link").evaluate_all(
        "(paths) => paths.map((p) => p.getAttribute('stroke-width'))")]
    assert len(widths) == 2 and all(w < 0.51 for w in widths), widths


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_hidden_layers_boundary_is_its_half_contour(page: object, server: str,
                                                       lang: str) -> None:
    run = open_state(page, lang, 300, network={"hidden": [6], "activations": ["tanh"]})
    canvas = page.locator("[data-testid=output]")
    assert canvas.get_attribute("data-boundary") == "contour"
    points = json.loads(canvas.get_attribute("data-boundary-points"))
    assert len(points) >= 6
    predicted = api(server, "POST", f"/runs/{run}/predict", json={"points": points})
    assert predicted["task"] == "binary"
    # on the contour of the (quantised, 100 x 100) map the net is near 0.5
    assert all(abs(p - 0.5) < 0.08 for p in predicted["output"]), predicted["output"]
    assert WORDS["contour"][lang] in page.text_content("[data-testid=boundary-note]")


# -- dead units -----------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_dead_units_are_marked_dead_on_the_training_data(page: object, server: str,
                                                         lang: str) -> None:
    run = open_state(page, lang, 200, lesson="dead-relu")
    snap = snapshot(server, run)
    relu = layer(snap, "1")
    assert relu["name"] == "relu"
    dead = [k for k, flag in enumerate(relu["dead"]) if flag]
    assert dead, "the lesson's ReLU net has dead units"
    units = page.locator(".nv-column.nv-hidden .nv-unit")
    assert units.count() == len(relu["dead"])
    marked = [k for k in range(units.count())
              if "nv-dead" in (units.nth(k).get_attribute("class") or "").split()]
    assert marked == dead
    for k in range(units.count()):
        unit = units.nth(k)
        crossed = unit.locator(".nv-cross").get_attribute("visibility") == "visible"
        label = unit.locator("canvas").get_attribute("aria-label")
        tip = unit.locator("title").text_content()
        assert crossed is (k in dead)
        assert (WORDS["dead"][lang] in label) is (k in dead)
        assert (WORDS["dead-note"][lang] in tip) is (k in dead)
    legend = page.locator("[data-testid=legend-dead]")
    assert legend.is_visible()
    assert WORDS["dead"][lang] in legend.text_content()
    assert legend.get_attribute("data-count") == str(len(dead))
    assert WORDS["dead-note"][lang] in legend.get_attribute("title")
    # the enlarged map of a dead unit says what dead means
    units.nth(dead[0]).locator("canvas").hover()
    note = page.locator(".nv-zoom-note")
    note.wait_for(state="visible")
    assert WORDS["dead-note"][lang] in note.text_content()


# -- batch norm after a convolution ---------------------------------------------------

CONV_BN = {"data": {"name": "shapes", "n_samples": 60, "size": 8},
           "layers": [{"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1},
                      {"type": "batchnorm"}, {"type": "activation", "name": "relu"},
                      {"type": "global_max_pool"}],
           "optimizer": {"name": "adam", "lr": 0.01}, "batch_size": 8}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_batch_norm_after_a_convolution_is_read_per_channel(page: object, server: str,
                                                            lang: str) -> None:
    """The panel reads the statistics' shape as it comes: one per channel, or (as
    a convolution's batch norm kept them before) one per channel and position,
    shown as each channel's average."""
    run = api(server, "POST", "/runs", json={"spec": CONV_BN})
    api(server, "POST", f"/runs/{run['id']}/train", json={"steps": 20})
    header = snapshot(server, run["id"])
    page.goto(f"/lab?lang={lang}")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    shown = page.evaluate("""async (header) => {
      const { BatchNormPanel } = await import('/static/js/network/bn_panel.js');
      const box = document.getElementById('bn-panel');
      new BatchNormPanel(box).update({ header });
      const rows = (stat) => [...box.querySelectorAll(`tr[data-stat=${stat}] td[data-unit]`)]
        .map((td) => Number(td.dataset.value));
      return { title: box.querySelector('.bn-title').textContent,
               kind: box.querySelector('tbody').dataset.kind, visible: !box.hidden,
               mean: rows('mean'), variance: rows('var'),
               head: [...box.querySelectorAll('thead th')].map((th) => th.textContent) };
    }""", header)
    bn = layer(header, "1")
    assert shown["visible"] and shown["title"] == WORDS["bn"][lang]
    assert shown["kind"] == "channel"
    for got, stat in ((shown["mean"], "running_mean"), (shown["variance"], "running_var")):
        per_channel = np.asarray(bn[stat]).reshape(3, -1).mean(axis=1)
        np.testing.assert_allclose(got, per_channel, rtol=1e-9)
    assert shown["head"][-1] == ("channel 3" if lang == "en" else "通道 3")


# -- the spatial pyramid --------------------------------------------------------------

def open_lab(page: object, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function(f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pyramids_bins_are_drawn_for_the_probed_sample(page: object, server: str,
                                                           lang: str) -> None:
    open_lab(page, f"/lab?lang={lang}#lesson=pooling&variant=spp")
    view = page.locator("[data-testid=pyramid]")
    view.wait_for(state="visible")
    assert WORDS["pyramid"][lang] in view.locator("h2").text_content()
    run = page.get_attribute("[data-testid=lab-main]", "data-run")
    probe = api(server, "POST", f"/runs/{run}/probe", json={})
    spp = next(i for i, entry in enumerate(probe["layers"]) if entry["type"] == "spp")
    vector = np.asarray(probe["layers"][spp]["values"])
    maps = np.asarray(probe["layers"][spp - 1]["values"])  # (C, H, W), into the pyramid
    channels = maps.shape[0]
    assert view.get_attribute("data-levels") == "1,2,4"
    assert int(view.get_attribute("data-channels")) == channels
    assert int(view.get_attribute("data-length")) == channels * 21 == vector.size
    assert view.get_attribute("data-input") == f"{maps.shape[1]}x{maps.shape[2]}"
    # the frame's values are quantised to 256 levels over the vector's range
    tol = (vector.max() - vector.min()) / 255 + 1e-4
    for c in range(channels):
        card = page.locator(f"[data-testid=pyramid-channel-{c}]")
        start = c * 21
        for level in (1, 2, 4):
            canvas = card.locator(f"canvas[data-level='{level}']")
            assert canvas.count() == 1
            size = canvas.evaluate("(c) => [c.width, c.height]")
            assert size == [level, level]  # one pixel per bin
            drawn = np.asarray(json.loads(canvas.get_attribute("data-values")))
            np.testing.assert_allclose(drawn, vector[start:start + level * level], atol=tol)
            start += level * level
        # max pooling: the 1 x 1 bin is the channel's largest value
        one = json.loads(card.locator("canvas[data-level='1']").get_attribute("data-values"))
        assert one[0] == pytest.approx(maps[c].max(), abs=tol)
    assert page.locator("[data-testid=pyramid] canvas.lab-pyramid-level").count() == 3 * channels

    # a larger image: larger maps, the same 21 bins per channel
    page.select_option("[data-testid=draw-class]", "ring")
    page.fill("[data-testid=draw-size]", "24")
    page.click("[data-testid=draw]")
    page.wait_for_function("document.querySelector('[data-testid=pyramid]')"
                           ".dataset.input === '12x12'", timeout=15000)
    assert int(view.get_attribute("data-length")) == channels * 21
    assert page.locator("[data-testid=pyramid] canvas.lab-pyramid-level").count() == 3 * channels


# -- seeds ----------------------------------------------------------------------------

def run_info(server: str, run_id: str) -> dict[str, Any]:
    return api(server, "GET", f"/runs/{run_id}")


def weights(server: str, run_id: str) -> dict[str, Any]:
    return {(entry["path"], name): values for entry in snapshot(server, run_id)["layers"]
            for name, values in entry.get("params", {}).items()}


def shown_seeds(page: object) -> tuple[int, int]:
    line = page.locator("[data-testid=seed-line]")
    return (int(line.locator("[data-testid=seed-shown]").text_content()),
            int(line.locator("[data-testid=data-seed-shown]").text_content()))


def new_run_after(page: object, server: str, selector: str, button: str) -> dict[str, Any]:
    """Clicks `button`, waits until the page shows a run other than its current one
    and its seeds line shows that run's seeds; answers the run's description."""
    before = page.get_attribute(selector, "data-run")
    page.click(button)
    page.wait_for_function(
        f"(() => {{ const r = document.querySelector({selector!r}).dataset.run; "
        f"return r && r !== {before!r}; }})()", timeout=20000)
    info = run_info(server, page.get_attribute(selector, "data-run"))
    seeds = [str(info["spec"]["seed"]), str(info["spec"]["data"]["seed"])]
    page.wait_for_function("""(seeds) => {
      const line = document.querySelector('[data-testid=seed-line]');
      return line.dataset.seed === seeds[0] && line.dataset.dataSeed === seeds[1];
    }""", arg=seeds, timeout=10000)
    return info


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_lessons_new_seed_is_shown_kept_and_shared(page: object, server: str,
                                                     lang: str) -> None:
    run = open_state(page, lang, 0, lesson="dead-relu")
    own = run_info(server, run)["spec"]
    assert shown_seeds(page) == (own["seed"], own["data"]["seed"])
    assert WORDS["model-seed"][lang] in page.text_content("[data-testid=seed-line]")

    info = new_run_after(page, server, "[data-testid=output]", "[data-testid=lesson-new-seed]")
    seed, data_seed = shown_seeds(page)
    assert info["lesson"] == "dead-relu"  # still the lesson, from the seed drawn
    assert seed != own["seed"] and info["spec"]["seed"] == seed
    assert info["spec"]["data"]["seed"] == data_seed == own["data"]["seed"]
    assert page.is_visible("[data-testid=lesson-note]")

    # the data control's Regenerate draws a data seed and keeps the lesson too
    info = new_run_after(page, server, "[data-testid=output]", "[data-testid=regenerate]")
    run = info["id"]
    seed2, data_seed2 = shown_seeds(page)
    assert info["lesson"] == "dead-relu" and seed2 == seed
    assert data_seed2 != data_seed and info["spec"]["data"]["seed"] == data_seed2
    assert page.text_content("[data-testid=data-seed]").endswith(str(data_seed2))
    assert page.input_value("[data-testid=seed]") == str(seed)

    # the link opens the same run: the lesson, its seeds, the same weights and points
    link = page.url
    other = page.context.new_page()
    other.goto(link)
    other.wait_for_selector("body[data-ready=true]", timeout=20000)
    other.wait_for_function("document.getElementById('output').dataset.framesDrawn > 0",
                            timeout=20000)
    theirs = other.get_attribute("[data-testid=output]", "data-run")
    assert theirs != run
    assert shown_seeds(other) == (seed, data_seed2)
    info2 = run_info(server, theirs)
    assert info2["lesson"] == "dead-relu"
    assert (info2["spec"]["seed"], info2["spec"]["data"]["seed"]) == (seed, data_seed2)
    assert weights(server, theirs) == weights(server, run)
    assert (api(server, "GET", f"/runs/{theirs}/points")
            == api(server, "GET", f"/runs/{run}/points"))
    other.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_lab_link_with_seeds_opens_the_same_run(page: object, server: str, lang: str) -> None:
    open_lab(page, f"/lab?lang={lang}#lesson=pooling&variant=spp&seed=123&data_seed=45")
    run = page.get_attribute("[data-testid=lab-main]", "data-run")
    spec = run_info(server, run)["spec"]
    assert (spec["seed"], spec["data"]["seed"]) == (123, 45)
    assert shown_seeds(page) == (123, 45)
    assert WORDS["model-seed"][lang] in page.text_content("[data-testid=seed-line]")

    info = new_run_after(page, server, "[data-testid=lab-main]", "[data-testid=lesson-new-seed]")
    run = info["id"]
    seed, data_seed = shown_seeds(page)
    assert seed != 123 and data_seed == 45
    assert info["lesson"] == "pooling" and info["variant"] == "spp"
    assert (info["spec"]["seed"], info["spec"]["data"]["seed"]) == (seed, 45)
    assert f"seed={seed}&data_seed=45" in page.evaluate("location.hash")

    other = page.context.new_page()
    open_lab(other, page.url)
    theirs = other.get_attribute("[data-testid=lab-main]", "data-run")
    assert theirs != run and shown_seeds(other) == (seed, 45)
    assert weights(server, theirs) == weights(server, run)
    other.close()


def test_a_comparison_of_the_lesson_on_screen_uses_its_drawn_seeds(page: object,
                                                                   server: str) -> None:
    open_state(page, "en", 0, lesson="dead-relu")
    info = new_run_after(page, server, "[data-testid=output]", "[data-testid=lesson-new-seed]")
    drawn = (info["spec"]["seed"], info["spec"]["data"]["seed"])
    assert drawn[0] != 0
    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-dead-relu]")
    page.click("[data-testid=lesson-compare]")
    sides = "[...document.querySelectorAll('.compare-side')]"
    page.wait_for_function(f"{sides}.length === 2 && {sides}.every((s) => s.dataset.run)",
                           timeout=20000)
    runs = page.evaluate(f"{sides}.map((s) => [s.dataset.variant, s.dataset.run])")
    for variant, run in runs:
        compared = run_info(server, run)
        assert compared["lesson"] == "dead-relu" and compared["variant"] == variant
        assert (compared["spec"]["seed"], compared["spec"]["data"]["seed"]) == drawn

    # another lesson compares from its own seeds
    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-residual]")
    page.click("[data-testid=lesson-compare]")
    page.wait_for_function(f"{sides}.length === 3 && {sides}.every((s) => s.dataset.run)",
                           timeout=20000)
    for _, run in page.evaluate(f"{sides}.map((s) => [s.dataset.variant, s.dataset.run])"):
        assert run_info(server, run)["spec"]["seed"] == 0
