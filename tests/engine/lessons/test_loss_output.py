"""Loss-and-output lesson: cross-entropy escapes a confidently wrong start, squared
error on a sigmoid crawls; softmax + cross-entropy handles several classes."""

from __future__ import annotations

import numpy as np
import pytest

from engine.lessons.base import Draw
from engine.lessons.loss_output import (
    LOSS_AND_OUTPUT,
    WRONG_START,
    lesson_trainer,
    logit_gradients,
)
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig():
    return LOSS_AND_OUTPUT.measure()


def test_loss_output_start_is_confidently_wrong(sig) -> None:
    assert sig.values["start_accuracy"] == 0.0
    assert sig.values["start_wrong_probability"] >= 0.95  # measured 0.978


def test_loss_output_cross_entropy_is_much_faster(sig) -> None:
    assert sig.holds, sig.failed()
    assert sig.values["steps_to_90_cross_entropy"] <= 20  # measured 9
    assert sig.values["steps_to_90_mse"] >= 200  # measured 323
    assert sig.values["speedup"] >= 10.0  # measured 36
    assert sig.values["steps_to_90_mse"] <= LOSS_AND_OUTPUT.steps  # the page shows both
    assert sig.values["accuracy_after_25_cross_entropy"] >= 0.95
    assert sig.values["accuracy_after_25_mse"] <= 0.1


def test_loss_output_mse_gradient_carries_sigmoid_slope(sig) -> None:
    assert sig.values["start_sigmoid_slope"] <= 0.05  # measured 0.018
    assert sig.values["start_grad_ratio"] <= 0.05  # measured 0.0068
    assert sig.values["start_grad_mse"] < sig.values["start_grad_cross_entropy"]
    # per point, squared error's dL/dz is cross-entropy's times p(1 - p) <= 1/4
    assert sig.values["slope_factor_error"] <= 1e-12
    assert sig.values["logit_grad_ratio_max"] <= 0.25


@pytest.mark.parametrize("draw", [Draw(), Draw(4, 11)])
def test_loss_output_logit_gradients_differ_by_the_slope(draw: Draw) -> None:
    g_mse, g_ce, slope = logit_gradients(draw)
    # to rounding: where p is within 1e-5 of 1, 1 - p keeps only about 11 digits
    assert np.allclose(g_mse, g_ce * slope, rtol=1e-9, atol=0.0)
    assert np.median(slope) <= 0.01  # saturated: most points sit far out on the sigmoid


def test_loss_output_softmax_learns_three_classes(sig) -> None:
    assert sig.values["softmax_test_accuracy"] >= 0.95  # measured 100%


def test_loss_output_variants_share_the_wrong_start() -> None:
    mse = LOSS_AND_OUTPUT.trainer("mse-sigmoid").net
    ce = LOSS_AND_OUTPUT.trainer("cross-entropy").net
    assert np.array_equal(mse.params, ce.params)
    assert mse.view("0", "W").ravel().tolist() == [-1.5, -1.5]
    assert len(WRONG_START) == 3
    drawn = lesson_trainer("mse-sigmoid", Draw(4, 11))
    assert np.array_equal(drawn.net.params, mse.params)  # the same start for any draw
    assert not np.array_equal(drawn.X_train, LOSS_AND_OUTPUT.trainer("mse-sigmoid").X_train)


def test_loss_output_presets_parse_and_train() -> None:
    parse_spec(LOSS_AND_OUTPUT.spec)
    assert LOSS_AND_OUTPUT.trainer().train(5)["step"] == 5
    for variant in LOSS_AND_OUTPUT.variants:
        parse_spec(variant.spec)
        assert LOSS_AND_OUTPUT.trainer(variant.name).train(5)["step"] == 5
    assert [v.name for v in LOSS_AND_OUTPUT.variants] == ["mse-sigmoid", "cross-entropy",
                                                           "softmax"]
    assert LOSS_AND_OUTPUT.describe()["name"] == "loss-and-output"
