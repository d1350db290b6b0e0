"""The playground page as a student uses it, in headless Chromium.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

import time

from tests.browser.conftest import open_playground

OUTPUT_PIXELS = "document.getElementById('output').toDataURL()"


def metric(page: object, name: str) -> float:
    text = page.text_content(f"[data-testid={name}]")
    return float(text) if text not in (None, "", "–") else float("nan")


def step_count(page: object) -> int:
    return int(page.text_content("[data-testid=step-count]"))


def drawn_run(page: object) -> str | None:
    """The id of the run whose frame the page drew last."""
    return page.get_attribute("[data-testid=output]", "data-run")


def load_lesson(page: object, name: str, variant: str | None = None) -> None:
    before = drawn_run(page)
    page.click("[data-testid=open-lessons]")
    page.click(f"[data-testid=lesson-{name}]")
    if variant is not None:
        page.select_option("[data-testid=lesson-variant]", variant)
    page.click("[data-testid=lesson-load]")
    page.wait_for_function(
        "document.querySelector('[data-testid=lesson-note]') && "
        "!document.querySelector('[data-testid=lesson-note]').hidden", timeout=20000)
    page.wait_for_function(f"document.getElementById('output').dataset.run !== {before!r}",
                           timeout=20000)


def play_until(page: object, condition: str, timeout: float = 30000) -> None:
    """Play until `condition` holds, then pause, and wait for the frame saying the
    run is paused: frames sent before the server took the pause arrive before it,
    so after it the page shows the step the run stopped at."""
    page.click("[data-testid=play]")
    page.wait_for_function(condition, timeout=timeout)
    page.click("[data-testid=play]")
    page.wait_for_function(
        "document.querySelector('[data-testid=status]').dataset.runState === 'paused'",
        timeout=timeout)


def test_xor_lesson_learns_and_its_output_map_changes(page: object) -> None:
    open_playground(page)
    load_lesson(page, "xor-two-relu", "learned")
    assert metric(page, "test-loss") > 0.5
    before = page.evaluate(OUTPUT_PIXELS)
    play_until(page, "Number(document.querySelector('[data-testid=test-loss]').textContent) "
                     "< 0.1")
    assert metric(page, "test-loss") < 0.1
    assert metric(page, "test-accuracy") == 1.0
    assert page.evaluate(OUTPUT_PIXELS) != before
    assert "XOR" in page.text_content("[data-testid=lesson-note]")


def test_a_three_layer_network_built_by_hand(page: object) -> None:
    open_playground(page)
    assert page.locator(".nv-column.nv-hidden").count() == 2  # the default 4-2 net
    page.click("[data-testid=add-layer]")
    page.wait_for_function("document.querySelectorAll('.nv-column.nv-hidden').length === 3",
                           timeout=20000)
    page.click("[data-testid=add-unit-2]")
    page.select_option("[data-testid=activation-2]", "relu")
    third = "document.querySelectorAll('.nv-column.nv-hidden')[2]"
    page.wait_for_function(f"{third}.querySelector('.nv-head').textContent === 'ReLU' && "
                           f"{third}.querySelectorAll('canvas').length === 3", timeout=20000)
    page.wait_for_function("location.hash.includes('relu') || location.hash.length > 0")
    state = page.evaluate("""async () => {
      const encoded = new URLSearchParams(location.hash.slice(1)).get('s');
      const m = await import('/static/js/state/state.js');
      return m.decodeState(encoded);
    }""")
    assert state["network"]["hidden"] == [4, 2, 3]
    assert state["network"]["activations"] == ["tanh", "tanh", "relu"]
    play_until(page, "Number(document.getElementById('output').dataset.step) >= 200")
    assert step_count(page) >= 200


COUNT_RUNS_ASKED = """(() => {
  const fetchNow = window.fetch;
  window.runsAsked = 0;
  window.fetch = (input, init) => {
    if (String(input).endsWith('/api/runs') && init?.method === 'POST') window.runsAsked += 1;
    return fetchNow(input, init);
  };
})();"""


def test_a_change_made_while_a_run_is_being_made_leaves_one_run(page: object,
                                                                server: str) -> None:
    """Two changes in a row, the second's run made before the first's (as a busy
    server may): the page ends on the run of both changes, and of the runs it
    made only that one is left. Both changes used to replace the same run: the
    first change's run then played on into the views, and the run before it too
    when the server had dropped the first's before its points were read."""
    import httpx

    page.add_init_script(COUNT_RUNS_ASKED)  # the runs the page asked for, at once
    open_playground(page)
    first = drawn_run(page)
    made: list[str] = []
    held: list[object] = []
    holding = [True]

    def seen(response: object) -> None:
        if response.request.method == "POST" and response.url.endswith("/api/runs") \
                and response.status == 201:
            made.append(response.json()["id"])

    def create(route: object) -> None:
        if route.request.method == "POST" and holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.on("response", seen)
    page.route("**/api/runs", create)
    before = page.evaluate("window.runsAsked")
    page.click("[data-testid=add-unit-1]")  # layer 2: 3 units
    page.select_option("[data-testid=activation-1]", "relu")
    asked = page.evaluate("window.runsAsked") - before
    assert asked in (1, 2)  # 1: the second change waits for the first's run
    deadline = time.monotonic() + 20
    while len(held) < asked:
        assert time.monotonic() < deadline, (asked, len(held))
        page.wait_for_timeout(50)
    holding[0] = False
    held[-1].continue_()  # the last asked for is made first
    while len(made) < 1:
        assert time.monotonic() < deadline, "no run made"
        page.wait_for_timeout(50)
    for route in held[:-1]:
        route.continue_()

    second = "document.querySelectorAll('.nv-column.nv-hidden')[1]"
    page.wait_for_function(f"{second}.querySelector('.nv-head').textContent === 'ReLU' && "
                           f"{second}.querySelectorAll('canvas').length === 3", timeout=20000)
    deadline = time.monotonic() + 20
    while True:
        shown = drawn_run(page)
        alive = [r for r in [first, *made]
                 if httpx.get(f"{server}/api/runs/{r}").status_code == 200]
        if alive == [shown] and len(made) == 2:
            break
        assert time.monotonic() < deadline, (first, made, alive, shown)
        page.wait_for_timeout(100)
    layers = httpx.get(f"{server}/api/runs/{shown}").json()["spec"]["layers"]
    assert [layer.get("name") for layer in layers if layer["type"] == "activation"] == [
        "tanh", "relu"]


def test_editing_a_bias_changes_the_output(page: object) -> None:
    open_playground(page)
    before = page.evaluate(OUTPUT_PIXELS)
    page.locator(".nv-bias-mark").last.click()
    editor = page.locator(".nv-editor input")
    editor.fill("6")
    editor.press("Enter")
    page.wait_for_function(f"{OUTPUT_PIXELS} !== {before!r}", timeout=20000)
    assert metric(page, "test-accuracy") <= 0.6  # a large output bias says class 1 everywhere


def test_vanishing_gradients_fill_the_gradient_chart_per_layer(page: object) -> None:
    open_playground(page)
    load_lesson(page, "vanishing-gradients")
    assert page.locator(".nv-column.nv-hidden").count() == 8
    page.click("[data-testid=gradient-view-time]")  # the lesson opens it by depth
    play_until(page, "Number(document.querySelector('[data-testid=gradient-chart]')"
                     ".dataset.points || 0) >= 20")
    lines = int(page.get_attribute("[data-testid=gradient-chart]", "data-lines"))
    assert lines == 9  # 8 hidden dense layers and the output layer


def test_dead_relu_units_are_marked(page: object) -> None:
    open_playground(page)
    load_lesson(page, "dead-relu", "relu")
    play_until(page, "Number(document.getElementById('output').dataset.step) >= 300")
    crossed = page.locator(".nv-cross[visibility=visible]").count()
    assert crossed >= 5
    assert "dead" in page.locator(".nv-count").first.text_content()


def test_a_shared_link_opens_the_same_run(page: object, browser: object, server: str) -> None:
    open_playground(page)
    first = drawn_run(page)
    page.select_option("[data-testid=dataset]", "xor")
    page.wait_for_function(f"document.getElementById('output').dataset.run !== {first!r}",
                           timeout=20000)
    page.click("[data-testid=add-unit-0]")
    page.wait_for_function("document.querySelectorAll('.nv-column.nv-hidden')[0]"
                           ".querySelectorAll('canvas').length === 5", timeout=20000)
    play_until(page, "Number(document.getElementById('output').dataset.step) >= 150")
    # the frame that says the run is paused: no frame after it moves the step
    page.wait_for_function("document.querySelector('[data-testid=play]')"
                           ".getAttribute('aria-pressed') === 'false'", timeout=20000)
    step = step_count(page)
    # the address follows the step reached half a second later
    page.wait_for_function(f"location.hash.includes('n={step}')", timeout=30000)
    loss = page.text_content("[data-testid=test-loss]")
    url = page.url
    assert f"n={step}" in url

    other = browser.new_context(viewport={"width": 1280, "height": 800},
                                bypass_csp=True).new_page()
    errors: list[str] = []
    other.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    other.goto(url)
    other.wait_for_selector("body[data-ready=true]", timeout=20000)
    other.wait_for_function(f"document.getElementById('output').dataset.step === '{step}'",
                            timeout=20000)
    assert other.input_value("[data-testid=dataset]") == "xor"
    assert other.text_content("[data-testid=units-0]").strip() == "5"
    assert other.text_content("[data-testid=test-loss]") == loss
    assert errors == []
    other.context.close()


def test_space_plays_and_pauses(page: object) -> None:
    open_playground(page)
    page.click("h1")  # focus on the page, not on a control
    page.keyboard.press("Space")
    page.wait_for_function("Number(document.getElementById('output').dataset.step) >= 50",
                           timeout=20000)
    assert page.get_attribute("[data-testid=play]", "aria-pressed") == "true"
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[data-testid=play]')"
                           ".getAttribute('aria-pressed') === 'false'", timeout=20000)
    paused_at = step_count(page)
    page.wait_for_timeout(600)
    assert step_count(page) == paused_at


def test_hovering_a_unit_shows_its_map_enlarged(page: object) -> None:
    open_playground(page)
    page.locator(".nv-column.nv-hidden canvas").first.hover()
    zoom = page.locator(".nv-zoom")
    zoom.wait_for(state="visible", timeout=10000)
    assert zoom.locator("canvas").bounding_box()["width"] >= 150


def test_a_downloaded_model_loads_back_at_its_step(page: object, tmp_path: object) -> None:
    open_playground(page)
    play_until(page, "Number(document.getElementById('output').dataset.step) >= 100")
    step = step_count(page)
    loss = page.text_content("[data-testid=test-loss]")
    with page.expect_download() as download:
        page.click("[data-testid=download]")
    saved = tmp_path / "model.nnplay.json"
    download.value.save_as(saved)
    page.click("[data-testid=reset]")
    page.wait_for_function("document.getElementById('output').dataset.step === '0'",
                           timeout=20000)
    page.set_input_files("[data-testid=load-model]", str(saved))
    page.wait_for_function(f"document.getElementById('output').dataset.step === '{step}'",
                           timeout=20000)
    assert page.text_content("[data-testid=test-loss]") == loss
    assert f"step {step}" in page.text_content("[data-testid=status]")


def test_a_lesson_compares_two_settings_side_by_side(page: object) -> None:
    open_playground(page)
    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-symmetric-init]")
    page.click("[data-testid=lesson-compare]")
    compare = page.locator("[data-testid=compare]")
    compare.wait_for(state="visible", timeout=20000)
    assert compare.locator(".compare-side").count() == 2
    page.click("[data-testid=compare-play]")
    page.wait_for_function(
        "[...document.querySelectorAll('.compare-metrics')]"
        ".every((p) => /step ([0-9]+)/.test(p.textContent) && "
        "Number(p.textContent.match(/step ([0-9]+)/)[1]) >= 20)", timeout=30000)
    page.click("[data-testid=compare-close]")
    compare.wait_for(state="hidden", timeout=10000)


def test_the_activation_explorer_checks_the_identities(page: object) -> None:
    open_playground(page)
    page.click("[data-testid=open-explorer]")
    explorer = page.locator("[data-testid=explorer]")
    explorer.wait_for(state="visible")
    text = explorer.text_content()
    assert "sigmoid" in text and "tanh(x) = 2 sigmoid(2x) − 1" in text
    assert text.count("holds") >= 3
    # the chooser names the functions as the network's selects do, not by their ids
    options = explorer.locator("select").evaluate(
        "(s) => Object.fromEntries([...s.options].map((o) => [o.value, o.text]))")
    assert options["leaky_relu"] == "leaky ReLU" and options["relu"] == "ReLU"
    assert options["sigmoid"] == "sigmoid"


def diverging_hash(page: object) -> str:
    """The playground's hash of a net that diverges within a few frames (three ReLU
    layers, squared error, plain SGD at a learning rate of 10)."""
    return page.evaluate("""async () => {
      const m = await import('/static/js/state/state.js');
      const s = m.defaultState();
      s.network.hidden = [8, 8, 8];
      s.network.activations = ['relu', 'relu', 'relu'];
      s.loss = 'mse';
      s.optimizer = {name: 'sgd', lr: 10};
      return m.encodeState(s);
    }""")


def test_a_diverged_run_says_so_instead_of_drawing_nan(page: object) -> None:
    open_playground(page)
    hash_ = diverging_hash(page)
    open_playground(page, f"/#s={hash_}&n=0")
    assert page.input_value("[data-testid=lr]") == "10"
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent"
                           ".includes('Diverged at step')", timeout=30000)
    assert "lower the learning rate" in page.text_content("[data-testid=status]")
    assert "diverged" in page.locator(".output-panel").text_content()
    assert page.text_content("[data-testid=train-loss]") != "NaN"


def test_own_points_from_a_csv_file(page: object, tmp_path: object) -> None:
    open_playground(page)
    rows = ["x1,x2,label"] + [f"{x / 4:.2f},{y / 4:.2f},{int(x > 0)}"
                              for x in range(-8, 9, 2) for y in range(-8, 9, 2) if x and y]
    csv = tmp_path / "halves.csv"
    csv.write_text("\n".join(rows) + "\n")
    first = drawn_run(page)
    page.set_input_files("[data-testid=upload]", str(csv))
    page.wait_for_function(f"document.getElementById('output').dataset.run !== {first!r}",
                           timeout=20000)
    assert "halves.csv: 64 points, binary" in page.text_content(
        "[data-testid=dataset-description]")
    play_until(page, "Number(document.getElementById('output').dataset.step) >= 300")
    assert metric(page, "train-accuracy") >= 0.9


def test_a_page_drops_its_runs_when_it_goes(page: object) -> None:
    """Reloading or leaving the page deletes the runs it made (keepalive requests
    that outlive it), so a class of reloading students does not fill the server."""
    open_playground(page)
    first = drawn_run(page)
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function("document.getElementById('output').dataset.framesDrawn > 0",
                           timeout=20000)
    second = drawn_run(page)
    assert second and second != first

    def gone(run_id: str) -> bool:
        for _ in range(50):
            if page.context.request.get(f"/api/runs/{run_id}").status == 404:
                return True
            page.wait_for_timeout(100)
        return False

    assert gone(first)
    assert page.context.request.get(f"/api/runs/{second}").status == 200
    page.goto("/lab")  # leaving for the lab
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    lab_run = page.get_attribute("#lab-main", "data-run")
    assert gone(second)
    page.goto("/")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    assert all(gone(run) for run in lab_run.split(","))
