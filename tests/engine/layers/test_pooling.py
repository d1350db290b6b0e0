"""Tests for engine.layers.pooling: gradient checks (overlapping windows, odd sizes),
values by hand, ties, inputs of other sizes than built for, and either memory order
of the input."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import bind_layer, check_layer
from engine.layers.pooling import GlobalMaxPool, Pool2D
from tests.engine.layers.support import samples_inner

TOL = 1e-6

def make(layer, in_shape):
    bind_layer(layer, in_shape, np.random.default_rng(0))
    return layer


def distinct(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values at least 0.01 apart, so no max can change under a 1e-6 difference step."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) * 0.01 - n * 0.005


POOL_CASES = [
    # mode, size, stride, per-sample input shape
    ("max", 2, None, (3, 4, 4)),
    ("max", 3, 2, (2, 7, 7)),  # overlapping
    ("max", 3, 1, (2, 5, 6)),  # overlapping, odd sizes
    ("max", 2, 2, (2, 5, 7)),  # last row and column dropped
    ("mean", 2, None, (3, 4, 4)),
    ("mean", 3, 2, (2, 7, 7)),
    ("mean", 2, 1, (1, 5, 3)),
    ("mean", 3, 3, (2, 7, 8)),
]


@pytest.mark.parametrize(("mode", "size", "stride", "shape"), POOL_CASES)
def test_pool2d_gradient_check(mode, size, stride, shape) -> None:
    layer = make(Pool2D(mode, size, stride), shape)
    errors = check_layer(layer, distinct((2, *shape), seed=size))
    assert set(errors) == {"input"}
    assert errors["input"] < TOL, errors


def test_pool2d_max_and_mean_by_hand() -> None:
    x = np.array([[[[1.0, 2.0, 5.0, 0.0],
                    [3.0, 4.0, 1.0, 1.0],
                    [0.0, 8.0, 2.0, 2.0],
                    [6.0, 0.0, 2.0, 6.0]]]])
    peak = make(Pool2D("max", 2), (1, 4, 4))
    np.testing.assert_array_equal(peak.forward(x, True), [[[[4.0, 5.0], [8.0, 6.0]]]])
    dx = peak.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    np.testing.assert_array_equal(dx, [[[[0, 0, 2, 0], [0, 1, 0, 0], [0, 3, 0, 0], [0, 0, 0, 4]]]])
    avg = make(Pool2D("mean", 2), (1, 4, 4))
    np.testing.assert_array_equal(avg.forward(x, True), [[[[2.5, 1.75], [3.5, 3.0]]]])
    dx = avg.backward(np.array([[[[4.0, 8.0], [0.0, -4.0]]]]))
    np.testing.assert_array_equal(dx, [[[[1, 1, 2, 2], [1, 1, 2, 2], [0, 0, -1, -1],
                                         [0, 0, -1, -1]]]])


def test_pool2d_overlapping_gradients_add_up() -> None:
    layer = make(Pool2D("max", 2, stride=1), (1, 3, 3))
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]]]])
    np.testing.assert_array_equal(layer.forward(x, True), 9.0)  # the centre wins every window
    dx = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    np.testing.assert_array_equal(dx, [[[[0, 0, 0], [0, 10, 0], [0, 0, 0]]]])
    mean = make(Pool2D("mean", 2, stride=1), (1, 3, 3))
    mean.forward(x, True)
    dx = mean.backward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(dx, [[[[0.25, 0.5, 0.25], [0.5, 1.0, 0.5],
                                         [0.25, 0.5, 0.25]]]])


def test_pool2d_max_ties_go_to_the_first() -> None:
    layer = make(Pool2D("max", 2), (1, 2, 4))
    x = np.array([[[[5.0, 5.0, 1.0, 3.0], [5.0, 5.0, 3.0, 0.0]]]])
    np.testing.assert_array_equal(layer.forward(x, True), [[[[5.0, 3.0]]]])
    dx = layer.backward(np.array([[[[1.0, 2.0]]]]))
    np.testing.assert_array_equal(dx, [[[[1, 0, 0, 2], [0, 0, 0, 0]]]])


def test_pool2d_dropped_border_gets_no_gradient() -> None:
    layer = make(Pool2D("mean", 2), (1, 5, 5))
    assert layer.out_shape == (1, 2, 2)
    layer.forward(np.ones((1, 1, 5, 5)), True)
    dx = layer.backward(np.ones((1, 1, 2, 2)))
    assert np.all(dx[..., 4, :] == 0) and np.all(dx[..., :, 4] == 0)
    np.testing.assert_array_equal(dx[..., :4, :4], 0.25)


def test_pool2d_other_sizes_and_settings() -> None:
    layer = make(Pool2D("max", 3, stride=2), (2, 9, 9))
    assert layer.out_shape == (2, 4, 4)
    x = distinct((3, 2, 11, 6), seed=4)
    out = layer.forward(x, True)
    assert out.shape == (3, 2, 5, 2)
    for i in range(5):
        for j in range(2):
            np.testing.assert_array_equal(
                out[:, :, i, j], x[:, :, 2 * i : 2 * i + 3, 2 * j : 2 * j + 3].max(axis=(2, 3)))
    assert layer.describe() == {"type": "pool2d", "mode": "max", "size": 3, "stride": 2}
    assert Pool2D("mean", 2).stride == 2
    with pytest.raises(ValueError):
        Pool2D("median", 2)
    with pytest.raises(ValueError):
        layer.forward(np.zeros((1, 2, 2, 9)), True)
    with pytest.raises(ValueError):
        Pool2D("max", 2).build((4, 4))


def test_pool2d_keeps_float32() -> None:
    layer = make(Pool2D("max", 2), (1, 4, 4))
    x = distinct((2, 1, 4, 4)).astype(np.float32)
    out = layer.forward(x, True)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32


@pytest.mark.parametrize("shape", [(3, 7), (2, 4, 5), (1, 1)])
def test_global_max_pool_gradient_check(shape) -> None:
    layer = make(GlobalMaxPool(), shape)
    assert layer.out_shape == (shape[0],)
    errors = check_layer(layer, distinct((3, *shape), seed=len(shape)))
    assert errors["input"] < TOL, errors


def test_global_max_pool_max_over_time_by_hand() -> None:
    layer = make(GlobalMaxPool(), (2, 5))
    # two filters' responses over 5 n-gram positions for two sentences
    x = np.array([[[0.1, 0.9, 0.3, 0.2, 0.0], [2.0, -1.0, 0.5, 2.5, 1.0]],
                  [[-1.0, -2.0, -0.5, -3.0, -0.7], [4.0, 4.0, 1.0, 0.0, 4.0]]])
    np.testing.assert_array_equal(layer.forward(x, False), [[0.9, 2.5], [-0.5, 4.0]])
    np.testing.assert_array_equal(layer.argmax, [[1, 3], [2, 0]])  # tie: first position
    dx = layer.backward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    expect = np.zeros((2, 2, 5))
    expect[0, 0, 1], expect[0, 1, 3], expect[1, 0, 2], expect[1, 1, 0] = 1, 2, 3, 4
    np.testing.assert_array_equal(dx, expect)


def test_global_max_pool_2d_positions_and_any_length() -> None:
    layer = make(GlobalMaxPool(), (1, 3, 4))
    x = np.zeros((1, 1, 3, 4))
    x[0, 0, 2, 1] = 5.0
    np.testing.assert_array_equal(layer.forward(x, True), [[5.0]])
    assert layer.argmax.tolist() == [[9]]
    rows, cols = layer.positions()
    assert rows.tolist() == [[2]] and cols.tolist() == [[1]]
    long = np.arange(24.0).reshape(2, 1, 12)  # longer than built for
    np.testing.assert_array_equal(layer.forward(long, True), [[11.0], [23.0]])
    assert layer.argmax.tolist() == [[11], [11]]
    layer.forget()
    assert layer.argmax is not None  # kept for display


@pytest.mark.parametrize("shape", [(4, 3, 7), (5, 2, 3, 4), (1, 3, 2, 2)])
def test_global_max_pool_either_memory_order_same_numbers(shape) -> None:
    # ReLU-like zeros make ties, which go to the first position either way
    x = np.maximum(np.random.default_rng(3).standard_normal(shape), 0.0)
    x[0, 0] = 0.0  # a channel with every position tied
    g = np.random.default_rng(4).standard_normal(shape[:2])
    results = []
    for data in (x, samples_inner(x)):
        layer = make(GlobalMaxPool(), shape[1:])
        out = layer.forward(data, True).copy()
        results.append((out, layer.argmax.copy(), layer.backward(g).copy()))
    (out_c, arg_c, dx_c), (out_i, arg_i, dx_i) = results
    np.testing.assert_array_equal(out_i, out_c)
    np.testing.assert_array_equal(arg_i, arg_c)
    np.testing.assert_array_equal(dx_i, dx_c)
    assert arg_c[0, 0] == 0
    np.testing.assert_array_equal(out_c, x.reshape(*shape[:2], -1).max(axis=2))
    errors = check_layer(make(GlobalMaxPool(), shape[1:]), samples_inner(distinct(shape)))
    assert errors["input"] < TOL, errors


@pytest.mark.parametrize(("mode", "size", "stride"), [("max", 2, 2), ("max", 3, 2), ("mean", 2, 1)])
def test_pool2d_either_memory_order_same_numbers(mode, size, stride) -> None:
    x = np.maximum(np.random.default_rng(5).standard_normal((3, 2, 7, 6)), 0.0)  # ties
    results = []
    for data in (x, samples_inner(x)):
        layer = make(Pool2D(mode, size, stride), (2, 7, 6))
        out = layer.forward(data, True).copy()
        g = np.arange(out.size, dtype=float).reshape(out.shape)
        dx = layer.backward(g)
        results.append((out, dx.copy(), dx.strides[0] == dx.itemsize))
    (out_c, dx_c, inner_c), (out_i, dx_i, inner_i) = results
    np.testing.assert_array_equal(out_i, out_c)
    np.testing.assert_array_equal(dx_i, dx_c)
    assert not inner_c and inner_i  # dL/dx in the input's memory order


def test_pool_wrong_gradient_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = make(Pool2D("max", 3, stride=2), (1, 5, 5))
    x = distinct((2, 1, 5, 5))
    assert check_layer(layer, x)["input"] < TOL

    def first_window_only(self, grad_out):
        # forgets that overlapping windows add up: keeps one window's gradient per pixel
        dx = np.zeros(int(np.prod(self._x_shape)))
        dx[self.winners().ravel()] = grad_out.ravel()
        return dx.reshape(self._x_shape)

    monkeypatch.setattr(Pool2D, "backward", first_window_only)
    x[0, 0, 2, 2] = 100.0  # the centre wins all four overlapping windows
    assert check_layer(layer, x)["input"] > 1e-2


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2)])
def test_pool2d_max_backward_after_evaluation_forward(size: int, stride: int) -> None:
    # an evaluation forward finds the winners only when a backward asks for them
    x = np.random.default_rng(7).permutation(2 * 3 * 9 * 9).reshape(2, 3, 9, 9) / 10.0
    g = np.random.default_rng(8).standard_normal((2, 3, *(((9 - size) // stride + 1,) * 2)))
    layer = Pool2D("max", size, stride)
    layer.build((3, 9, 9))
    out_train = layer.forward(x, True).copy()
    dx_train = layer.backward(g).copy()
    winners_train = layer.winners().copy()
    out_eval = layer.forward(x, False)
    assert layer._code is None
    np.testing.assert_array_equal(out_eval, out_train)
    np.testing.assert_array_equal(layer.backward(g), dx_train)
    np.testing.assert_array_equal(layer.winners(), winners_train)
