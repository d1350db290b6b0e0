"""Tests for engine.layers.batchnorm: gradient checks in training and evaluation
mode, normalised outputs, running statistics and their use at evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import bind_layer, check_layer
from engine.layers import BatchNorm
from tests.engine.layers.support import samples_inner

TOL = 1e-6


def make_bn(width: int = 3, momentum: float = 0.1) -> BatchNorm:
    layer = BatchNorm(momentum=momentum)
    bind_layer(layer, (width,), np.random.default_rng(0))
    return layer


def batch(n: int = 8, width: int = 3, seed: int = 1) -> np.ndarray:
    """Columns with different means and spreads."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, width)) * np.arange(1, width + 1) + np.arange(width) * 2.0


def test_batchnorm_init_and_layout() -> None:
    layer = make_bn()
    np.testing.assert_array_equal(layer.params["gamma"], 1.0)
    np.testing.assert_array_equal(layer.params["beta"], 0.0)
    np.testing.assert_array_equal(layer.state["running_mean"], 0.0)
    np.testing.assert_array_equal(layer.state["running_var"], 1.0)
    assert [s.name for s in layer.param_specs()] == ["gamma", "beta"]
    assert not any(s.decay for s in layer.param_specs())


def test_batchnorm_gradient_check_training() -> None:
    # Training-mode forwards update the running statistics (every numeric-difference
    # call does); the training output never reads them, so the check is unaffected.
    layer = make_bn()
    layer.params["gamma"][...] = [1.5, -0.7, 0.3]
    layer.params["beta"][...] = [0.2, -1.0, 0.5]
    errors = check_layer(layer, batch(), train=True)
    assert set(errors) == {"input", "gamma", "beta"}
    assert max(errors.values()) < TOL, errors


def test_batchnorm_gradient_check_evaluation() -> None:
    layer = make_bn()
    layer.params["gamma"][...] = [1.5, -0.7, 0.3]
    layer.params["beta"][...] = [0.2, -1.0, 0.5]
    layer.state["running_mean"][...] = [0.5, 1.0, -2.0]
    layer.state["running_var"][...] = [2.0, 0.5, 4.0]
    errors = check_layer(layer, batch(), train=False)
    assert max(errors.values()) < TOL, errors


def test_batchnorm_eval_backward_by_hand() -> None:
    layer = make_bn(width=1)
    layer.params["gamma"][...] = 2.0
    layer.state["running_var"][...] = 4.0 - layer.eps
    layer.forward(np.array([[1.0], [3.0]]), False)
    np.testing.assert_allclose(layer.backward(np.array([[1.0], [1.0]])), [[1.0], [1.0]])


def test_batchnorm_training_output_standardised() -> None:
    layer = make_bn(width=4)
    x = batch(n=64, width=4, seed=2)
    y = layer.forward(x, True)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    # the variance is var / (var + eps), a hair under 1
    var = x.var(axis=0)
    np.testing.assert_allclose(y.std(axis=0), np.sqrt(var / (var + layer.eps)), rtol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1.0, atol=1e-4)


def test_batchnorm_scale_and_shift() -> None:
    layer = make_bn(width=2)
    layer.params["gamma"][...] = [2.0, 0.5]
    layer.params["beta"][...] = [-1.0, 3.0]
    y = layer.forward(batch(n=32, width=2), True)
    np.testing.assert_allclose(y.mean(axis=0), [-1.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), [2.0, 0.5], rtol=1e-4)


def test_batchnorm_running_stats_follow_momentum() -> None:
    layer = make_bn(width=3, momentum=0.25)
    x = batch(n=10)
    mu = x.mean(axis=0)
    var_unbiased = x.var(axis=0, ddof=1)  # the running variance uses the n - 1 estimate
    layer.forward(x, True)
    np.testing.assert_allclose(layer.state["running_mean"], 0.75 * 0.0 + 0.25 * mu)
    np.testing.assert_allclose(layer.state["running_var"], 0.75 * 1.0 + 0.25 * var_unbiased)
    layer.forward(x, True)
    np.testing.assert_allclose(layer.state["running_mean"], 0.75 * (0.25 * mu) + 0.25 * mu)
    for _ in range(200):
        layer.forward(x, True)
    np.testing.assert_allclose(layer.state["running_mean"], mu, rtol=1e-12)
    np.testing.assert_allclose(layer.state["running_var"], var_unbiased, rtol=1e-12)


def test_batchnorm_evaluation_does_not_move_running_stats() -> None:
    layer = make_bn()
    layer.forward(batch(), False)
    np.testing.assert_array_equal(layer.state["running_mean"], 0.0)
    np.testing.assert_array_equal(layer.state["running_var"], 1.0)


def test_batchnorm_evaluation_uses_running_stats() -> None:
    layer = make_bn()
    x = batch()
    train_out = layer.forward(x, True).copy()
    rm, rv = layer.state["running_mean"].copy(), layer.state["running_var"].copy()
    eval_out = layer.forward(x, False)
    np.testing.assert_allclose(eval_out, (x - rm) / np.sqrt(rv + layer.eps))
    assert np.max(np.abs(eval_out - train_out)) > 0.1


def test_batchnorm_single_row_batch() -> None:
    layer = make_bn(width=2)
    y = layer.forward(np.array([[3.0, -1.0]]), True)
    np.testing.assert_array_equal(y, 0.0)  # x - mean is 0 for one row
    np.testing.assert_allclose(layer.state["running_var"], 0.9)  # biased var 0, no n - 1


def test_batchnorm_describe() -> None:
    assert BatchNorm(0.2, 1e-3).describe() == {"type": "batchnorm", "momentum": 0.2, "eps": 1e-3}
    assert BatchNorm().describe() == {"type": "batchnorm", "momentum": 0.1, "eps": 1e-5}


def feature_maps(n: int = 6, shape: tuple[int, ...] = (3, 4, 5), seed: int = 4) -> np.ndarray:
    """Maps whose channels have different means and spreads."""
    rng = np.random.default_rng(seed)
    scale = np.arange(1, shape[0] + 1).reshape(shape[0], *(1,) * (len(shape) - 1))
    return rng.standard_normal((n, *shape)) * scale + 2.0 * scale


def make_maps_bn(shape: tuple[int, ...] = (3, 4, 5), momentum: float = 0.1) -> BatchNorm:
    layer = BatchNorm(momentum=momentum)
    bind_layer(layer, shape, np.random.default_rng(0))
    return layer


def by_hand(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Batch norm over feature maps by the textbook formula: per channel c, the mean
    and biased variance of x[:, c] over the samples and all positions."""
    axes = (0, *range(2, x.ndim))
    column = (1, -1, *(1,) * (x.ndim - 2))
    mean = x.mean(axis=axes).reshape(column)
    var = ((x - mean) ** 2).mean(axis=axes).reshape(column)
    return gamma.reshape(column) * (x - mean) / np.sqrt(var + eps) + beta.reshape(column)


def test_batchnorm_after_a_convolution_has_one_unit_per_channel() -> None:
    """gamma, beta and the running statistics are one value per channel (kernel),
    as the notes count them, however large the maps."""
    layer = make_maps_bn((3, 4, 5))
    assert layer.units == 3 and layer.per_channel
    assert [(s.name, s.shape) for s in layer.param_specs()] == [("gamma", (3,)), ("beta", (3,))]
    assert [(s.name, s.shape) for s in layer.state_specs()] == [
        ("running_mean", (3,)), ("running_var", (3,))]
    assert make_maps_bn((4, 7)).params["gamma"].shape == (4,)  # a conv1d's (C, L) maps
    flat = make_bn(width=6)
    assert flat.units == 6 and not flat.per_channel


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 6)], ids=["conv2d", "conv1d"])
def test_batchnorm_on_maps_matches_the_formula_by_hand(shape: tuple[int, ...]) -> None:
    layer = make_maps_bn(shape, momentum=0.25)
    gamma, beta = np.linspace(0.5, 2.0, shape[0]), np.linspace(-1.0, 1.0, shape[0])
    layer.params["gamma"][...] = gamma
    layer.params["beta"][...] = beta
    x = feature_maps(n=5, shape=shape)
    y = layer.forward(x, True)
    np.testing.assert_allclose(y, by_hand(x, gamma, beta, layer.eps), rtol=1e-12, atol=1e-12)
    # each channel comes out with mean beta_c and spread |gamma_c| over samples and positions
    axes = (0, *range(2, x.ndim))
    np.testing.assert_allclose(y.mean(axis=axes), beta, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=axes), gamma, rtol=1e-4)
    # the running statistics per channel, the variance unbiased over m = n * positions
    m = x.size // shape[0]
    mean = x.mean(axis=axes)
    var = x.var(axis=axes) * m / (m - 1)
    np.testing.assert_allclose(layer.state["running_mean"], 0.25 * mean, rtol=1e-12)
    np.testing.assert_allclose(layer.state["running_var"], 0.75 + 0.25 * var, rtol=1e-12)
    # evaluation normalises with them, channel by channel
    column = (1, -1, *(1,) * (x.ndim - 2))
    expect = (gamma.reshape(column) * (x - layer.state["running_mean"].reshape(column))
              / np.sqrt(layer.state["running_var"].reshape(column) + layer.eps)
              + beta.reshape(column))
    np.testing.assert_allclose(layer.forward(x, False), expect, rtol=1e-12)


def test_batchnorm_on_maps_is_not_per_position() -> None:
    """A map whose positions differ in level keeps those differences: per-position
    statistics would flatten every position to mean 0 (the old, wrong behaviour)."""
    layer = make_maps_bn((1, 1, 2))
    x = np.array([[[[0.0, 10.0]]], [[[2.0, 12.0]]]])  # position 1 is 10 above position 0
    y = layer.forward(x, True)
    std = np.sqrt(x.var() + layer.eps)
    np.testing.assert_allclose(y[:, 0, 0], (x[:, 0, 0] - 6.0) / std, rtol=1e-12)
    assert y[0, 0, 0, 1] - y[0, 0, 0, 0] > 1.5


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 6)], ids=["conv2d", "conv1d"])
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_on_maps_gradient_check(shape: tuple[int, ...], train: bool) -> None:
    layer = make_maps_bn(shape)
    layer.params["gamma"][...] = np.linspace(-0.7, 1.5, shape[0])
    layer.params["beta"][...] = np.linspace(0.2, -1.0, shape[0])
    layer.state["running_mean"][...] = np.linspace(0.5, 2.0, shape[0])
    layer.state["running_var"][...] = np.linspace(0.5, 4.0, shape[0])
    errors = check_layer(layer, feature_maps(n=4, shape=shape), train=train)
    assert set(errors) == {"input", "gamma", "beta"}
    assert max(errors.values()) < TOL, errors


class StatisticsAsConstants(BatchNorm):
    """A wrong backward on maps: it forgets that the channel's mean and variance
    depend on every value of the channel (the evaluation-mode formula in training)."""

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if grad_out.ndim == 2:
            return super().backward(grad_out)
        self._train = False
        try:
            return super().backward(grad_out)
        finally:
            self._train = True


def test_batchnorm_on_maps_wrong_backward_is_caught() -> None:
    layer = StatisticsAsConstants()
    bind_layer(layer, (3, 4, 5), np.random.default_rng(0))
    errors = check_layer(layer, feature_maps(n=4), train=True)
    assert errors["input"] > 0.1
    assert errors["gamma"] < TOL and errors["beta"] < TOL  # those do not involve the mean


def test_batchnorm_on_maps_takes_another_size_than_built() -> None:
    """One statistic per channel does not depend on the maps' size (a probe draws
    larger images for a net with spatial pyramid pooling)."""
    layer = make_maps_bn((3, 4, 5))
    x = feature_maps(n=3, shape=(3, 9, 7))
    np.testing.assert_allclose(layer.forward(x, True), by_hand(x, np.ones(3), np.zeros(3),
                                                              layer.eps), rtol=1e-12)
    errors = check_layer(layer, x, train=True)
    assert max(errors.values()) < TOL, errors
    with pytest.raises(ValueError, match="3 channels"):
        layer.forward(feature_maps(n=3, shape=(2, 4, 5)), True)


def test_batchnorm_on_feature_maps_in_either_memory_order() -> None:
    """A map laid out samples-innermost (a convolution's output) gives the same
    outputs and gradients as a C-ordered one, and the layer never writes into its
    input or the gradient it is given."""
    x = feature_maps(n=6, shape=(2, 3, 3))
    g = feature_maps(n=6, shape=(2, 3, 3), seed=5)
    results = []
    for given, grad in ((x.copy(), g.copy()), (samples_inner(x), samples_inner(g))):
        layer = make_maps_bn((2, 3, 3))
        layer.params["gamma"][...] = [0.5, 2.0]
        y = np.array(layer.forward(given, True))
        dx = np.array(layer.backward(grad))
        np.testing.assert_array_equal(given, x)
        np.testing.assert_array_equal(grad, g)
        assert y.shape == dx.shape == x.shape
        results.append((y, dx, layer.grads["gamma"].copy(), layer.state["running_var"].copy()))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_batchnorm_writes_the_flat_buffers() -> None:
    """The parameter gradients and running statistics land in the network's flat
    buffers (the optimiser and checkpoints read those)."""
    layer = BatchNorm(momentum=0.5)
    _, grads, state = bind_layer(layer, (3,), np.random.default_rng(0))
    x, g = batch(n=5), batch(n=5, seed=7)
    layer.forward(x, True)
    layer.backward(g)
    xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + layer.eps)
    np.testing.assert_allclose(grads, np.concatenate([(g * xhat).sum(0), g.sum(0)]), rtol=1e-12)
    np.testing.assert_allclose(state, np.concatenate([0.5 * x.mean(0),
                                                      0.5 + 0.5 * x.var(0, ddof=1)]), rtol=1e-12)


def test_batchnorm_in_float32() -> None:
    """A float32 network's layer computes in float32 and matches float64 to float32
    precision, in training and evaluation mode."""
    x, g = batch(n=16, width=3), batch(n=16, width=3, seed=5)
    outputs = []
    for dtype in (np.float64, np.float32):
        layer = BatchNorm()
        bind_layer(layer, (3,), np.random.default_rng(0), dtype=dtype)
        layer.params["gamma"][...] = [1.5, -0.7, 0.3]
        for train in (True, False):
            y = layer.forward(x.astype(dtype), train)
            dx = layer.backward(g.astype(dtype))
            assert y.dtype == dx.dtype == dtype
            outputs.append((y, dx, layer.grads["gamma"].copy()))
    for a, b in zip(outputs[:2], outputs[2:], strict=True):
        for wide, narrow in zip(a, b, strict=True):
            np.testing.assert_allclose(narrow, wide, rtol=2e-5, atol=2e-5)


def test_batchnorm_takes_flat_rows_in_either_memory_order() -> None:
    """A dense layer's output goes through as it is; a column-major one (a
    transposed array) is copied first: the same outputs and gradients to the bit,
    and the layer never writes into its input or the gradient it is given."""
    x, g = batch(n=6, width=4), batch(n=6, width=4, seed=2)
    results = []
    for rows, grad in ((x.copy(), g.copy()), (np.asfortranarray(x), np.asfortranarray(g))):
        layer = make_bn(width=4)
        kept = rows.copy(), grad.copy()
        y = layer.forward(rows, True)
        dx = layer.backward(grad)
        np.testing.assert_array_equal(rows, kept[0])
        np.testing.assert_array_equal(grad, kept[1])
        assert y.shape == dx.shape == (6, 4)
        results.append((y, dx, layer.grads["gamma"].copy(), layer.grads["beta"].copy(),
                        layer.state["running_mean"].copy(), layer.state["running_var"].copy()))
    for same, other in zip(results[0], results[1], strict=True):
        np.testing.assert_array_equal(same, other)
    y = results[0][0]
    np.testing.assert_allclose(y.mean(0), 0.0, atol=1e-12)


def test_batchnorm_takes_a_gradient_of_another_precision() -> None:
    """float64 parameters with a float32 gradient (and the other way round): the
    parameter gradients are converted into their rows, as before."""
    for params, given in ((np.float64, np.float32), (np.float32, np.float64)):
        layer = BatchNorm()
        bind_layer(layer, (3,), np.random.default_rng(0), dtype=params)
        x = batch().astype(params)
        layer.forward(x, True)
        g = batch(seed=3)
        layer.backward(g.astype(given))
        xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + layer.eps)
        np.testing.assert_allclose(layer.grads["beta"], g.sum(0), rtol=1e-5)
        np.testing.assert_allclose(layer.grads["gamma"], (g * xhat).sum(0), rtol=1e-4)
        assert layer.grads["gamma"].dtype == params
