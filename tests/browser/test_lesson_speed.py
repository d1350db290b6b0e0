"""Lessons open at a speed a student can watch, in headless Chromium: opening a
lesson sets the speed control to the lesson's steps per frame (its catalogue
entry's `steps_per_frame`), the run plays at it, the control stays and the
student can change it, and a shared link keeps the student's own speed; in the
playground and the lab.

Each test leaves a screenshot under test-output/browser/ (see conftest.py) and
fails on any console error.
"""

from __future__ import annotations

import base64
import json

import httpx

from app.frames import header_of
from tests.browser.conftest import SHOTS, open_playground
from tests.browser.test_lab import MAIN, open_lab
from tests.browser.test_playground import load_lesson

SPEED = "[data-testid=speed]"


def lesson_speeds(server: str) -> dict[str, int]:
    """Each lesson's steps per frame, from the catalogue the page reads."""
    lessons = httpx.get(f"{server}/api/lessons", timeout=30).json()
    return {entry["name"]: entry["steps_per_frame"] for entry in lessons}


def watch_headers(page: object) -> list[dict]:
    """The headers of the frames the page receives from now on (newest last)."""
    headers: list[dict] = []

    def watch(ws: object) -> None:
        ws.on("framereceived", lambda payload: headers.append(header_of(payload))
              if isinstance(payload, bytes) else None)

    page.on("websocket", watch)
    return headers


def played_speed(page: object, headers: list[dict], counter: str) -> int:
    """Play until the step counter has moved on, pause, and answer the steps per
    frame of the newest frame played."""
    start = int(page.text_content(counter))
    headers.clear()
    page.click("[data-testid=play]")
    page.wait_for_function(
        f"Number(document.querySelector('{counter}').textContent) >= {start + 20}", timeout=30000)
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute("
                           "'aria-pressed') === 'false'")
    played = [h for h in headers if h.get("type", "frame") == "frame" and h.get("playing")]
    assert played, headers[-3:]
    return played[-1]["steps_per_frame"]


def test_opening_a_lesson_sets_the_speed_control_and_the_student_can_change_it(
        page: object, server: str) -> None:
    speeds = lesson_speeds(server)
    assert speeds["batch-norm"] == 1 and speeds["loss-and-output"] == 2
    headers = watch_headers(page)
    open_playground(page)
    assert page.input_value(SPEED) == "10"  # the page's own default, without a lesson
    load_lesson(page, "batch-norm")
    assert page.input_value(SPEED) == "1"
    # the run plays at the lesson's speed: one step a frame
    assert played_speed(page, headers, "[data-testid=step-count]") == 1
    page.screenshot(path=str(SHOTS / "lesson_speed_batch_norm_opens_at_1_step_a_frame.png"))
    # the control stays: the student speeds it up and the run follows
    page.select_option(SPEED, "20")
    assert played_speed(page, headers, "[data-testid=step-count]") == 20
    # another lesson opens at its own speed, again
    load_lesson(page, "loss-and-output")
    assert page.input_value(SPEED) == "2"
    assert played_speed(page, headers, "[data-testid=step-count]") == 2


def test_a_shared_link_keeps_the_students_own_speed(page: object, server: str) -> None:
    open_playground(page)
    load_lesson(page, "xor-one-neuron")
    assert page.input_value(SPEED) == "1"
    # the student picks the page's default, 10: the link still says so
    page.select_option(SPEED, "10")
    link = page.url
    headers = watch_headers(page)
    page.goto("about:blank")  # a fresh page: leaving, the playground writes its own state
    open_playground(page, link[link.index("/#"):])
    assert page.input_value(SPEED) == "10"
    assert page.get_attribute("[data-testid=lesson-note]", "hidden") is None
    assert played_speed(page, headers, "[data-testid=step-count]") == 10
    # a link to the lesson that names no speed (made before lessons had one) opens
    # at the lesson's
    bare = base64.urlsafe_b64encode(json.dumps({"ls": {"nm": "xor-one-neuron"}}).encode())
    page.goto("about:blank")
    open_playground(page, f"/#s=1.{bare.decode().rstrip('=')}&n=0")
    assert page.input_value(SPEED) == "1"
    assert played_speed(page, headers, "[data-testid=step-count]") == 1


def test_the_lab_opens_a_lesson_at_its_speed_and_keeps_the_students(
        page: object, server: str) -> None:
    speeds = lesson_speeds(server)
    headers = watch_headers(page)
    open_lab(page, "convolution")
    assert page.input_value(SPEED) == str(speeds["convolution"]) == "2"
    assert played_speed(page, headers, "[data-testid=step-count]") == 2
    page.screenshot(path=str(SHOTS / "lesson_speed_lab_convolution_opens_at_2_steps_a_frame.png"))
    # the student's own speed goes into the address, and a reload keeps it
    page.select_option(SPEED, "5")
    page.wait_for_function("location.hash.includes('speed=5')")
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function(f"Number({MAIN}.dataset.framesDrawn || 0) > 0", timeout=20000)
    assert page.input_value(SPEED) == "5"
    assert played_speed(page, headers, "[data-testid=step-count]") == 5
    # another lesson opens at its own (residual: its two deep nets side by side)
    page.select_option("#lesson", "residual")
    page.wait_for_function("location.hash.includes('lesson=residual')")
    assert "speed=" not in page.evaluate("location.hash")
    assert page.input_value(SPEED) == str(speeds["residual"]) == "10"
