"""Symmetric-init lesson: constant weights keep a layer's units identical (the net is
a one-unit-per-layer net in disguise); random weights break the symmetry."""

from __future__ import annotations

import numpy as np
import pytest

from engine.lessons.symmetric import (
    SYMMETRIC_INIT,
    best_line_accuracy,
    fold_to_one_unit,
    unit_spread,
)
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig():
    return SYMMETRIC_INIT.measure()


def test_symmetric_constant_units_stay_identical(sig) -> None:
    assert sig.holds, sig.failed()
    assert sig.values["constant_max_spread"] <= 1e-12
    assert set(sig.values["constant_spread"]) == {"W0", "b0", "W2", "b2", "a1", "a3"}
    # it did train: the hidden weights moved and the loss fell
    assert sig.values["constant_hidden_change"] >= 0.01  # measured 0.077
    first, last = sig.values["constant_train_loss"]
    assert last < 0.5 * first  # measured 1.88 -> 0.70


def test_symmetric_constant_net_is_a_one_unit_net(sig) -> None:
    assert sig.values["fold_error"] <= 1e-9
    # measured 39% against the best straight line's 73% on the preset's test points
    assert sig.values["constant_test_accuracy"] <= 0.7
    assert sig.values["constant_test_accuracy"] <= sig.values["best_line_test_accuracy"]
    assert sig.values["best_line_test_accuracy"] <= 0.8


def test_symmetric_random_init_breaks_the_tie(sig) -> None:
    assert sig.values["random_min_spread"] >= 0.1
    assert sig.values["random_test_accuracy"] >= 0.95  # measured 100%


def test_symmetric_spread_is_zero_at_the_start_only_for_constant() -> None:
    assert max(unit_spread(SYMMETRIC_INIT.trainer("constant")).values()) == 0.0
    start = unit_spread(SYMMETRIC_INIT.trainer("random"))
    assert min(start["W0"], start["W2"], start["a1"], start["a3"]) > 0.01
    assert start["b0"] == start["b2"] == 0.0  # biases may start equal: weights break the tie


def test_symmetric_best_line_accuracy_is_exact() -> None:
    # four points in a row along x: 0 0 1 1 splits perfectly, 0 1 0 1 at best 3 of 4
    X = np.array([[0.0, 0.0], [1.0, 0.1], [2.0, -0.1], [3.0, 0.05]])
    assert best_line_accuracy(X, np.array([0, 0, 1, 1])) == 1.0
    assert best_line_accuracy(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                              np.array([0, 1, 1, 0])) == 0.75  # XOR: no line does better
    # the same as trying many directions and every threshold
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    theta = np.linspace(0.0, np.pi, 4001)
    order = np.argsort(X @ np.array([np.cos(theta), np.sin(theta)]), axis=0)
    ones = y[order]
    zeros_below = np.vstack([np.zeros((1, theta.size)), np.cumsum(1 - ones, axis=0)])
    ones_above = ones.sum(axis=0) - np.vstack([np.zeros((1, theta.size)),
                                                np.cumsum(ones, axis=0)])
    correct = zeros_below + ones_above
    sampled = np.maximum(correct, 40 - correct).max() / 40
    assert best_line_accuracy(X, y) >= sampled
    assert best_line_accuracy(X, y) - sampled <= 1 / 40


def test_symmetric_fold_catches_a_broken_symmetry() -> None:
    trainer = SYMMETRIC_INIT.trainer("constant")
    trainer.set_param("0", "W", (0, 3), 0.9)  # one unit no longer a copy
    folded = fold_to_one_unit(trainer)
    x = trainer.X_test
    assert np.abs(folded.net.predict(x) - trainer.net.predict(x)).max() > 1e-3


def test_symmetric_presets_parse_and_train() -> None:
    parse_spec(SYMMETRIC_INIT.spec)
    assert SYMMETRIC_INIT.trainer().train(5)["step"] == 5
    for variant in SYMMETRIC_INIT.variants:
        parse_spec(variant.spec)
        assert SYMMETRIC_INIT.trainer(variant.name).train(5)["step"] == 5
    assert [v.name for v in SYMMETRIC_INIT.variants] == ["constant", "random"]
    assert SYMMETRIC_INIT.describe()["name"] == "symmetric-init"
