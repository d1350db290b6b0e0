"""The playground page as a student uses it, in headless Chromium.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

from tests.browser.conftest import open_playground

OUTPUT_PIXELS = "document.getElementById('output').toDataURL()"


def metric(page: object, name: str) -> float:
    text = page.text_content(f"[data-testid={name}]")
    return float(text) if text not in (None, "", "–") else float("nan")


def step_count(page: object) -> int:
    return int(page.text_content("[data-testid=step-count]"))


def load_lesson(page: object, name: str, variant: str | None = None) -> None:
    page.click("[data-testid=open-lessons]")
    page.click(f"[data-testid=lesson-{name}]")
    if variant is not None:
        page.select_option("[data-testid=lesson-variant]", variant)
    page.click("[data-testid=lesson-load]")
    page.wait_for_function(
        "document.querySelector('[data-testid=lesson-note]') && "
        "!document.querySelector('[data-testid=lesson-note]').hidden", timeout=20000)
    page.wait_for_function("document.getElementById('output').dataset.step === '0'",
                           timeout=20000)


def play_until(page: object, condition: str, timeout: float = 30000) -> None:
    page.click("[data-testid=play]")
    page.wait_for_function(condition, timeout=timeout)
    page.click("[data-testid=play]")


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
    page.wait_for_function(f"{third}.querySelector('.nv-head').textContent === 'relu' && "
                           f"{third}.querySelectorAll('canvas').length === 3", timeout=20000)
    page.wait_for_function("location.hash.includes('relu') || location.hash.length > 0")
    state = page.evaluate("""async () => {
      const encoded = new URLSearchParams(location.hash.slice(1)).get('s');
      const m = await import('/static/js/state.js');
      return m.decodeState(encoded);
    }""")
    assert state["network"]["hidden"] == [4, 2, 3]
    assert state["network"]["activations"] == ["tanh", "tanh", "relu"]
    play_until(page, "Number(document.getElementById('output').dataset.step) >= 200")
    assert step_count(page) >= 200


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
    page.select_option("[data-testid=dataset]", "xor")
    page.wait_for_function("document.getElementById('output').dataset.step === '0'",
                           timeout=20000)
    page.click("[data-testid=add-unit-0]")
    page.wait_for_function("document.querySelectorAll('.nv-column.nv-hidden')[0]"
                           ".querySelectorAll('canvas').length === 5", timeout=20000)
    play_until(page, "Number(document.getElementById('output').dataset.step) >= 150")
    page.wait_for_timeout(800)  # the URL follows the step half a second later
    step = step_count(page)
    loss = page.text_content("[data-testid=test-loss]")
    url = page.url
    assert f"n={step}" in url

    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
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
