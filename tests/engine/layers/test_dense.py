"""Tests for engine.layers.dense: values by hand, the fused weight/bias block and the
gradient check."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import bind_layer, check_layer
from engine.layers import Dense

TOL = 1e-6


def make_dense(units: int, n_in: int, seed: int = 0) -> Dense:
    layer = Dense(units)
    bind_layer(layer, (n_in,), np.random.default_rng(seed), bias_init=0.2)
    return layer


def test_dense_gradient_check() -> None:
    layer = make_dense(4, 3)
    errors = check_layer(layer, np.random.default_rng(1).standard_normal((6, 3)))
    assert set(errors) == {"input", "W", "b"}
    assert max(errors.values()) < TOL, errors


def test_dense_gradient_check_single_sample() -> None:
    layer = make_dense(2, 5, seed=3)
    errors = check_layer(layer, np.random.default_rng(4).standard_normal((1, 5)))
    assert max(errors.values()) < TOL, errors


def test_dense_forward_by_hand() -> None:
    layer = make_dense(2, 3)
    layer.params["W"][...] = [[1.0, 0.0], [2.0, -1.0], [0.0, 3.0]]
    layer.params["b"][...] = [0.5, -0.5]
    x = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]])
    np.testing.assert_allclose(layer.forward(x, True), [[3.5, 1.5], [2.5, -3.5]])


def test_dense_backward_by_hand() -> None:
    layer = make_dense(2, 3)
    layer.params["W"][...] = [[1.0, 0.0], [2.0, -1.0], [0.0, 3.0]]
    x = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]])
    layer.forward(x, True)
    g = np.array([[1.0, 0.0], [0.0, 2.0]])
    dx = layer.backward(g)
    np.testing.assert_allclose(layer.grads["W"], x.T @ g)
    np.testing.assert_allclose(layer.grads["b"], [1.0, 2.0])
    np.testing.assert_allclose(dx, [[1.0, 2.0, 0.0], [0.0, -2.0, 6.0]])
    assert dx is layer.grad_input


def test_dense_bias_follows_weights_in_buffer() -> None:
    layer = Dense(2)
    bufs = bind_layer(layer, (3,), np.random.default_rng(0))
    layer.params["b"][...] = [7.0, 8.0]
    np.testing.assert_array_equal(bufs.params[6:], [7.0, 8.0])
    np.testing.assert_array_equal(bufs.params[:6].reshape(3, 2), layer.params["W"])
    specs = layer.param_specs()
    assert [(s.name, s.shape, s.decay) for s in specs] == [("W", (3, 2), True), ("b", (2,), False)]


def test_dense_skips_input_grad_but_fills_params() -> None:
    layer = make_dense(3, 2)
    x = np.random.default_rng(1).standard_normal((4, 2))
    layer.forward(x, True)
    g = np.random.default_rng(2).standard_normal((4, 3))
    layer.need_input_grad = False
    assert layer.backward(g) is None and layer.grad_input is None
    np.testing.assert_allclose(layer.grads["W"], x.T @ g)
    np.testing.assert_allclose(layer.grads["b"], g.sum(axis=0))


def test_dense_batch_sizes_share_no_state() -> None:
    layer = make_dense(2, 3)
    x4 = np.random.default_rng(1).standard_normal((4, 3))
    x2 = np.random.default_rng(2).standard_normal((2, 3))
    expect4 = x4 @ layer.params["W"] + layer.params["b"]
    np.testing.assert_allclose(layer.forward(x4, True), expect4)
    layer.forward(x2, True)
    np.testing.assert_allclose(layer.forward(x4, True), expect4)


def test_dense_large_batch_beyond_cache() -> None:
    layer = make_dense(2, 3)
    x = np.random.default_rng(1).standard_normal((5000, 3))
    np.testing.assert_allclose(layer.forward(x, False), x @ layer.params["W"] + layer.params["b"])
    g = np.ones((5000, 2))
    layer.backward(g)
    np.testing.assert_allclose(layer.grads["b"], [5000.0, 5000.0])


def test_dense_rejects_non_flat_input() -> None:
    with pytest.raises(ValueError):
        Dense(2).build((3, 3))
    assert Dense(4).build((3,)) == (4,)
    assert Dense(4).describe() == {"type": "dense", "units": 4}
