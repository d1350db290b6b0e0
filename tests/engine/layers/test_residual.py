"""Tests for engine.layers.residual: identity skip, learned projection (dense for flat
widths, 1x1 convolution for feature maps), a branch with batch norm and an activation,
and how parameters and state are laid out."""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import ReLU, Tanh
from engine.gradcheck import bind_layer, check_layer, numeric_grad
from engine.layers import Act, BatchNorm, Dense, Dropout, Residual
from engine.layers.conv import Conv2D
from engine.layers.shape import Flatten
from tests.engine.layers.support import assert_away_from_kinks

TOL = 1e-6


def test_residual_identity_gradient_check() -> None:
    block = Residual([Dense(4), Act(Tanh()), Dense(4)])
    bind_layer(block, (4,), np.random.default_rng(0), bias_init=0.1)
    assert block.projection is None
    errors = check_layer(block, np.random.default_rng(1).standard_normal((5, 4)))
    assert set(errors) == {"input", "0.0.W", "0.0.b", "0.2.W", "0.2.b"}
    assert max(errors.values()) < TOL, errors


def test_residual_projection_gradient_check() -> None:
    block = Residual([Dense(3), Act(Tanh())])
    bind_layer(block, (5,), np.random.default_rng(0))
    assert block.projection is not None and block.out_shape == (3,)
    assert block.projection.params["W"].shape == (5, 3)
    errors = check_layer(block, np.random.default_rng(1).standard_normal((6, 5)))
    assert set(errors) == {"input", "0.0.W", "0.0.b", "1.W", "1.b"}
    assert max(errors.values()) < TOL, errors


def set_bn(bn: BatchNorm) -> None:
    """Distinct, non-trivial gamma, beta and running statistics."""
    bn.params["gamma"][...] = [1.2, 0.8, -0.5, 1.0, 2.0]
    bn.params["beta"][...] = [0.1, -0.2, 0.3, 0.0, -0.4]
    bn.state["running_mean"][...] = [0.3, -0.1, 0.0, 0.2, 0.5]
    bn.state["running_var"][...] = [1.7, 0.6, 1.0, 2.5, 0.9]


@pytest.mark.parametrize("train", [True, False])
def test_residual_batchnorm_relu_gradient_check(train: bool) -> None:
    # pre-activation block (He et al., 2016): BN -> ReLU -> Dense inside the skip
    block = Residual([BatchNorm(), Act(ReLU()), Dense(5)])
    bind_layer(block, (5,), np.random.default_rng(2), bias_init=0.1)
    set_bn(block.branch.layers[0])
    x = np.random.default_rng(3).standard_normal((8, 5))
    block.forward(x, train)
    assert_away_from_kinks(block)
    errors = check_layer(block, x, train=train)
    assert set(errors) == {"input", "0.0.gamma", "0.0.beta", "0.2.W", "0.2.b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("train", [True, False])
def test_residual_dense_batchnorm_relu_gradient_check(train: bool) -> None:
    block = Residual([Dense(5), BatchNorm(), Act(ReLU()), Dense(5)])
    bind_layer(block, (5,), np.random.default_rng(2), bias_init=0.1)
    set_bn(block.branch.layers[1])
    x = np.random.default_rng(3).standard_normal((8, 5))
    block.forward(x, train)
    assert_away_from_kinks(block)
    errors = check_layer(block, x, train=train)
    if train:
        # Training-mode batch norm subtracts the batch mean, so a bias right before it
        # has no effect: its true gradient is exactly 0, the analytic one is rounding
        # noise and the numeric one is difference noise (~1e-10), and their relative
        # error means nothing. Check both are zero in absolute terms instead.
        assert np.max(np.abs(block.grads["0.0.b"])) < 1e-12
        loss_r = np.random.default_rng(0).standard_normal((8, 5))
        numeric = numeric_grad(lambda: float(np.vdot(block.forward(x, True), loss_r)),
                               block.params["0.0.b"])
        assert np.max(np.abs(numeric)) < 1e-8
        del errors["0.0.b"]
    assert max(errors.values()) < TOL, errors


def test_residual_forward_identity_by_hand() -> None:
    block = Residual([Dense(2)])
    bind_layer(block, (2,), np.random.default_rng(0))
    inner = block.branch.layers[0]
    inner.params["W"][...] = [[1.0, 0.0], [0.0, 2.0]]
    inner.params["b"][...] = [0.5, 0.0]
    x = np.array([[1.0, 1.0]])
    np.testing.assert_allclose(block.forward(x, True), [[2.5, 3.0]])  # f(x) + x
    # dL/dx = W^T g + g
    np.testing.assert_allclose(block.backward(np.array([[1.0, 1.0]])), [[2.0, 3.0]])


def test_residual_zero_branch_is_identity() -> None:
    block = Residual([Dense(3), Act(Tanh()), Dense(3)])
    bufs = bind_layer(block, (3,), np.random.default_rng(0))
    bufs.params[...] = 0.0
    x = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(block.forward(x, True), x)
    g = np.random.default_rng(2).standard_normal((4, 3))
    np.testing.assert_allclose(block.backward(g), g)  # the gradient passes the skip whole


def test_residual_layout_and_state() -> None:
    block = Residual([Dense(4), BatchNorm(), Act(Tanh())])
    bufs = bind_layer(block, (2,), np.random.default_rng(0))
    specs = [(s.name, s.shape, s.decay) for s in block.param_specs()]
    assert specs == [
        ("0.0.W", (2, 4), True), ("0.0.b", (4,), False),
        ("0.1.gamma", (4,), False), ("0.1.beta", (4,), False),
        ("1.W", (2, 4), True), ("1.b", (4,), False),
    ]
    assert [s.name for s in block.state_specs()] == ["0.1.running_mean", "0.1.running_var"]
    assert bufs.params.size == 12 + 8 + 12 and bufs.state.size == 8
    bn = block.branch.layers[1]
    assert np.shares_memory(bn.state["running_var"], bufs.state)
    assert np.shares_memory(block.projection.params["W"], bufs.params[20:])
    assert block.children() == [block.branch, block.projection]


def test_residual_passes_rng_to_branch() -> None:
    block = Residual([Dense(3), Dropout(0.5)])
    rng = np.random.default_rng(0)
    bind_layer(block, (3,), rng)
    assert block.branch.layers[1].rng is rng


def test_residual_projection_needs_flat_shapes() -> None:
    block = Residual([Dense(3)])
    assert block.build((2,)) == (3,)
    assert block.describe() == {"type": "residual", "layers": [{"type": "dense", "units": 3}],
                                "projection": True}


def test_residual_conv_projection_gradient_check() -> None:
    block = Residual([Conv2D(3, 3, padding=1), Act(Tanh())])
    bind_layer(block, (2, 5, 4), np.random.default_rng(0), bias_init=0.1)
    assert isinstance(block.projection, Conv2D) and block.out_shape == (3, 5, 4)
    assert block.projection.params["W"].shape == (3, 2, 1, 1)
    errors = check_layer(block, np.random.default_rng(1).standard_normal((2, 2, 5, 4)))
    assert set(errors) == {"input", "0.0.W", "0.0.b", "1.W", "1.b"}
    assert max(errors.values()) < TOL, errors


def test_residual_conv_identity_gradient_check() -> None:
    block = Residual([Conv2D(2, 3, padding=1), Act(Tanh()), Conv2D(2, 3, padding=1)])
    bind_layer(block, (2, 4, 5), np.random.default_rng(0), bias_init=0.1)
    assert block.projection is None
    errors = check_layer(block, np.random.default_rng(1).standard_normal((2, 2, 4, 5)))
    assert max(errors.values()) < TOL, errors


def test_residual_conv_projection_is_per_pixel_channel_map() -> None:
    block = Residual([Conv2D(3, 3, padding=1)])
    bind_layer(block, (2, 4, 4), np.random.default_rng(0))
    block.branch.layers[0].params["W"][...] = 0.0
    block.branch.layers[0].params["b"][...] = 0.0
    P = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    block.projection.params["W"][...] = P[:, :, None, None]
    block.projection.params["b"][...] = [0.0, 1.0, 0.0]
    x = np.random.default_rng(1).standard_normal((2, 2, 6, 7))  # any size keeps working
    expect = np.einsum("oc,nchw->nohw", P, x) + np.array([0.0, 1.0, 0.0])[:, None, None]
    np.testing.assert_allclose(block.forward(x, True), expect, rtol=1e-12, atol=1e-12)
    assert block.describe()["projection"] is True


def test_residual_conv_layout() -> None:
    block = Residual([Conv2D(4, 3, padding=1)])
    bufs = bind_layer(block, (2, 5, 5), np.random.default_rng(0))
    specs = [(s.name, s.shape, s.decay) for s in block.param_specs()]
    assert specs == [("0.0.W", (4, 2, 3, 3), True), ("0.0.b", (4,), False),
                     ("1.W", (4, 2, 1, 1), True), ("1.b", (4,), False)]
    assert bufs.params.size == 72 + 4 + 8 + 4
    assert np.shares_memory(block.projection.params["W"], bufs.params[76:])
    np.testing.assert_array_equal(block.projection.params["b"], 0.0)


def test_residual_rejects_projection_that_changes_spatial_size() -> None:
    with pytest.raises(ValueError):
        Residual([Conv2D(2, 3)]).build((2, 5, 5))  # 5x5 -> 3x3
    with pytest.raises(ValueError):
        Residual([Conv2D(2, 3, padding=1), Flatten()]).build((2, 3, 3))
