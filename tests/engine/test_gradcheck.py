"""Tests for engine.gradcheck: the numeric gradient, the error measure, the
stand-alone layer set-up, and that a wrong backward is caught."""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import Tanh
from engine.gradcheck import bind_layer, check_layer, check_network, numeric_grad, rel_error
from engine.initializers import Initializer
from engine.layers import Act, BatchNorm, Dense, Dropout, RReLU
from engine.losses import MSE
from engine.network import Network

TOL = 1e-6


class DenseNoBias(Dense):
    """A broken dense layer: backward forgets the bias gradient."""

    def backward(self, grad_out):
        grad_in = super().backward(grad_out)
        self.grads["b"][...] = 0.0
        return grad_in


class DenseHalfWeights(Dense):
    """A broken dense layer: the weight gradient is half what it should be."""

    def backward(self, grad_out):
        grad_in = super().backward(grad_out)
        self.grads["W"] *= 0.5
        return grad_in


class TanhWrong(Tanh):
    """A broken tanh: uses 1 - a instead of 1 - a^2."""

    def derivative(self, z, a):
        return 1.0 - a

    def grad(self, g, z, a):
        return g * (1.0 - a)


def test_numeric_grad_quadratic_exact() -> None:
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    A = np.array([[2.0, 1.0], [-1.0, 4.0]])
    g = numeric_grad(lambda: float(np.sum(A * x * x)), x)
    np.testing.assert_allclose(g, 2.0 * A * x, rtol=1e-8)


def test_numeric_grad_restores_input() -> None:
    x = np.random.default_rng(0).standard_normal((3, 4))
    before = x.copy()
    numeric_grad(lambda: float(np.sin(x).sum()), x)
    np.testing.assert_array_equal(x, before)


def test_numeric_grad_through_a_view() -> None:
    flat = np.arange(6, dtype=np.float64)
    view = flat[2:5].reshape(3, 1)
    g = numeric_grad(lambda: float(flat @ flat), view)  # d/dv sum(flat^2) = 2 v
    np.testing.assert_allclose(g, 2.0 * view, rtol=1e-8)
    np.testing.assert_array_equal(flat, np.arange(6.0))


def test_rel_error_values() -> None:
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    # |1 - 3| / (1 + 3) = 0.5 dominates |2 - 2| / 4 = 0
    assert rel_error(np.array([1.0, 2.0]), np.array([3.0, 2.0])) == pytest.approx(0.5)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)  # tiny floor
    assert rel_error(np.array([1.0]), np.array([0.0])) == 1.0
    assert rel_error(np.empty(0), np.empty(0)) == 0.0


def test_rel_error_shape_mismatch_rejected() -> None:
    with pytest.raises(ValueError):
        rel_error(np.zeros(3), np.zeros(4))


def test_bind_layer_allocates_float64_views() -> None:
    layer = Dense(3)
    bufs = bind_layer(layer, (2,), np.random.default_rng(0))
    assert bufs.params.shape == (9,) and bufs.params.dtype == np.float64
    assert bufs.grads.shape == (9,) and bufs.state.shape == (0,)
    assert np.shares_memory(layer.params["W"], bufs.params)
    assert np.shares_memory(layer.grads["b"], bufs.grads)
    bound = 6**0.5 / 5**0.5  # xavier_uniform: sqrt(6 / (2 + 3))
    assert np.all(np.abs(layer.params["W"]) <= bound) and np.any(layer.params["W"] != 0)
    np.testing.assert_array_equal(layer.params["b"], 0.0)
    assert layer.rng is not None


def test_bind_layer_state_and_bias_init() -> None:
    bn = BatchNorm()
    bufs = bind_layer(bn, (4,), np.random.default_rng(0))
    assert bufs.params.shape == (8,) and bufs.state.shape == (8,)
    np.testing.assert_array_equal(bn.state["running_var"], 1.0)
    dense = Dense(2)
    bind_layer(dense, (3,), np.random.default_rng(0), Initializer("constant", 0.5), bias_init=-1)
    np.testing.assert_array_equal(dense.params["W"], 0.5)
    np.testing.assert_array_equal(dense.params["b"], -1.0)


def test_check_layer_correct_dense_passes() -> None:
    layer = Dense(3)
    bind_layer(layer, (4,), np.random.default_rng(1), bias_init=0.3)
    x = np.random.default_rng(2).standard_normal((5, 4))
    errors = check_layer(layer, x)
    assert set(errors) == {"input", "W", "b"}
    assert max(errors.values()) < TOL


def test_check_layer_dropped_bias_gradient_caught() -> None:
    layer = DenseNoBias(3)
    bind_layer(layer, (4,), np.random.default_rng(1))
    errors = check_layer(layer, np.random.default_rng(2).standard_normal((5, 4)))
    assert errors["b"] == pytest.approx(1.0)  # analytic 0 against a nonzero numeric one
    assert errors["W"] < TOL and errors["input"] < TOL


def test_check_layer_halved_weight_gradient_caught() -> None:
    layer = DenseHalfWeights(3)
    bind_layer(layer, (4,), np.random.default_rng(1))
    errors = check_layer(layer, np.random.default_rng(2).standard_normal((5, 4)))
    assert errors["W"] == pytest.approx(1.0 / 3.0)  # |g/2 - g| / (g/2 + g)
    assert errors["b"] < TOL


def test_check_layer_wrong_tanh_derivative_caught() -> None:
    layer = Act(TanhWrong())
    bind_layer(layer, (3,), np.random.default_rng(0))
    errors = check_layer(layer, np.random.default_rng(1).standard_normal((4, 3)))
    assert errors["input"] > 1e-2


def test_check_network_wrong_backward_caught() -> None:
    net = Network([DenseNoBias(4), Act(Tanh()), Dense(1)], (2,))
    net.init(np.random.default_rng(0), Initializer(), bias_init=0.1)
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
    errors = check_network(net, x, MSE(), t)
    assert errors["params"] > 0.1
    assert errors["input"] < TOL  # dx does not involve the missing bias gradient


def test_check_layer_restores_layer_rng() -> None:
    layer = RReLU()
    rng = np.random.default_rng(5)
    bind_layer(layer, (3,), rng)
    check_layer(layer, np.random.default_rng(1).standard_normal((4, 3)))
    assert layer.rng is rng


def test_check_layer_fixes_unmasked_dropout_noise() -> None:
    # Without fixed_mask, reseeding before every forward still makes the mask repeat.
    layer = Dropout(0.5)
    bind_layer(layer, (6,), np.random.default_rng(0))
    errors = check_layer(layer, np.random.default_rng(1).standard_normal((8, 6)))
    assert errors["input"] < TOL


def test_check_layer_needs_input_gradient() -> None:
    layer = Dense(2)
    bind_layer(layer, (3,), np.random.default_rng(0))
    layer.need_input_grad = False
    with pytest.raises(ValueError, match="input gradient"):
        check_layer(layer, np.ones((2, 3)))
