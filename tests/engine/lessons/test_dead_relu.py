"""Dead ReLUs: many die from a negative bias start, for good; the leaky kinds live."""

from __future__ import annotations

import pytest

from engine.lessons.base import Signature
from engine.lessons.dead_relu import DEAD_RELU, KINDS
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig() -> Signature:
    return DEAD_RELU.measure()


def test_dead_relu_large_share_dies(sig: Signature) -> None:
    assert sig.holds
    relu = sig.values["runs"]["relu"]
    assert relu["dead_share_end"] >= 0.4
    assert (relu["dead_start"], relu["dead_early"], relu["dead_end"]) == (5, 6, 7)
    assert relu["min_unit_grad"] == 0.0
    assert relu["train_loss"] >= 0.5 and relu["train_accuracy"] <= 0.75


def test_dead_relu_deaths_are_permanent(sig: Signature) -> None:
    relu = sig.values["runs"]["relu"]
    assert sig.values["permanent"] is True
    assert relu["revived"] == 0
    assert relu["dead_weights_moved"] == 0.0  # not a single bit changed
    assert relu["alive_weights_moved"] > 0.1  # while the rest kept training


def test_dead_relu_leaky_units_stay_alive(sig: Signature) -> None:
    runs = sig.values["runs"]
    relu_loss = runs["relu"]["train_loss"]
    leaky = runs["leaky_relu"]
    assert leaky["dead_end"] == 0 and leaky["faded_end"] == 0
    assert leaky["min_unit_grad"] > 0.0
    assert leaky["train_loss"] <= relu_loss / 5  # measured 0.056 against 0.539
    for kind in ("prelu", "rrelu"):
        assert runs[kind]["dead_end"] == 0
        assert runs[kind]["train_loss"] <= relu_loss / 5
    assert runs["rrelu"]["faded_end"] == 0


def test_dead_relu_prelu_slopes_can_fade(sig: Signature) -> None:
    prelu = sig.values["runs"]["prelu"]
    assert prelu["faded_end"] >= 1  # measured 3: learned slopes near 0
    assert min(abs(a) for a in prelu["slopes_end"]) < 1e-3


def test_dead_relu_high_learning_rate_kills(sig: Signature) -> None:
    by_lr = sig.values["lr_deaths"]
    assert by_lr["low"] == [0, 0]
    assert by_lr["high"][0] == 0 and by_lr["high"][1] >= 4  # measured 7 of 8
    assert by_lr["leaky_high"] == [0, 0]
    assert by_lr["leaky_high_loss"] < by_lr["high_loss"] / 10


def test_dead_relu_presets_parse_and_train() -> None:
    parse_spec(DEAD_RELU.spec)
    assert DEAD_RELU.trainer().train(5)["step"] == 5
    assert tuple(v.name for v in DEAD_RELU.variants) == KINDS
    for variant in DEAD_RELU.variants:
        parse_spec(variant.spec)
        assert DEAD_RELU.trainer(variant.name).train(5)["status"] == "idle"
