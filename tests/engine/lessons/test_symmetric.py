"""Symmetric-init lesson: constant weights keep a layer's units identical (the net is
a one-unit-per-layer net in disguise); random weights break the symmetry."""

from __future__ import annotations

import numpy as np
import pytest

from engine.lessons.symmetric import SYMMETRIC_INIT, fold_to_one_unit, unit_spread
from engine.spec import parse_spec


@pytest.fixture(scope="module")
def sig():
    return SYMMETRIC_INIT.measure()


def test_symmetric_constant_units_stay_identical(sig) -> None:
    assert sig.holds
    assert sig.values["constant_max_spread"] <= 1e-12
    assert set(sig.values["constant_spread"]) == {"W0", "b0", "W2", "b2", "a1", "a3"}
    # it did train: the hidden weights moved and the loss fell
    assert sig.values["constant_hidden_change"] >= 0.01
    first, last = sig.values["constant_train_loss"]
    assert last < 0.5 * first


def test_symmetric_constant_net_is_a_one_unit_net(sig) -> None:
    assert sig.values["fold_error"] <= 1e-9
    assert sig.values["constant_test_accuracy"] <= 0.7
    assert sig.values["constant_test_accuracy"] <= sig.values["one_unit_best_accuracy"] + 0.02
    assert max(sig.values["one_unit_test_accuracy"]) <= 0.75


def test_symmetric_random_init_breaks_the_tie(sig) -> None:
    assert sig.values["random_min_spread"] >= 0.1
    assert sig.values["random_test_accuracy"] >= 0.95


def test_symmetric_spread_is_zero_at_the_start_only_for_constant() -> None:
    assert max(unit_spread(SYMMETRIC_INIT.trainer("constant")).values()) == 0.0
    start = unit_spread(SYMMETRIC_INIT.trainer("random"))
    assert min(start["W0"], start["W2"], start["a1"], start["a3"]) > 0.01
    assert start["b0"] == start["b2"] == 0.0  # biases may start equal: weights break the tie


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
