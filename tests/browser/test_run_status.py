"""What the page says a run is doing, in headless Chromium: the status line
(common/status_line.js) follows the run's frames on the playground and in the
lab ("Playing", "Paused at step N", "Diverged at step N: lower the learning
rate"), in English and Traditional Chinese; a run that diverged reads Play (it
stopped itself, common/run_state.js), and its warnings clear when it is reset
and trains again.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

import json
import re
import struct

from app.frames import header_of, pack
from tests.browser.conftest import SHOTS, open_playground
from tests.browser.test_lab import open_lab
from tests.browser.test_playground import diverging_hash

STATUS = "[data-testid=status]"


def wait_state(page: object, kind: str) -> str:
    """Until the status line says the run is `kind`; its text."""
    page.wait_for_function(
        f"document.querySelector('{STATUS}').dataset.runState === '{kind}'", timeout=30000)
    return page.text_content(STATUS)


def step_count(page: object) -> int:
    return int(page.text_content("[data-testid=step-count]"))


def is_error(page: object) -> bool:
    return page.evaluate(f"document.querySelector('{STATUS}').classList.contains('error')")


def test_the_playgrounds_status_line_says_what_the_run_does(page: object) -> None:
    open_playground(page)
    assert wait_state(page, "paused") == "Ready at step 0: press Play (space)."
    page.click("[data-testid=play]")
    text = wait_state(page, "playing")
    assert text == "Playing (space pauses)."
    page.wait_for_function("Number(document.getElementById('output').dataset.step) >= 50",
                           timeout=20000)
    assert page.text_content(STATUS) == "Playing (space pauses)."  # never "Ready" while training
    page.click("[data-testid=play]")
    wait_state(page, "paused")
    page.wait_for_function(
        f"/^Paused at step [1-9][0-9]*: press Play \\(space\\) to go on\\.$/"
        f".test(document.querySelector('{STATUS}').textContent)", timeout=20000)
    shown = int(re.search(r"step (\d+)", page.text_content(STATUS)).group(1))
    assert shown == step_count(page)
    page.click("[data-testid=step]")  # a step while paused: the line follows the step
    page.wait_for_function(
        f"document.querySelector('{STATUS}').textContent.includes('step {shown + 1}:')",
        timeout=20000)


def test_a_diverged_run_reads_play_and_its_warnings_clear_on_reset(page: object) -> None:
    open_playground(page)
    hash_ = diverging_hash(page)
    page.goto("about:blank")  # a fresh page: the last one's pagehide keeps its own hash
    open_playground(page, f"/#s={hash_}&n=0")
    assert page.input_value("[data-testid=lr]") == "10"
    page.click("[data-testid=play]")
    text = wait_state(page, "diverged")
    step = step_count(page)
    assert text == f"Diverged at step {step}: lower the learning rate and press Reset."
    assert is_error(page)
    # it stopped itself: the button reads Play, and the run stays where it is
    page.wait_for_function("document.querySelector('[data-testid=play]').textContent === 'Play'",
                           timeout=20000)
    assert page.get_attribute("[data-testid=play]", "aria-pressed") == "false"
    page.locator(".output-panel .nn-diverged").wait_for(state="visible", timeout=20000)
    page.screenshot(path=str(SHOTS / "playground_diverged_reads_play.png"))

    # reset: back at step 0, paused, every warning gone
    page.click("[data-testid=reset]")
    text = wait_state(page, "paused")
    assert text.endswith("Ready at step 0: press Play (space).")
    assert "iverged" not in text and not is_error(page)
    assert step_count(page) == 0
    page.locator(".output-panel .nn-diverged").wait_for(state="hidden", timeout=20000)
    assert page.text_content("[data-testid=play]") == "Play"

    # a lower rate: it trains again, with no warning
    page.select_option("[data-testid=lr]", "0.03")
    page.click("[data-testid=play]")
    assert "Playing" in wait_state(page, "playing")
    page.wait_for_function("Number(document.getElementById('output').dataset.step) >= 100",
                           timeout=20000)
    assert not is_error(page)
    assert page.locator(".output-panel .nn-diverged").is_hidden()
    assert page.text_content("[data-testid=play]") == "Pause"
    page.click("[data-testid=play]")
    page.screenshot(path=str(SHOTS / "playground_trains_again_after_reset.png"))


def test_the_labs_status_line_says_what_the_run_does(page: object) -> None:
    # no lab lesson diverges at the largest learning rate the server takes, so the
    # run's frames are made to say so below (status "diverged", as the server's
    # would) from a Play until the next Reset; until then they pass unchanged
    fake = {"on": False}
    page.route_web_socket(re.compile(r".*/ws/runs/.*"), lambda ws: diverging(ws, fake))
    open_lab(page, "convolution")
    text = wait_state(page, "paused")
    assert text.endswith("Ready at step 0: press Play (space).")
    page.click("[data-testid=play]")
    assert wait_state(page, "playing").endswith("Playing (space pauses).")
    page.wait_for_function("Number(document.getElementById('lab-main').dataset.step) >= 40",
                           timeout=30000)
    page.click("[data-testid=play]")
    wait_state(page, "paused")
    page.wait_for_function(
        f"/Paused at step [1-9][0-9]*: press Play/.test("
        f"document.querySelector('{STATUS}').textContent)", timeout=20000)

    # diverged: Play, the warning naming the step; reset clears it
    fake["on"] = True
    page.click("[data-testid=play]")
    wait_state(page, "diverged")
    assert is_error(page)
    page.wait_for_function("document.querySelector('[data-testid=play]').textContent === 'Play'",
                           timeout=20000)
    # the line names the step the run is at (the made-up frames let it go on a little)
    page.wait_for_function(
        f"document.querySelector('{STATUS}').textContent.endsWith("
        "`Diverged at step ${document.querySelector('[data-testid=step-count]').textContent}"
        ": lower the learning rate and press Reset.`)", timeout=20000)
    page.screenshot(path=str(SHOTS / "lab_diverged_reads_play.png"))
    page.click("[data-testid=reset]")
    text = wait_state(page, "paused")
    assert text.endswith("Ready at step 0: press Play (space).") and not is_error(page)
    assert page.text_content("[data-testid=play]") == "Play"
    assert step_count(page) == 0


def diverging(ws: object, fake: dict) -> None:
    """Pass a run's socket through, its frames marked diverged while ``fake["on"]``
    (a reset from the page turns it off)."""
    server = ws.connect_to_server()

    def to_server(message: str | bytes) -> None:
        if isinstance(message, str) and json.loads(message).get("type") == "reset":
            fake["on"] = False
        server.send(message)

    def to_page(message: str | bytes) -> None:
        if isinstance(message, bytes) and fake["on"]:
            header = header_of(message)
            head_end = 4 + struct.unpack_from("<I", message, 0)[0]
            payload = message[head_end + (-head_end) % 4:]
            message = pack({**header, "status": "diverged"}, [payload])
        ws.send(message)

    ws.on_message(to_server)
    server.on_message(to_page)


def test_the_status_line_in_traditional_chinese(page: object) -> None:
    open_playground(page, "/?lang=zh-Hant")
    assert wait_state(page, "paused") == "停在第 0 步：按「播放」（空白鍵）開始。"
    page.click("[data-testid=play]")
    assert wait_state(page, "playing") == "播放中（空白鍵暫停）。"
    page.click("[data-testid=play]")
    wait_state(page, "paused")
    page.wait_for_function(
        f"/^暫停在第 [1-9][0-9]* 步/.test(document.querySelector('{STATUS}').textContent)",
        timeout=20000)


def test_a_message_outlives_the_opening_frames_of_a_run_asked_to_play(page: object) -> None:
    """A playing student given a new lesson: the new run opens paused and plays a
    frame or two later (later still on a busy server). The teacher's message stays
    through that opening; the student's own pause then replaces it."""
    open_playground(page)
    shown = page.evaluate("""async () => {
        const { StatusLine } = await import('/static/js/common/status_line.js');
        const line = new StatusLine(document.createElement('p'));
        const seen = [];
        line.begin('Lesson: Dead ReLUs', '', { playing: true });
        line.say('Your teacher opened the lesson: Dead ReLUs');
        for (const header of [{ step: 0, playing: false }, { step: 0, playing: false },
                              { step: 10, playing: true }, { step: 20, playing: true }]) {
            line.follow(header);
            seen.push(line.element.textContent);
        }
        line.endOpening();
        line.follow({ step: 20, playing: false });
        seen.push(line.element.textContent);
        // a run not asked to play: its first play is a change, and drops the message
        line.begin('', '');
        line.say('Loaded a model.');
        line.follow({ step: 0, playing: false });
        line.follow({ step: 10, playing: true });
        seen.push(line.element.textContent);
        return seen;
    }""")
    teacher = "Your teacher opened the lesson: Dead ReLUs"
    assert shown == [teacher] * 4 + [
        "Lesson: Dead ReLUs · Paused at step 20: press Play (space) to go on.",
        "Playing (space pauses)."]
