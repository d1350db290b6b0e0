"""Vanishing gradients: deep sigmoid nets starve their first layer; ReLU/He does not."""

from __future__ import annotations

from itertools import pairwise

import pytest

from engine.lessons.base import Signature
from engine.lessons.vanishing import VANISHING_GRADIENTS
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig() -> Signature:
    return VANISHING_GRADIENTS.measure()


def test_vanishing_sigmoid_first_layer_starved(sig: Signature) -> None:
    assert sig.holds
    s = sig.values["sigmoid"]
    assert s["first_over_last_start"] <= 1e-4  # measured 2.7e-6
    assert s["first_over_last_end"] <= 1e-3  # measured 2.6e-5
    assert s["shrink_per_layer_start"] <= 0.3  # about 1/5 per layer
    norms = s["norms_start"]
    assert len(norms) == 9 == len(sig.values["layers"])
    assert all(a < b for a, b in pairwise(norms))
    assert s["train_accuracy"] <= 0.6  # it never learns the circle


def test_vanishing_relu_he_keeps_gradients_level(sig: Signature) -> None:
    r = sig.values["relu-he"]
    for key in ("first_over_last_start", "first_over_last_end"):
        assert 0.1 <= r[key] <= 10.0  # measured 0.36 and 0.75
    assert r["train_accuracy"] >= 0.95
    assert min(sig.values["narrowing"].values()) >= 1000  # measured >= 28000


def test_vanishing_presets_parse_and_train() -> None:
    lesson = VANISHING_GRADIENTS
    parse_spec(lesson.spec)
    assert lesson.trainer().train(5)["step"] == 5
    assert [v.name for v in lesson.variants] == ["sigmoid", "relu-he"]
    for variant in lesson.variants:
        spec = parse_spec(variant.spec)
        dense = [layer for layer in spec.layers if layer["type"] == "dense"]
        assert [layer["units"] for layer in dense] == [16] * 8
        assert lesson.trainer(variant.name).train(5)["status"] == "idle"
