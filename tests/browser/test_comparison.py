"""Comparisons that do what their buttons say, in headless Chromium: the
playground's (playground/comparison.js) and the lab's (lab/compare.js) play and
pause all their runs from one toggling button, step each one frame's worth of
steps and leave them paused, and reset them paused at step 0
(common/group_play.js); the lab's sides share their y axes as the playground's
do; the playground's gradient legend names every layer of a deep net.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

import json

from tests.browser.conftest import SHOTS, open_playground

PLAYGROUND_METRICS = "[...document.querySelectorAll('.compare-metrics')]"
LAB_METRICS = "[...document.querySelectorAll('.lab-compare-metrics')]"


def steps_of(page: object, metrics: str) -> list[int]:
    return page.evaluate(f"{metrics}.map((p) => Number(p.dataset.step))")


def wait_steps(page: object, metrics: str, wanted: list[int]) -> None:
    """Until every side's newest frame is at its wanted step, and paused."""
    page.wait_for_function(
        f"(wanted) => {metrics}.every((p, i) => Number(p.dataset.step) === wanted[i] "
        "&& p.dataset.state === 'paused')", arg=wanted, timeout=20000)


def check_group_buttons(page: object, metrics: str, labels: tuple[str, str]) -> None:
    """Play toggles to its pause label and back; after the pause the runs do not
    move: a step adds exactly one frame's worth of steps to each and they stay
    paused; a reset while playing leaves them paused at step 0."""
    play = "[data-testid=compare-play]"
    speed = int(page.input_value("[data-testid=speed]"))
    assert page.text_content(play) == labels[0]
    assert page.get_attribute(play, "aria-pressed") == "false"

    page.click(play)
    assert page.text_content(play) == labels[1]
    assert page.get_attribute(play, "aria-pressed") == "true"
    page.wait_for_function(f"{metrics}.every((p) => Number(p.dataset.step || 0) >= 100)",
                           timeout=30000)
    page.click(play)  # pause
    assert page.text_content(play) == labels[0]
    page.wait_for_function(f"{metrics}.every((p) => p.dataset.state === 'paused')",
                           timeout=20000)
    paused = steps_of(page, metrics)
    assert min(paused) >= 100

    # one step of each: exactly the steps per frame more (nothing trained since the pause)
    page.click("[data-testid=compare-step]")
    stepped = [n + speed for n in paused]
    wait_steps(page, metrics, stepped)
    assert page.text_content(play) == labels[0]
    page.click("[data-testid=compare-step]")
    wait_steps(page, metrics, [n + speed for n in stepped])

    # reset while playing: paused at step 0, and still there for the next step
    page.click(play)
    page.wait_for_function(f"{metrics}.every((p) => p.dataset.state === 'playing')",
                           timeout=20000)
    page.click("[data-testid=compare-reset]")
    assert page.text_content(play) == labels[0]
    assert page.get_attribute(play, "aria-pressed") == "false"
    wait_steps(page, metrics, [0] * len(paused))
    page.click("[data-testid=compare-step]")
    wait_steps(page, metrics, [speed] * len(paused))


def test_the_playgrounds_comparison_plays_pauses_steps_and_resets_all(page: object) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    open_playground(page)
    page.click("[data-testid=open-lessons]")
    page.click("[data-testid=lesson-dead-relu]")
    page.click("[data-testid=lesson-compare]")
    page.locator("[data-testid=compare]").wait_for(state="visible", timeout=20000)
    page.wait_for_function(f"{PLAYGROUND_METRICS}.length === 2 && "
                           f"{PLAYGROUND_METRICS}.every((p) => p.dataset.state === 'paused')",
                           timeout=20000)
    assert page.text_content("[data-testid=compare-step]") == "Step all"
    check_group_buttons(page, PLAYGROUND_METRICS, ("Play all", "Pause all"))
    page.locator("[data-testid=compare]").screenshot(
        path=str(SHOTS / "comparison_playground_reset_paused_at_step_10.png"))

    # the status line says what the sides do, and the page's run's state once closed
    page.click("[data-testid=compare-play]")
    assert page.text_content("[data-testid=status]") == \
        "Side by side: playing (Pause all pauses them)."
    page.click("[data-testid=compare-play]")
    assert page.text_content("[data-testid=status]") == "Side by side: paused (Play all goes on)."
    page.click("[data-testid=compare-close]")
    page.locator("[data-testid=compare]").wait_for(state="hidden", timeout=10000)
    assert page.text_content("[data-testid=status]") == "Ready at step 0: press Play (space)."


def test_the_labs_comparison_behaves_the_same_on_shared_axes(page: object) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/lab#lesson=residual")
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function(f"{LAB_METRICS}.length === 2 && "
                           f"{LAB_METRICS}.every((p) => p.dataset.state === 'paused')",
                           timeout=20000)
    check_group_buttons(page, LAB_METRICS, ("Play both", "Pause both"))

    # the bar drives both sides the same way: its Play reads Pause while they train
    page.click("[data-testid=play]")
    assert page.text_content("[data-testid=compare-play]") == "Pause both"
    page.wait_for_function(f"{LAB_METRICS}.every((p) => Number(p.dataset.step) >= 150)",
                           timeout=30000)
    page.click("[data-testid=play]")
    assert page.text_content("[data-testid=compare-play]") == "Play both"
    page.wait_for_function(f"{LAB_METRICS}.every((p) => p.dataset.state === 'paused')",
                           timeout=20000)

    # shared y axes: once drawn, the same ticks on both sides (a deep plain net's
    # gradients are orders of magnitude below a residual one's: apart, they differ)
    for kind in ("loss", "gradient"):
        page.wait_for_function(
            "(kind) => { const t = ['deep-plain', 'deep-residual'].map((v) => document"
            ".querySelector(`[data-testid=compare-${kind}-${v}]`).dataset.yTicks); "
            "return t[0] !== undefined && t[0] === t[1]; }", arg=kind, timeout=10000)
    ticks = json.loads(page.get_attribute("[data-testid=compare-gradient-deep-plain]",
                                          "data-y-ticks"))
    # the shared gradient axis spans the plain net's vanishing norms and the residual's
    assert float(ticks[-1]) / float(ticks[0]) >= 1e3, ticks
    page.locator("[data-testid=compare]").screenshot(
        path=str(SHOTS / "comparison_lab_shared_axes.png"))


def test_the_gradient_legend_lists_every_layer_of_a_four_layer_net(page: object) -> None:
    open_playground(page)
    hash_ = page.evaluate("""async () => {
      const m = await import('/static/js/state/state.js');
      const s = m.defaultState();
      s.network.hidden = [4, 4, 4, 4, 4];
      s.network.activations = ['tanh', 'tanh', 'tanh', 'tanh', 'tanh'];
      return m.encodeState(s);
    }""")
    page.goto("about:blank")  # a fresh page: the last one's pagehide keeps its own hash
    open_playground(page, f"/#s={hash_}&n=0")
    page.click("[data-testid=step]")
    page.wait_for_function(
        "document.querySelector('[data-testid=gradient-chart]').dataset.legend !== undefined "
        "&& Number(document.getElementById('output').dataset.step) >= 1", timeout=20000)
    legend = json.loads(page.get_attribute("[data-testid=gradient-chart]", "data-legend"))
    assert legend == ["layer 1 (input side)", "layer 2", "layer 3", "layer 4", "layer 5",
                      "output"]
    page.locator("[data-testid=gradient-chart]").screenshot(
        path=str(SHOTS / "gradient_legend_five_hidden_layers.png"))


def test_play_pressed_while_the_runs_are_being_made_plays_them(page: object) -> None:
    """A command sent to a session whose run is still being made (Play all pressed
    as soon as the comparison shows, before the server answered) reaches the run
    once its socket opens: its frames say playing and its steps rise."""
    open_playground(page)
    frames = page.evaluate("""async () => {
        const { Session } = await import('/static/js/playground/session.js');
        const headers = [];
        const quiet = { reset() {}, push() {}, update() {}, setPoints() {} };
        const session = new Session({ output: quiet, loss: quiet, gradient: quiet,
                                      onFrame: (frame) => headers.push(frame.header) });
        session.send({ type: 'play' });  // before open: no socket yet
        await session.open({ lesson: 'xor-two-relu' });
        const started = Date.now();
        while (!headers.some((h) => h.playing && h.step > 0) && Date.now() - started < 20000) {
            await new Promise((done) => setTimeout(done, 50));
        }
        await session.close();
        return headers.map((h) => [h.playing, h.step]);
    }""")
    assert any(playing and step > 0 for playing, step in frames), frames
