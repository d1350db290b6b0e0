"""The lab page (/lab) as a student uses it, in headless Chromium: convolution,
pooling, spatial pyramid pooling, the text CNN and the residual comparison.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

import re
import time

from tests.browser.conftest import open_playground, sizes_through_resizes

MAIN = "document.getElementById('lab-main')"

# Test accuracy the convolution lesson passes within the wait below. Measured:
# the lesson's run is at 0.90-0.97 by step 150-200 and at 0.99 by step 300, in
# about 4 s of playing at 50 steps per frame.
CONV_ACCURACY = 0.9


def open_lab(page: object, lesson: str, variant: str | None = None) -> None:
    """Open the lab on a lesson and wait until it has drawn a frame of its run."""
    page.goto(f"/lab#lesson={lesson}" + (f"&variant={variant}" if variant else ""))
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function(f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)


def metric(page: object, name: str) -> float:
    text = page.text_content(f"[data-testid={name}]")
    return float(text) if text not in (None, "", "–") else float("nan")


def canvas_stats(page: object, selector: str) -> list[dict]:
    """Per canvas: its size and how many different colours it holds."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].map((c) => {
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < px.length; i += 4) colours.add(`${px[i]},${px[i + 1]},${px[i + 2]}`);
      return {w: c.width, h: c.height, colours: colours.size};
    })""", selector)


def test_the_convolution_lesson_trains_and_shows_kernels_and_maps(page: object) -> None:
    open_lab(page, "convolution")
    assert page.input_value("[data-testid=lesson]") == "convolution"
    assert "equivariance" in page.text_content("[data-testid=lesson-note]")
    # kernels: one row per conv2d layer, one small grid per filter, none blank
    rows = page.locator("[data-testid^=kernels-]")
    assert rows.count() == 2
    for i in range(rows.count()):
        filters = int(rows.nth(i).get_attribute("data-filters"))
        assert rows.nth(i).locator("canvas").count() == filters >= 8
    kernels = canvas_stats(page, "canvas.lab-kernel")
    assert all(k["colours"] > 3 for k in kernels)
    # feature maps: a row per 3-D layer, one canvas per channel
    maps = page.locator("[data-testid=maps] .lab-map-row")
    assert maps.count() == 5
    for i in range(maps.count()):
        channels = int(maps.nth(i).get_attribute("data-shape").split("x")[0])
        assert maps.nth(i).locator("canvas").count() == channels
    assert canvas_stats(page, "[data-testid=maps-0] canvas")[0]["colours"] > 3
    labels = [maps.nth(i).locator("b").text_content() for i in range(maps.count())]
    assert labels[0] == "conv2d (convolution)" and "activation ReLU" in labels  # not "relu"
    assert page.locator("[data-testid=scores] .lab-score").count() == 6

    page.select_option("[data-testid=speed]", "50")
    page.click("[data-testid=play]")
    # the accuracy the page showed when it passed the mark (frames still in flight
    # after the pause may show a few more steps, whose accuracy can dip)
    reached = page.wait_for_function(
        "(() => { const v = Number(document.querySelector('[data-testid=test-accuracy]')"
        f".textContent); return v > {CONV_ACCURACY} ? v : false; }})()", timeout=30000)
    page.click("[data-testid=play]")
    assert reached.json_value() > CONV_ACCURACY
    assert int(page.get_attribute("[data-testid=gradient-chart]", "data-lines")) == 3


# The first feature map's pixels as one number each (orange minus blue: the sign
# and size of the value), row by row.
FIRST_MAP = """(() => {
  const c = document.querySelector('[data-testid=maps-0] canvas');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const out = [];
  for (let i = 0; i < px.length; i += 4) out.push(px[i] + px[i + 1] - 2 * px[i + 2]);
  return out;
})()"""


def best_offset(page: object) -> list[int]:
    """The (dy, dx) that best maps the first feature map drawn before a shift
    (window.__before) onto the one drawn now, from their pixels."""
    return page.evaluate("""() => {
      const now = """ + FIRST_MAP + """;
      const before = window.__before;
      const n = document.querySelector('[data-testid=maps-0] canvas').width;
      let best = null, bestErr = Infinity;
      for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) {
        let err = 0;
        for (let r = 3; r < n - 3; r++) for (let q = 3; q < n - 3; q++) {
          err += Math.abs(now[(r + dy) * n + q + dx] - before[r * n + q]);
        }
        if (err < bestErr) { bestErr = err; best = [dy, dx]; }
      }
      return best;
    }""")


def test_shifting_the_input_moves_the_feature_maps(page: object) -> None:
    open_lab(page, "convolution")
    page.select_option("[data-testid=draw-class]", "ring")
    page.click("[data-testid=draw]")
    page.wait_for_function("document.querySelector('[data-testid=input-caption]')"
                           ".textContent.includes('drawn ring')", timeout=10000)
    assert page.get_attribute("[data-testid=maps]", "data-shift") == "0,0"
    page.evaluate(f"() => {{ window.__before = {FIRST_MAP}; }}")
    page.click("[data-testid=shift-down]")
    page.wait_for_function("document.querySelector('[data-testid=maps]').dataset.shift === '1,0'",
                           timeout=10000)
    page.click("[data-testid=shift-down]")
    page.click("[data-testid=shift-right]")
    page.wait_for_function("document.querySelector('[data-testid=maps]').dataset.shift === '2,1'",
                           timeout=10000)
    assert page.text_content("[data-testid=shift-value]") == "2 down, 1 right"
    assert "shifted 2 down, 1 right" in page.text_content("[data-testid=input-caption]")
    assert best_offset(page) == [2, 1]
    # arrow keys on the image shift it too; the middle button puts it back
    page.focus("[data-testid=input]")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('[data-testid=maps]').dataset.shift === '2,0'",
                           timeout=10000)
    page.click("[data-testid=shift-reset]")
    page.wait_for_function("document.querySelector('[data-testid=maps]').dataset.shift === '0,0'",
                           timeout=10000)
    assert best_offset(page) == [0, 0]


def test_mean_max_and_overlapping_pooling_side_by_side(page: object) -> None:
    open_lab(page, "pooling", "max")
    channels, side = (int(v) for v in page.get_attribute(
        "[data-testid=maps-1]", "data-shape").split("x")[:2])
    panels = {key: page.locator(f"[data-testid=pool-{key}]")
              for key in ("max", "mean", "overlapping")}
    assert panels["max"].get_attribute("data-shape") == f"{channels}x{side // 2}x{side // 2}"
    assert panels["mean"].get_attribute("data-shape") == f"{channels}x{side // 2}x{side // 2}"
    over = (side - 3) // 2 + 1
    assert panels["overlapping"].get_attribute("data-shape") == f"{channels}x{over}x{over}"
    assert panels["max"].locator("h4").text_content() == "max 2×2"
    assert panels["mean"].locator("h4").text_content() == "mean 2×2"
    assert panels["overlapping"].locator("h4").text_content() == "overlapping max 3×3"
    for panel in panels.values():
        assert panel.locator("canvas").count() == channels
    assert f"{over} × {over}" in panels["overlapping"].text_content()


def test_spp_gives_the_same_length_at_every_input_size(page: object) -> None:
    open_lab(page, "pooling", "spp")
    lengths = {}
    for size in (12, 16, 24):
        page.select_option("[data-testid=draw-class]", "cross")
        page.fill("[data-testid=draw-size]", str(size))
        page.click("[data-testid=draw]")
        page.wait_for_function("document.querySelector('[data-testid=input]').dataset.size === "
                               f"'{size}x{size}'", timeout=10000)
        page.wait_for_function("document.querySelector('[data-testid=size-info]').dataset.size "
                               f"=== '{size}'", timeout=10000)
        lengths[size] = int(page.get_attribute("[data-testid=size-info]", "data-pooled-length"))
        assert f"input {size} × {size}" in page.text_content("[data-testid=size-info]")
        assert page.get_attribute("[data-testid=maps-0]", "data-shape").endswith(f"x{size}x{size}")
    channels = int(page.locator("[data-testid=maps] .lab-map-row").last
                   .get_attribute("data-shape").split("x")[0])
    assert set(lengths.values()) == {channels * 21}  # 1 + 4 + 16 bins per channel


def scores(page: object) -> str:
    return page.get_attribute("[data-testid=scores]", "data-scores")


def test_a_typed_sentence_shows_each_filters_max_over_time(page: object) -> None:
    open_lab(page, "text-cnn", "two-channel")
    sentence = page.locator("[data-testid=sentence]")
    sentence.fill("the food was not good")
    sentence.press("Enter")
    page.wait_for_function("document.querySelector('[data-testid=text-view]').dataset.words "
                           "=== 'the food was not good'", timeout=10000)
    words = page.locator("[data-testid=text-words] .lab-word:not(.lab-word-pad)")
    assert words.all_text_contents() == ["the", "food", "was", "not", "good"]
    filters = page.locator("[data-testid^=filter-]")
    assert filters.count() == 8
    for i in range(filters.count()):
        row = filters.nth(i)
        assert row.locator(".lab-argmax").count() == 1
        best = int(row.get_attribute("data-argmax"))
        assert 0 <= best < row.locator(".lab-heat").count()
        assert row.get_attribute("data-ngram")
    first = scores(page)
    sentence.fill("the food was good")
    sentence.press("Enter")
    page.wait_for_function("document.querySelector('[data-testid=text-view]').dataset.words "
                           "=== 'the food was good'", timeout=10000)
    assert scores(page) != first
    assert page.get_attribute("[data-testid=status]", "class") == "status"


def series_pixels(page: object, selector: str) -> int:
    """Pixels of the loss colour (--nn-series-1, #0072b2) on a chart canvas."""
    return page.evaluate("""(selector) => {
      const c = document.querySelector(selector);
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (Math.abs(px[i] - 0) < 40 && Math.abs(px[i + 1] - 114) < 40
            && Math.abs(px[i + 2] - 178) < 40 && px[i + 3] > 200) n++;
      }
      return n;
    }""", selector)


def test_residual_plain_and_skips_train_side_by_side(page: object) -> None:
    page.goto("/lab#lesson=residual")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    sides = page.locator(".lab-compare-side")
    assert sides.count() == 2
    assert page.locator("[data-testid=compare-side-deep-plain]").count() == 1
    assert page.locator("[data-testid=compare-side-deep-residual]").count() == 1
    page.select_option("[data-testid=speed]", "50")
    page.click("[data-testid=compare-play]")
    page.wait_for_function(
        "[...document.querySelectorAll('.lab-compare-metrics')]"
        ".every((p) => Number(p.dataset.step || 0) >= 300)", timeout=30000)
    page.click("[data-testid=compare-play]")
    for variant in ("deep-plain", "deep-residual"):
        assert series_pixels(page, f"[data-testid=compare-loss-{variant}]") > 100
        lines = page.get_attribute(f"[data-testid=compare-gradient-{variant}]", "data-lines")
        assert int(lines) == 11  # ten hidden dense layers and the output
    assert page.locator(".lab-layout .lab-left").is_hidden()


def test_a_refused_probe_says_why_in_the_page(page: object) -> None:
    open_lab(page, "convolution", "dense")
    assert page.locator("[data-testid=kernels] .lab-note").count() == 1  # no conv layers
    page.fill("[data-testid=draw-size]", "24")
    page.click("[data-testid=draw]")
    page.wait_for_function("document.querySelector('[data-testid=status]')"
                           ".classList.contains('error')", timeout=10000)
    status = page.text_content("[data-testid=status]")
    assert status.startswith("size: ") and "16 x 16" in status
    # the socket stays open: the next probe is shown
    page.click("[data-testid=probe-next]")
    page.wait_for_function("document.querySelector('[data-testid=probe-index]').value === '1'",
                           timeout=10000)


def test_the_playground_sends_lab_lessons_to_the_lab(page: object) -> None:
    open_playground(page)
    options = page.eval_on_selector_all("[data-testid=dataset] option",
                                        "(os) => os.map((o) => o.value)")
    assert "circle" in options and "shapes" not in options and "sentiment" not in options
    assert page.get_attribute("[data-testid=to-lab]", "href") == "/lab"
    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-convolution]")
    assert page.locator("[data-testid=lesson-load]").count() == 0
    link = page.locator("[data-testid=lesson-open-lab]")
    assert link.get_attribute("href").startswith("/lab#lesson=convolution")
    page.click("[data-testid=lesson-residual]")
    assert page.locator("[data-testid=lesson-load]").count() == 1  # points: still loads here
    page.click("[data-testid=lesson-text-cnn]")
    page.select_option("[data-testid=lesson-variant]", "static")
    page.locator("[data-testid=lesson-open-lab]").click()
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    # the lab's address carries the run's seeds once it is made (the lesson's own)
    assert re.search(r"/lab#lesson=text-cnn&variant=static&seed=\d+&data_seed=\d+$", page.url)
    assert page.input_value("[data-testid=variant]") == "static"
    assert page.get_attribute("[data-testid=to-playground]", "href") == "/"


def created_runs(page: object) -> list[str]:
    """Collect the ids of the runs the page creates from now on."""
    ids: list[str] = []

    def seen(response: object) -> None:
        if response.request.method == "POST" and response.url.endswith("/api/runs") \
                and response.status == 201:
            ids.append(response.json()["id"])

    page.on("response", seen)
    return ids


def only_the_shown_run_left(page: object, server: str, ids: list[str],
                            seconds: float = 60) -> None:
    """Wait until, of the runs the page created (``ids``), only the one it shows is
    still on the server (the others are deleted as their requests come back)."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        current = page.get_attribute("#lab-main", "data-run")
        alive = [i for i in ids if httpx.get(f"{server}/api/runs/{i}").status_code == 200]
        if alive == [current]:
            return
        assert time.monotonic() < deadline, (ids, alive, current)
        page.wait_for_timeout(200)


def test_compare_clicked_twice_leaves_only_the_runs_on_show(page: object, server: str) -> None:

    page.goto("/lab#lesson=residual")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    ids = created_runs(page)
    page.evaluate("""() => { const b = document.querySelector('[data-testid=compare-open]');
                             b.click(); b.click(); }""")
    page.wait_for_function("document.querySelectorAll('.lab-compare-side').length === 2",
                           timeout=20000)
    # the comparison's two runs made (the second click opens no second comparison)
    deadline = time.monotonic() + 60
    while len(ids) < 2:
        assert time.monotonic() < deadline, ids
        page.wait_for_timeout(100)
    page.select_option("[data-testid=lesson]", "convolution")
    page.wait_for_function(f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)
    only_the_shown_run_left(page, server, ids)


def test_a_deleted_run_says_so_and_reset_makes_the_lesson_again(page: object,
                                                                 server: str) -> None:
    import httpx

    open_lab(page, "pooling", "max")
    first = page.get_attribute("#lab-main", "data-run")
    assert httpx.delete(f"{server}/api/runs/{first}").status_code == 204
    page.wait_for_function("document.querySelector('[data-testid=status]')"
                           ".textContent.includes('deleted')", timeout=10000)
    page.click("[data-testid=play]")  # nothing to play: the page says what to do
    assert "Press Reset" in page.text_content("[data-testid=status]")
    assert page.text_content("[data-testid=play]") == "Play"
    page.click("[data-testid=reset]")
    page.wait_for_function(f"{MAIN}.dataset.run && {MAIN}.dataset.run !== '{first}'",
                           timeout=20000)
    page.wait_for_function(f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)
    assert "error" not in (page.get_attribute("[data-testid=status]", "class") or "")


def test_charts_keep_their_size_through_resizes_at_125_percent(browser: object,
                                                                server: str) -> None:
    before, after, rem = sizes_through_resizes(
        browser, server, lambda page: open_lab(page, "convolution"),
        "[data-testid=gradient-chart]")
    assert after == before
    assert before[0][1] == round(10 * rem)  # 10rem: the chart's own CSS height

def test_switching_lessons_quickly_keeps_only_the_last_run(page: object, server: str) -> None:

    open_lab(page, "convolution")
    ids = created_runs(page)
    for lesson in ("pooling", "text-cnn", "convolution", "pooling"):
        page.select_option("[data-testid=lesson]", lesson)  # no wait in between
    page.wait_for_function(f"{MAIN}.dataset.modality === 'image' && "
                           f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)
    only_the_shown_run_left(page, server, ids)
    assert page.input_value("[data-testid=lesson]") == "pooling"
    assert "error" not in (page.get_attribute("[data-testid=status]", "class") or "")
