"""Dead ReLUs: many die from a negative bias start, for good; the leaky kinds live."""

from __future__ import annotations

import numpy as np
import pytest

from engine.lessons.base import Draw, Signature
from engine.lessons.dead_relu import (
    DEAD_RELU,
    KINDS,
    LEAKY_SLOPE,
    RELU,
    RUNS,
    spec_for,
    unit_state,
)
from engine.spec import parse_spec
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def sig() -> Signature:
    return DEAD_RELU.measure()


def test_dead_relu_large_share_dies(sig: Signature) -> None:
    assert sig.holds, sig.failed()
    relu = sig.values["runs"]["relu"]  # the preset's own run (model seed 0)
    assert relu["dead_share_end"] >= 0.4
    assert (relu["dead_start"], relu["dead_early"], relu["dead_end"]) == (8, 8, 8)
    assert relu["min_unit_grad"] == 0.0
    # measured 8, 10 and 8 of 12 dead in the three runs (model seeds 0, 1, 2)
    assert [r["dead_end"] for r in sig.values["all_runs"]["relu"]] == [8, 10, 8]
    assert sig.values["model_seeds"] == [0, 1, 2]


def test_dead_relu_deaths_are_permanent(sig: Signature) -> None:
    assert sig.values["permanent"] is True
    for relu in sig.values["all_runs"]["relu"]:
        assert relu["revived"] == 0
        assert relu["dead_weights_moved"] == 0.0  # not a single bit changed
        assert relu["alive_weights_moved"] > 0.1  # while the rest kept training


def test_dead_relu_leaky_units_stay_alive(sig: Signature) -> None:
    runs = sig.values["all_runs"]
    for kind in KINDS[1:]:
        assert len(runs[kind]) == RUNS
        for run in runs[kind]:
            assert run["dead_end"] == 0 and run["min_unit_grad"] > 0.0
    assert all(r["faded_end"] == 0 for kind in ("leaky_relu", "rrelu") for r in runs[kind])
    # some units negative everywhere at step 100 came back into the data
    assert sum(r["silent_revived"] for r in runs["leaky_relu"] + runs["rrelu"]) >= 3  # 8


def test_dead_relu_leaky_kinds_end_lower(sig: Signature) -> None:
    runs = sig.values["all_runs"]
    relu_losses = [r["train_loss"] for r in runs["relu"]]  # measured 0.029, 0.32, 0.13
    for kind in KINDS[1:]:
        losses = [r["train_loss"] for r in runs[kind]]
        # measured leaky 0.026, 0.0024, 0.0019; PReLU 0.0027, 0.0015, 0.0019;
        # RReLU 0.020, 0.0015, 0.0009
        assert np.median(losses) <= np.median(relu_losses) / 10
        assert all(r["train_accuracy"] >= 0.95 for r in runs[kind])


def test_dead_relu_prelu_learns_its_slopes(sig: Signature) -> None:
    slopes = sig.values["runs"]["prelu"]["slopes_end"]
    assert len(slopes) == sum(RELU["hidden"])
    assert max(abs(a - 0.25) for a in slopes) > 0.5  # measured from -0.99 to 1.44


def test_dead_relu_high_learning_rate_kills(sig: Signature) -> None:
    for by_lr in sig.values["all_lr_deaths"]:
        assert by_lr["low"] == [0, 0]
        assert by_lr["high"][0] == 0 and by_lr["high"][1] >= 6  # measured 10, 9, 9 of 12


def test_dead_relu_a_draw_moves_every_run() -> None:
    preset, drawn = Trainer(spec_for("relu")), Trainer(Draw(5, 9).apply(spec_for("relu")))
    assert not np.array_equal(preset.X_train, drawn.X_train)
    assert not np.array_equal(preset.net.params, drawn.net.params)
    state = unit_state(drawn)
    assert state["dead"].shape == state["grad"].shape == (sum(RELU["hidden"]),)
    assert (state["grad"][state["dead"]] == 0.0).all()


def test_dead_relu_presets_parse_and_train() -> None:
    parse_spec(DEAD_RELU.spec)
    assert DEAD_RELU.trainer().train(5)["step"] == 5
    assert tuple(v.name for v in DEAD_RELU.variants) == KINDS
    assert spec_for("leaky_relu")["activation_options"] == {"slope": LEAKY_SLOPE}
    for variant in DEAD_RELU.variants:
        parse_spec(variant.spec)
        assert DEAD_RELU.trainer(variant.name).train(5)["status"] == "idle"
