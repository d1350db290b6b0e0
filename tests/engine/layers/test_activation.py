"""Tests for engine.layers.activation: Act with every function, PReLU (slope
gradient included) and RReLU in training (fixed noise) and evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import FUNCTIONS, ReLU, Sigmoid
from engine.gradcheck import bind_layer, check_layer
from engine.layers import Act, PReLU, RReLU
from tests.engine.layers.support import signed_uniform

TOL = 1e-6


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("train", [True, False])
def test_act_gradient_check(name: str, train: bool) -> None:
    layer = Act(FUNCTIONS[name]())
    bind_layer(layer, (4,), np.random.default_rng(0))
    x = signed_uniform((5, 4), seed=1)  # |x| >= 0.1: no kink in reach
    errors = check_layer(layer, x, train=train)
    assert set(errors) == {"input"}
    assert errors["input"] < TOL, errors


def test_act_keeps_z_and_a_and_derivative() -> None:
    layer = Act(Sigmoid())
    bind_layer(layer, (2,), np.random.default_rng(0))
    x = np.array([[0.0, 2.0]])
    a = layer.forward(x, True)
    assert layer.z is x and layer.a is a
    s2 = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(a, [[0.5, s2]])
    np.testing.assert_allclose(layer.derivative(), [[0.25, s2 * (1 - s2)]])
    assert layer.inactive_tol == Sigmoid.inactive_tol
    assert layer.describe() == {"type": "activation", "name": "sigmoid"}


def test_act_relu_backward_blocks_negative_inputs() -> None:
    layer = Act(ReLU())
    bind_layer(layer, (3,), np.random.default_rng(0))
    layer.forward(np.array([[-1.0, 0.5, 2.0]]), True)
    np.testing.assert_array_equal(layer.backward(np.array([[4.0, 5.0, 6.0]])), [[0.0, 5.0, 6.0]])


def make_prelu(width: int = 4) -> PReLU:
    layer = PReLU()
    bind_layer(layer, (width,), np.random.default_rng(0))
    return layer


def test_prelu_init_slope() -> None:
    layer = make_prelu()
    np.testing.assert_array_equal(layer.params["alpha"], 0.25)
    assert layer.param_specs()[0].decay is False


def test_prelu_gradient_check() -> None:
    layer = make_prelu()
    layer.params["alpha"][...] = [0.1, -0.3, 0.5, 1.5]  # distinct per-unit slopes
    errors = check_layer(layer, signed_uniform((6, 4), seed=2))
    assert set(errors) == {"input", "alpha"}
    assert max(errors.values()) < TOL, errors


def test_prelu_slope_gradient_by_hand() -> None:
    layer = make_prelu(2)
    x = np.array([[-2.0, 1.0], [3.0, -1.0], [-1.0, -4.0]])
    np.testing.assert_allclose(layer.forward(x, True), [[-0.5, 1.0], [3.0, -0.25], [-0.25, -1.0]])
    g = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    dx = layer.backward(g)
    # dL/dalpha_j = sum over x_j <= 0 of g * x: unit 0: 1*-2 + 5*-1; unit 1: 4*-1 + 6*-4
    np.testing.assert_allclose(layer.grads["alpha"], [-7.0, -28.0])
    np.testing.assert_allclose(dx, [[0.25, 2.0], [3.0, 1.0], [1.25, 1.5]])
    np.testing.assert_allclose(layer.derivative(), [[0.25, 1.0], [1.0, 0.25], [0.25, 0.25]])


def test_prelu_after_a_convolution_learns_one_slope_per_channel() -> None:
    """On feature maps (n, C, H, W) the slope is shared by every position of a
    channel, like the channel's kernel: alpha (C,), and its gradient sums g * z
    over the samples and positions where z <= 0."""
    layer = PReLU()
    bind_layer(layer, (2, 2, 2), np.random.default_rng(0))
    assert layer.units == 2 and layer.params["alpha"].shape == (2,)
    layer.params["alpha"][...] = [0.1, 0.5]
    x = np.array([[[[-1.0, 2.0], [3.0, -4.0]], [[-2.0, -1.0], [1.0, 5.0]]]])
    y = layer.forward(x, True)
    np.testing.assert_allclose(y, [[[[-0.1, 2.0], [3.0, -0.4]], [[-1.0, -0.5], [1.0, 5.0]]]])
    g = np.arange(1.0, 9.0).reshape(x.shape)
    dx = layer.backward(g)
    # channel 0: g * z at (0, 0) and (1, 1): 1 * -1 + 4 * -4; channel 1: 5 * -2 + 6 * -1
    np.testing.assert_allclose(layer.grads["alpha"], [-17.0, -16.0])
    np.testing.assert_allclose(dx, [[[[0.1, 2.0], [3.0, 0.4]], [[2.5, 3.0], [7.0, 8.0]]]])
    np.testing.assert_allclose(layer.derivative(),
                               [[[[0.1, 1.0], [1.0, 0.1]], [[0.5, 0.5], [1.0, 1.0]]]])


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 6)], ids=["conv2d", "conv1d"])
def test_prelu_on_maps_gradient_check(shape: tuple[int, ...]) -> None:
    layer = PReLU()
    bind_layer(layer, shape, np.random.default_rng(0))
    layer.params["alpha"][...] = np.linspace(-0.3, 1.5, shape[0])
    x = signed_uniform((4, *shape), seed=3)
    errors = check_layer(layer, x)
    assert set(errors) == {"input", "alpha"}
    assert max(errors.values()) < TOL, errors
    # and on maps of another size than built (the slopes do not depend on it)
    bigger = signed_uniform((2, shape[0], *(s + 3 for s in shape[1:])), seed=4)
    assert max(check_layer(layer, bigger).values()) < TOL


def make_rrelu(width: int = 4, seed: int = 0) -> RReLU:
    layer = RReLU(0.1, 0.4)
    bind_layer(layer, (width,), np.random.default_rng(seed))
    return layer


def test_rrelu_gradient_check_training_fixed_noise() -> None:
    layer = make_rrelu()
    errors = check_layer(layer, signed_uniform((6, 4), seed=3), train=True, seed=7)
    assert set(errors) == {"input"}
    assert errors["input"] < TOL, errors


def test_rrelu_gradient_check_evaluation() -> None:
    layer = make_rrelu()
    errors = check_layer(layer, signed_uniform((6, 4), seed=3), train=False)
    assert errors["input"] < TOL, errors


def test_rrelu_training_slopes_in_range_and_random() -> None:
    layer = make_rrelu(width=1000)
    x = -np.ones((2, 1000))
    a = layer.forward(x, True)
    slopes = -a
    assert np.all((slopes >= 0.1) & (slopes <= 0.4))
    assert slopes.std() > 0.05  # U(0.1, 0.4) has std 0.087
    np.testing.assert_array_equal(layer.derivative(), slopes)
    np.testing.assert_array_equal(layer.forward(np.ones((2, 1000)), True), 1.0)


def test_rrelu_evaluation_uses_mean_slope() -> None:
    layer = make_rrelu(width=3)
    a = layer.forward(np.array([[-2.0, 0.5, -1.0]]), False)
    np.testing.assert_allclose(a, [[-0.5, 0.5, -0.25]])  # mean slope (0.1 + 0.4) / 2
    np.testing.assert_allclose(layer.backward(np.ones((1, 3))), [[0.25, 1.0, 0.25]])


def test_rrelu_same_seed_same_noise() -> None:
    x = -np.ones((3, 5))
    a1 = make_rrelu(5, seed=11).forward(x, True)
    a2 = make_rrelu(5, seed=11).forward(x, True)
    a3 = make_rrelu(5, seed=12).forward(x, True)
    np.testing.assert_array_equal(a1, a2)
    assert not np.array_equal(a1, a3)


def test_rrelu_rejects_bad_bounds() -> None:
    with pytest.raises(ValueError):
        RReLU(0.5, 0.2)
    with pytest.raises(ValueError):
        RReLU(-0.1, 0.2)
    assert RReLU(0.1, 0.2).describe() == {"type": "rrelu", "lower": 0.1, "upper": 0.2}
