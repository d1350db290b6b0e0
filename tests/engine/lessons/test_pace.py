"""Every lesson opens at a speed a student can watch: its phenomenon, measured from the
engine (engine/lessons/pace.py), takes 3 to 30 seconds at its steps per frame and
the frame rate of the page it opens on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.lessons import LESSONS, get_lesson, list_lessons
from engine.lessons.pace import loss_settles, outputs_fade

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
LAB_DATA = {"shapes", "sentiment"}
"""Lessons on these data open in the lab (static/js/lessons/lab_lessons.js)."""
LAB_ALSO = {"residual"}
"""A lesson on points that the lab shows too (its comparison)."""
WATCHABLE = (3.0, 30.0)
"""Seconds the phenomenon may take at the page's default frame rate."""


def default_fps(template: str) -> int:
    """The frame rate a page's speed control opens at (its `training_controls` call)."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    found = re.search(r"training_controls\(.*,\s*(\d+)\s*\)\s*}}", text)
    assert found, template
    return int(found.group(1))


def pages_of(name: str) -> list[str]:
    """The templates of the pages a lesson opens on."""
    data = (get_lesson(name).spec.get("data") or {}).get("name")
    if data in LAB_DATA:
        return ["lab.html"]
    return ["index.html", "lab.html"] if name in LAB_ALSO else ["index.html"]


def test_every_lesson_has_a_speed_in_the_catalogue() -> None:
    for entry in list_lessons():
        lesson = get_lesson(entry["name"])
        assert lesson.pace is not None, entry["name"]
        assert entry["steps_per_frame"] == lesson.pace.steps_per_frame >= 1, entry["name"]
        assert lesson.pace.what, entry["name"]


@pytest.mark.parametrize("name", list(LESSONS))
def test_phenomenon_unfolds_over_seconds_at_the_lessons_speed(name: str) -> None:
    lesson = get_lesson(name)
    step = lesson.pace.unfolds(lesson)
    assert step > 0, name
    for page in pages_of(name):
        seconds = step / (lesson.pace.steps_per_frame * default_fps(page))
        assert WATCHABLE[0] <= seconds <= WATCHABLE[1], (name, page, step, seconds)


def test_the_old_speed_was_too_fast_for_the_quick_lessons() -> None:
    """At the page's old 10 steps a frame, XOR's fade and the loss-and-output crawl
    were over in about a second: the measurement tells them apart."""
    fps = default_fps("index.html")
    for name in ("xor-one-neuron", "loss-and-output", "batch-norm"):
        lesson = get_lesson(name)
        assert lesson.pace.unfolds(lesson) / (10 * fps) < WATCHABLE[0], name


def test_measurements_read_the_run() -> None:
    lesson = get_lesson("xor-one-neuron")
    wide = outputs_fade(margin=0.2)(lesson)
    narrow = outputs_fade(margin=0.01)(lesson)
    assert 0 < wide < narrow  # a closer fade takes longer
    with pytest.raises(ValueError, match="do not fade"):
        outputs_fade(margin=1e-9, steps=30)(lesson)
    universal = get_lesson("universal-approximation")
    assert loss_settles()(universal) < loss_settles(log=True)(universal)
    with pytest.raises(ValueError, match="does not fall"):
        loss_settles(variant="hand-set", steps=20)(get_lesson("xor-two-relu"))
