"""Every lesson: registered in the notes' order, presets and variants build and train,
and the catalogue entry is JSON."""

from __future__ import annotations

import json

import pytest

from engine.lessons import LESSONS, get_lesson, list_lessons
from engine.spec import parse_spec

DESIGN_TABLE = [
    "xor-one-neuron", "xor-two-relu", "universal-approximation", "activations",
    "vanishing-gradients", "dead-relu", "loss-and-output", "symmetric-init", "dropout",
    "input-normalization", "batch-norm", "convolution", "pooling", "text-cnn", "residual",
]


def test_lessons_registered_in_the_notes_order() -> None:
    assert list(LESSONS) == DESIGN_TABLE


@pytest.mark.parametrize("name", DESIGN_TABLE)
def test_lesson_preset_and_variants_parse_build_and_train(name: str) -> None:
    lesson = get_lesson(name)
    parse_spec(lesson.spec)
    assert lesson.trainer().train(3)["step"] == 3
    for variant in lesson.variants:
        parse_spec(variant.spec)
        assert lesson.trainer(variant.name).train(3)["status"] == "idle"
    assert lesson.title and lesson.claim and lesson.watch and lesson.why
    assert lesson.expectation


def test_lesson_catalogue_is_json() -> None:
    catalogue = json.loads(json.dumps(list_lessons()))
    assert [entry["name"] for entry in catalogue] == DESIGN_TABLE
    two_relu = catalogue[1]
    assert two_relu["hand_weights"][0] == ["0", "W", [0, 0], 1.0]


DISPLAY_CHOICES = {"loss_scale": {"linear", "log"}, "gradient_view": {"time", "depth"}}
"""What a lesson's `display` may ask of the page's charts (static/js/charts/options.js)."""


def test_lesson_display_asks_only_for_chart_settings_the_page_has() -> None:
    for entry in list_lessons():
        display = entry["display"]
        assert set(display) <= set(DISPLAY_CHOICES), entry["name"]
        assert all(value in DISPLAY_CHOICES[key] for key, value in display.items()), entry["name"]


def test_get_lesson_unknown_name_lists_choices() -> None:
    with pytest.raises(KeyError, match="xor-one-neuron"):
        get_lesson("xor-three")


def test_lesson_unknown_variant_is_refused() -> None:
    with pytest.raises(KeyError, match="no variant"):
        get_lesson("residual").trainer("deeper")
