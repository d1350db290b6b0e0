"""Tests for engine.layers.dropout: gradient checks with a fixed mask, the two
scaling modes, and that the expected activation is the same in training and
evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import bind_layer, check_layer
from engine.layers import Dropout

TOL = 1e-6


def make_dropout(p: float, mode: str, width: int = 5, seed: int = 0) -> Dropout:
    layer = Dropout(p, mode)
    bind_layer(layer, (width,), np.random.default_rng(seed))
    return layer


@pytest.mark.parametrize("mode", ["inverted", "classic"])
@pytest.mark.parametrize("train", [True, False])
def test_dropout_gradient_check_fixed_mask(mode: str, train: bool) -> None:
    layer = make_dropout(0.4, mode)
    layer.fixed_mask = np.random.default_rng(3).random((6, 5)) >= 0.4
    assert layer.fixed_mask.any() and not layer.fixed_mask.all()
    errors = check_layer(layer, np.random.default_rng(1).standard_normal((6, 5)), train=train)
    assert set(errors) == {"input"}
    assert errors["input"] < TOL, errors


def test_dropout_fixed_mask_used_in_training() -> None:
    layer = make_dropout(0.5, "inverted", width=3)
    layer.fixed_mask = np.array([[True, False, True]])
    y = layer.forward(np.array([[1.0, 2.0, 3.0]]), True)
    np.testing.assert_array_equal(y, [[2.0, 0.0, 6.0]])
    assert layer.mask is layer.fixed_mask
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), [[2.0, 0.0, 2.0]])


def test_dropout_inverted_scales_in_training_only() -> None:
    layer = make_dropout(0.2, "inverted", width=1000)
    x = np.full((4, 1000), 3.0)
    y = layer.forward(x, True)
    kept = y[layer.mask]
    np.testing.assert_allclose(kept, 3.0 / 0.8)  # 1 / (1 - p)
    np.testing.assert_array_equal(y[~layer.mask], 0.0)
    np.testing.assert_array_equal(layer.forward(x, False), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), 1.0)


def test_dropout_classic_scales_at_evaluation() -> None:
    layer = make_dropout(0.2, "classic", width=1000)
    x = np.full((4, 1000), 3.0)
    y = layer.forward(x, True)
    np.testing.assert_array_equal(y[layer.mask], 3.0)  # unscaled while training
    np.testing.assert_array_equal(y[~layer.mask], 0.0)
    np.testing.assert_allclose(layer.forward(x, False), 3.0 * 0.8)  # (1 - p) at evaluation
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), 0.8)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_mask_keeps_one_minus_p(p: float) -> None:
    layer = make_dropout(p, "inverted", width=1000, seed=4)
    layer.forward(np.ones((200, 1000)), True)
    assert layer.mask.dtype == bool and layer.mask.shape == (200, 1000)
    # 200000 draws: the standard error of the kept share is below 0.0012
    assert layer.mask.mean() == pytest.approx(1 - p, abs=0.006)


@pytest.mark.parametrize("mode", ["inverted", "classic"])
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_expected_activation_matches(mode: str, p: float) -> None:
    layer = make_dropout(p, mode, width=1, seed=5)
    x = np.random.default_rng(6).uniform(0.5, 1.5, (200000, 1))
    train_mean = layer.forward(x, True).mean()
    eval_mean = layer.forward(x, False).mean()
    assert train_mean == pytest.approx(eval_mean, rel=0.01)


def test_dropout_new_mask_each_training_forward() -> None:
    layer = make_dropout(0.5, "inverted", width=50)
    x = np.ones((4, 50))
    layer.forward(x, True)
    first = layer.mask.copy()
    layer.forward(x, True)
    assert not np.array_equal(first, layer.mask)


def test_dropout_rejects_bad_settings() -> None:
    for p in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError):
            Dropout(p)
    with pytest.raises(ValueError):
        Dropout(0.5, "sideways")
    assert Dropout(0.3, "classic").describe() == {"type": "dropout", "p": 0.3, "mode": "classic"}
