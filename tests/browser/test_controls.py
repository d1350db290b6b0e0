"""The control panel (static/js/controls/controls.js and its section modules) in the page.

Each change a student makes leads to a new run whose spec (`GET /api/runs/{id}`)
is what the panel shows, or, for lr, batch size, L1 and L2, to a `set` on the
running run (same run id, its `hyper` changed). Every control is labelled, a bad
CSV file shows the server's line-numbered message, and the panel works from the
keyboard.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import SHOTS, Console, _open_page, open_playground, run_server
from tests.browser.test_state import walk

RUN_ID = "document.getElementById('output').dataset.run"
ACTIVATION_OPTIONS = ["slope", "alpha", "init_slope", "lower", "upper"]
OPTIMIZER_OPTIONS = ["momentum", "rho", "beta1", "beta2", "eps"]

# What the panel shows, read from its controls (hidden rows left out).
SHOWN = """() => {
  const q = (t) => document.querySelector(`#controls [data-testid="${t}"]`);
  const visible = (node) => node !== null && !node.closest('[hidden]');
  const hidden = [...document.querySelectorAll('#controls [data-testid^="units-"]')]
    .map((n) => Number(n.textContent));
  const options = {};
  for (const key of %(act)s) {
    const node = q(`act-${key.replace('_', '-')}`);
    if (visible(node)) options[key] = Number(node.value);
  }
  const optimizer = {name: q('optimizer').value, lr: Number(q('lr').value)};
  for (const key of %(opt)s) {
    if (visible(q(`optimizer-${key}`))) optimizer[key] = Number(q(`optimizer-${key}`).value);
  }
  if (visible(q('optimizer-nesterov'))) optimizer.nesterov = q('optimizer-nesterov').checked;
  return {
    dataset: q('dataset').value, noise: Number(q('noise').value),
    train_fraction: Number(q('train-fraction').value), n_samples: Number(q('n-samples').value),
    classes: Number(q('classes').value),
    features: [...document.querySelectorAll('#controls [data-feature]')]
      .filter((box) => box.checked).map((box) => box.dataset.feature),
    hidden, activations: hidden.map((_, i) => q(`activation-${i}`).value), options,
    batch_norm: q('batch-norm').checked, dropout: Number(q('dropout').value),
    dropout_mode: q('dropout-mode').value, residual: q('residual').checked,
    init: q('init').value, bias_init: Number(q('bias-init').value), loss: q('loss').value,
    optimizer, batch_size: Number(q('batch-size').value), l1: Number(q('l1').value),
    l2: Number(q('l2').value), seed: Number(q('seed').value),
  };
}""" % {"act": ACTIVATION_OPTIONS, "opt": OPTIMIZER_OPTIONS}  # noqa: UP031 (JS braces)


@pytest.fixture(scope="module")
def api(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=20) as client:
        yield client


@pytest.fixture
def playground(page: Any) -> Any:
    open_playground(page)
    return page


def run_id(page: Any) -> str:
    return page.evaluate(RUN_ID)


def rebuilt(page: Any, action: Callable[[], None]) -> str:
    """Do `action` and wait for the page to draw a new run; its id."""
    before = run_id(page)
    action()
    page.wait_for_function(f"{RUN_ID} !== {before!r}", timeout=20000)
    return run_id(page)


def run_of(api: httpx.Client, run: str) -> dict:
    answer = api.get(f"/api/runs/{run}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def check_run_shows_panel(page: Any, api: httpx.Client, run: str) -> dict:
    """Assert that the run's spec is what the panel shows; the spec."""
    shown = page.evaluate(SHOWN)
    spec = run_of(api, run)["spec"]
    data = spec["data"]
    assert data["name"] == shown["dataset"]
    for key in ["noise", "train_fraction", "n_samples", "classes", "features"]:
        assert data[key] == shown[key], key
    net = walk(spec["layers"])
    assert net["hidden"] == shown["hidden"]
    assert net["activations"] == shown["activations"]
    for options in net["options"]:
        # the fields show 12 significant digits (1/3 as 0.333333333333)
        assert options == pytest.approx({k: shown["options"][k] for k in options})
    assert (net["batchnorm"] > 0) == shown["batch_norm"]
    assert net["dropout"] == ({(shown["dropout"], shown["dropout_mode"])}
                              if shown["dropout"] else set())
    assert (net["residual"] > 0) == (shown["residual"] and len(shown["hidden"]) >= 3)
    assert spec["init"]["name"] == shown["init"]
    assert spec["loss"] == shown["loss"]
    assert {k: spec["optimizer"][k] for k in shown["optimizer"]} == shown["optimizer"]
    for key in ["bias_init", "batch_size", "l1", "l2", "seed"]:
        assert spec[key] == shown[key], key
    return spec


def visible(page: Any, testid: str) -> bool:
    return page.locator(f"#controls [data-testid={testid}]").is_visible()


def typed(page: Any, testid: str, text: str) -> None:
    """Type a number in a field and press Enter (which takes it at once)."""
    page.fill(f"[data-testid={testid}]", text)
    page.press(f"[data-testid={testid}]", "Enter")


def wait_for_hyper(api: httpx.Client, run: str, **expected: float) -> dict:
    """The run's hyperparameters once they say `expected` (the `set` is asynchronous)."""
    deadline = time.monotonic() + 10
    while True:
        hyper = run_of(api, run)["hyper"]
        if all(hyper[k] == v for k, v in expected.items()) or time.monotonic() > deadline:
            return hyper
        time.sleep(0.05)


# -- each control makes the run it shows ------------------------------------------------


def test_data_set_noise_features_and_classes(playground: Any, api: httpx.Client) -> None:
    page = playground
    run = rebuilt(page, lambda: page.select_option("[data-testid=dataset]", "spiral"))
    assert check_run_shows_panel(page, api, run)["data"]["name"] == "spiral"
    assert not visible(page, "classes")  # two classes: no choice of classes

    page.focus("[data-testid=noise]")
    run = rebuilt(page, lambda: [page.keyboard.press("ArrowRight") for _ in range(4)])
    assert check_run_shows_panel(page, api, run)["data"]["noise"] == 0.2
    assert page.text_content("[data-testid=noise-value]") == "0.20"

    run = rebuilt(page, lambda: page.click("[data-testid=features-x1sq]"))
    assert check_run_shows_panel(page, api, run)["data"]["features"] == ["x1", "x2", "x1^2"]
    run = rebuilt(page, lambda: page.click("[data-testid=features-x1]"))
    assert check_run_shows_panel(page, api, run)["data"]["features"] == ["x2", "x1^2"]

    run = rebuilt(page, lambda: page.select_option("[data-testid=dataset]", "blobs"))
    assert visible(page, "classes")
    run = rebuilt(page, lambda: page.select_option("[data-testid=classes]", "5"))
    spec = check_run_shows_panel(page, api, run)
    assert (spec["data"]["classes"], spec["loss"]) == (5, "softmax_ce")
    assert spec["data"]["features"] == ["x2", "x1^2"]  # kept: blobs offers them too


def test_layers_and_units(playground: Any, api: httpx.Client) -> None:
    page = playground
    steps = [("add-layer", [4, 2, 2]), ("add-unit-2", [4, 2, 3]), ("remove-unit-0", [3, 2, 3]),
             ("remove-layer", [3, 2])]
    for button, hidden in steps:
        run = rebuilt(page, lambda b=button: page.click(f"[data-testid={b}]"))
        assert walk(check_run_shows_panel(page, api, run)["layers"])["hidden"] == hidden
        count = len(hidden)
        assert page.text_content("[data-testid=layer-count]") == f"{count} hidden layers"


def test_activation_options_show_for_their_activation(playground: Any,
                                                      api: httpx.Client) -> None:
    page = playground
    assert not visible(page, "act-slope") and not visible(page, "act-lower")
    run = rebuilt(page, lambda: page.select_option("[data-testid=activation-0]", "leaky_relu"))
    assert visible(page, "act-slope") and not visible(page, "act-lower")
    check_run_shows_panel(page, api, run)
    run = rebuilt(page, lambda: typed(page, "act-slope", "0.2"))
    layers = check_run_shows_panel(page, api, run)["layers"]
    assert layers[1] == {"type": "activation", "name": "leaky_relu", "slope": 0.2}

    run = rebuilt(page, lambda: page.select_option("[data-testid=activation-1]", "rrelu"))
    assert visible(page, "act-lower") and visible(page, "act-upper")
    assert visible(page, "act-range-note")
    run = rebuilt(page, lambda: page.select_option("[data-testid=activation-0]", "tanh"))
    assert not visible(page, "act-slope")  # no leaky ReLU left
    run = rebuilt(page, lambda: typed(page, "act-lower", "0.3"))
    check_run_shows_panel(page, api, run)

    page.fill("[data-testid=act-upper]", "0.2")  # below the lower slope: refused
    page.wait_for_selector("[data-testid=act-upper][aria-invalid=true]", timeout=5000)
    page.press("[data-testid=act-upper]", "Enter")  # kept in view, saying why
    assert page.input_value("[data-testid=act-upper]") == "0.2"
    assert page.get_attribute("[data-testid=act-upper]", "aria-invalid") == "true"
    assert page.text_content("[data-testid=act-upper-invalid]") == \
        "RReLU: the lower slope may not exceed the upper."
    page.wait_for_timeout(500)
    assert run_id(page) == run  # no new run
    run = rebuilt(page, lambda: typed(page, "act-upper", "0.6"))
    options = walk(check_run_shows_panel(page, api, run)["layers"])["options"]
    assert options[1] == {"lower": 0.3, "upper": 0.6}


def test_batch_norm_dropout_and_residual(playground: Any, api: httpx.Client) -> None:
    page = playground
    run = rebuilt(page, lambda: page.click("[data-testid=batch-norm]"))
    assert walk(check_run_shows_panel(page, api, run)["layers"])["batchnorm"] == 2
    assert page.is_disabled("[data-testid=dropout-mode]")

    page.focus("[data-testid=dropout]")
    run = rebuilt(page, lambda: [page.keyboard.press("ArrowRight") for _ in range(2)])
    assert walk(check_run_shows_panel(page, api, run)["layers"])["dropout"] == {
        (0.1, "inverted")}
    assert page.is_enabled("[data-testid=dropout-mode]")
    run = rebuilt(page, lambda: page.select_option("[data-testid=dropout-mode]", "classic"))
    assert walk(check_run_shows_panel(page, api, run)["layers"])["dropout"] == {
        (0.1, "classic")}

    run = rebuilt(page, lambda: page.click("[data-testid=add-layer]"))
    run = rebuilt(page, lambda: page.click("[data-testid=residual]"))
    assert walk(check_run_shows_panel(page, api, run)["layers"])["residual"] == 1
    hint = page.text_content("[data-testid=residual-hint]")
    # layers 4, 2, 2: the block goes from 4 units to 2, so its skip has a projection
    assert ": 1 block. " in hint and hint.endswith("drawn on its arc: 1.")


def test_optimizer_and_its_options(playground: Any, api: httpx.Client) -> None:
    page = playground
    run = rebuilt(page, lambda: page.select_option("[data-testid=optimizer]", "adam"))
    spec = check_run_shows_panel(page, api, run)
    assert spec["optimizer"] == {"name": "adam", "lr": 0.03, "beta1": 0.9, "beta2": 0.999,
                                 "eps": 1e-8}
    assert visible(page, "optimizer-beta1") and not visible(page, "optimizer-momentum")
    run = rebuilt(page, lambda: typed(page, "optimizer-beta1", "0.8"))
    assert check_run_shows_panel(page, api, run)["optimizer"]["beta1"] == 0.8

    run = rebuilt(page, lambda: page.select_option("[data-testid=optimizer]", "momentum"))
    assert visible(page, "optimizer-momentum") and not visible(page, "optimizer-beta1")
    run = rebuilt(page, lambda: page.click("[data-testid=optimizer-nesterov]"))
    spec = check_run_shows_panel(page, api, run)
    assert spec["optimizer"] == {"name": "momentum", "lr": 0.03, "momentum": 0.9,
                                 "nesterov": True}


def test_optimizer_hint_says_its_rule_and_defaults(playground: Any, api: httpx.Client) -> None:
    """Under the optimiser: its update rule and the defaults a run gets for options
    left unset, as GET /api/optimizers gives them (rmsprop and adam at lr 0.01);
    the select's tooltip says the same."""
    page = playground
    hint = "#controls [data-testid=optimizer-hint]"
    listed = {o["name"]: o["options"] for o in api.get("/api/optimizers").json()}
    assert listed["adam"]["lr"]["default"] == listed["rmsprop"]["lr"]["default"] == 0.01
    expected = {
        "sgd": ("w ← w − η·g", "Defaults when not set: Learning rate 0.03."),
        "momentum": ("v ← μ·v + g, then w ← w − η·v", "a new learning rate acts from the next "
                     "step", "Learning rate 0.03, Momentum 0.9, Nesterov off."),
        "rmsprop": ("s ← ρ·s + (1 − ρ)·g²", "Learning rate 0.01, Decay rho 0.9, epsilon 1e-8."),
        "adam": ("m ← β1·m + (1 − β1)·g",
                 "Learning rate 0.01, beta1 0.9, beta2 0.999, epsilon 1e-8."),
    }
    assert page.text_content(hint).startswith("Each step: w ← w − η·g")
    for name, parts in expected.items():
        if page.input_value("[data-testid=optimizer]") != name:
            rebuilt(page, lambda name=name: page.select_option("[data-testid=optimizer]", name))
        text = page.text_content(hint)
        for part in parts:
            assert part in text, (name, part, text)
        assert page.get_attribute("[data-testid=optimizer]", "title") == text
        assert page.locator(hint).is_visible()


def test_rates_change_the_running_run(playground: Any, api: httpx.Client) -> None:
    page = playground
    run = run_id(page)
    assert run_of(api, run)["hyper"] == {"lr": 0.03, "l1": 0.0, "l2": 0.0, "batch_size": 10}
    page.select_option("[data-testid=lr]", "0.1")
    assert wait_for_hyper(api, run, lr=0.1)["lr"] == 0.1
    typed(page, "lr-custom", "0.05")
    assert wait_for_hyper(api, run, lr=0.05)["lr"] == 0.05
    assert page.input_value("[data-testid=lr]") == "0.05"  # the typed rate joins the list
    typed(page, "batch-size", "25")
    assert wait_for_hyper(api, run, batch_size=25)["batch_size"] == 25
    typed(page, "l1", "0.001")
    typed(page, "l2", "0.01")
    assert wait_for_hyper(api, run, l1=0.001, l2=0.01) == {
        "lr": 0.05, "l1": 0.001, "l2": 0.01, "batch_size": 25}
    page.wait_for_timeout(500)
    assert run_id(page) == run  # no new run for any of them


def test_a_value_out_of_range_says_so_next_to_the_field(playground: Any,
                                                       api: httpx.Client) -> None:
    page = playground
    run = run_id(page)
    cases = [("batch-size", "0", "a whole number between 1 and 5000"),
             ("lr-custom", "50", "between 1e-7 and 10"),
             ("n-samples", "2.5", "a whole number between 4 and 5000"),
             ("l2", "-1", "between 0 and 1")]
    for testid, value, says in cases:
        before = page.input_value(f"[data-testid={testid}]")
        typed(page, testid, value)
        field = page.locator(f"[data-testid={testid}]")
        note = page.locator(f"[data-testid={testid}-invalid]")
        note.wait_for(state="visible", timeout=5000)
        assert note.text_content() == says
        assert field.get_attribute("aria-invalid") == "true"
        assert field.get_attribute("aria-describedby") == note.get_attribute("id")
        page.click("h1")  # leaving the field keeps the value, so the student sees it
        assert field.input_value() == value
        # next to the field: just under it, across its column
        box, near = field.bounding_box(), note.bounding_box()
        assert 0 <= near["y"] - (box["y"] + box["height"]) < 12, (box, near)
        assert near["x"] <= box["x"] + 1 and near["x"] + near["width"] >= box["x"] + box["width"]
        if testid == "batch-size":
            note.scroll_into_view_if_needed()
            page.locator("#controls .ctl-pairs", has=note).screenshot(
                path=str(SHOTS / "field_out_of_range_batch_size.png"))
        typed(page, testid, before)  # a value it takes: the note goes
        note.wait_for(state="hidden", timeout=5000)
        assert field.get_attribute("aria-invalid") is None
    page.wait_for_timeout(500)
    assert run_id(page) == run  # nothing refused reached the run
    assert run_of(api, run)["hyper"] == {"lr": 0.03, "l1": 0.0, "l2": 0.0, "batch_size": 10}

    # the Chinese page says it in Chinese
    open_playground(page, "/?lang=zh-Hant")
    typed(page, "batch-size", "0")
    page.locator("[data-testid=batch-size-invalid]").wait_for(state="visible", timeout=5000)
    assert page.text_content("[data-testid=batch-size-invalid]") == "須是介於 1 與 5000 之間的整數"


@pytest.fixture(scope="module")
def small_server() -> Iterator[str]:
    """A server whose nets may have at most 20 units a layer and 3 hidden layers."""
    with run_server({"NNPLAY_MAX_UNITS": "20", "NNPLAY_MAX_HIDDEN_LAYERS": "3"}) as base:
        yield base


def test_the_unit_limit_follows_the_servers_setting(browser: Any, small_server: str,
                                                    request: pytest.FixtureRequest) -> None:
    pages = _open_page(browser, small_server, request, bypass_csp=True)
    page = next(pages)
    try:
        open_playground(page)
        assert page.get_attribute("body", "data-max-units") == "20"
        hash_ = page.evaluate("""async () => {
          const m = await import('/static/js/state/state.js');
          const s = m.defaultState();
          s.network.hidden = [19, 2];
          return m.encodeState(s);
        }""")
        page.goto("about:blank")
        open_playground(page, f"/#s={hash_}&n=0")
        assert page.text_content("[data-testid=units-0]") == "19"
        assert page.is_enabled("[data-testid=add-unit-0]")
        run = rebuilt(page, lambda: page.click("[data-testid=add-unit-0]"))
        assert page.text_content("[data-testid=units-0]") == "20"
        assert page.is_disabled("[data-testid=add-unit-0]")  # the server's limit
        with httpx.Client(base_url=small_server, timeout=20) as api:
            assert walk(run_of(api, run)["spec"]["layers"])["hidden"] == [20, 2]
        rebuilt(page, lambda: page.click("[data-testid=add-layer]"))
        assert page.is_disabled("[data-testid=add-layer]")  # three hidden layers
    finally:
        next(pages, None)


def test_the_load_button_looks_like_the_other_bar_buttons(page: Any) -> None:
    open_playground(page)
    look = """(selector) => { const s = getComputedStyle(document.querySelector(selector));
      return {color: s.color, opacity: s.opacity, background: s.backgroundColor,
              border: s.borderTopColor, cursor: s.cursor}; }"""
    load = page.evaluate(look, "label[for=load-model]")
    share = page.evaluate(look, "[data-testid=share]")
    download = page.evaluate(look, "[data-testid=download]")
    assert share == download
    assert load == share, (load, share)
    page.locator("header").first.screenshot(path=str(SHOTS / "bar_load_button_like_share.png"))


# -- labels, uploads, keyboard ----------------------------------------------------------


def test_every_control_has_a_label(playground: Any) -> None:
    unlabelled = playground.evaluate("""() => {
      // a name with words: a button's "+" or "−" alone needs an aria-label
      const words = (text) => /[A-Za-z]/.test(text || '');
      const named = (n) => (n.labels && [...n.labels].some((l) => words(l.textContent)))
        || words(n.getAttribute('aria-label'))
        || (n.tagName === 'BUTTON' && words(n.textContent));
      const controls = [...document.querySelectorAll(
        '#controls input, #controls select, #controls button')];
      return [controls.length, controls.filter((n) => !named(n))
        .map((n) => n.dataset.testid || n.outerHTML)];
    }""")
    count, missing = unlabelled
    assert count >= 40
    assert missing == []


def test_a_bad_csv_shows_the_servers_line_numbered_message(
        browser: Any, server: str, tmp_path: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server,
                                  bypass_csp=True)  # waiting in the page evaluates strings
    page = context.new_page()
    console = Console()
    console.watch(page)
    try:
        open_playground(page)
        before = run_id(page)
        bad = tmp_path / "bad.csv"
        bad.write_text("x1,x2,label\n0.1,0.2,0\n0.3,0.5,1\n0.2,0.1,0\n0.7,abc,1\n0.7,0.5,1\n")
        page.set_input_files("[data-testid=upload]", str(bad))
        status = page.locator("[data-testid=upload-status]")
        page.wait_for_function("document.querySelector('[data-testid=upload-status]')"
                               ".classList.contains('ctl-error')", timeout=10000)
        assert status.text_content() == "bad.csv: line 5: x2: 'abc' is not a number"
        assert run_id(page) == before
        assert page.input_value("[data-testid=dataset]") == "circle"
    finally:
        context.close()
    # Chromium logs the refused request itself; nothing else may be logged
    assert len(console.errors) == 1, console.errors
    assert "Failed to load resource" in console.errors[0] and "422" in console.errors[0]


def focused(page: Any) -> str | None:
    return page.evaluate("document.activeElement?.dataset?.testid ?? null")


def test_the_panel_works_from_the_keyboard(playground: Any, api: httpx.Client) -> None:
    page = playground
    page.focus("[data-testid=remove-unit-0]")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == "activation-0"
    run = rebuilt(page, lambda: page.keyboard.press("ArrowDown"))  # tanh -> relu
    assert check_run_shows_panel(page, api, run)["layers"][1]["name"] == "relu"

    page.focus("[data-testid=dataset]")
    page.keyboard.press("Tab")  # the file input
    page.keyboard.press("Tab")
    assert focused(page) == "noise"
    run = rebuilt(page, lambda: page.keyboard.press("ArrowRight"))
    assert check_run_shows_panel(page, api, run)["data"]["noise"] == 0.05

    page.focus("[data-testid=l1]")
    page.keyboard.press("Tab")
    assert focused(page) == "l2"
    page.keyboard.type("0.03")
    page.keyboard.press("Enter")
    assert wait_for_hyper(api, run, l2=0.03)["l2"] == 0.03

    page.focus("[data-testid=add-layer]")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "remove-layer"
    run = rebuilt(page, lambda: page.keyboard.press("Enter"))
    run = rebuilt(page, lambda: page.keyboard.press("Space"))
    assert walk(check_run_shows_panel(page, api, run)["layers"])["hidden"] == []
    assert page.is_disabled("[data-testid=remove-layer]")
    assert focused(page) == "add-layer"  # focus moved on from the disabled button
    run = rebuilt(page, lambda: page.keyboard.press("Enter"))
    assert walk(check_run_shows_panel(page, api, run)["layers"])["hidden"] == [4]
