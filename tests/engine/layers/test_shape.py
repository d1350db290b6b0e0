"""Tests for engine.layers.shape: Flatten's values, order, gradient and sizes."""

from __future__ import annotations

import numpy as np

from engine.gradcheck import bind_layer, check_layer
from engine.layers.shape import Flatten

TOL = 1e-6


def test_flatten_forward_backward_by_hand() -> None:
    layer = Flatten()
    bind_layer(layer, (2, 2, 3), np.random.default_rng(0))
    assert layer.out_shape == (12,)
    x = np.arange(24.0).reshape(2, 2, 2, 3)
    out = layer.forward(x, True)
    np.testing.assert_array_equal(out, [np.arange(12.0), np.arange(12.0, 24.0)])
    g = np.arange(24.0).reshape(2, 12) * -1.0
    np.testing.assert_array_equal(layer.backward(g), -x)


def test_flatten_gradient_check() -> None:
    layer = Flatten()
    bind_layer(layer, (3, 4), np.random.default_rng(0))
    errors = check_layer(layer, np.random.default_rng(1).standard_normal((2, 3, 4)))
    assert errors == {"input": errors["input"]} and errors["input"] < TOL


def test_flatten_other_sizes_and_description() -> None:
    layer = Flatten()
    assert layer.build((4, 5, 6)) == (120,)
    x = np.ones((3, 4, 7, 2))
    assert layer.forward(x, False).shape == (3, 56)
    assert layer.backward(np.ones((3, 56))).shape == (3, 4, 7, 2)
    assert layer.param_specs() == [] and layer.describe() == {"type": "flatten"}
    assert Flatten().build((5,)) == (5,)
