"""Tests for engine.layers.conv: gradient checks over strides, paddings and odd sizes,
values by hand, agreement with a slow loop reference, translation equivariance, inputs
of other sizes than built for, initialisation fans and parameter counts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.gradcheck import bind_layer, check_layer
from engine.initializers import Initializer
from engine.layers.conv import _MAX_SHAPES, Conv1D, Conv2D, dense_equivalent_params, out_length
from tests.engine.layers.support import samples_inner

TOL = 1e-6


def make(layer, in_shape, seed: int = 0, bias_init: float = 0.1):
    bind_layer(layer, in_shape, np.random.default_rng(seed), bias_init=bias_init)
    return layer


def naive_conv2d(x, W, b, stride, padding):
    """Slow reference: one dot product per sample, filter and output pixel."""
    n, _, h, w = x.shape
    f, _, k, _ = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - k) // stride + 1
    wo = (w + 2 * padding - k) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for s in range(n):
        for o in range(f):
            for i in range(ho):
                for j in range(wo):
                    patch = xp[s, :, i * stride : i * stride + k, j * stride : j * stride + k]
                    out[s, o, i, j] = np.sum(patch * W[o]) + b[o]
    return out


def naive_conv1d(x, W, b, stride, padding):
    n, _, length = x.shape
    f, _, k = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    lo = (length + 2 * padding - k) // stride + 1
    out = np.zeros((n, f, lo))
    for s in range(n):
        for o in range(f):
            for i in range(lo):
                out[s, o, i] = np.sum(xp[s, :, i * stride : i * stride + k] * W[o]) + b[o]
    return out


CONV2D_CASES = [
    # filters, kernel, stride, padding, per-sample input shape
    (3, 3, 1, 0, (2, 5, 5)),
    (2, 3, 2, 1, (2, 7, 6)),
    (4, 3, 1, 1, (1, 4, 4)),
    (2, 2, 2, 0, (3, 5, 7)),
    (2, 3, 3, 2, (2, 6, 5)),
    (3, 1, 1, 0, (2, 3, 3)),
    # stride 1 with more padding than the kernel needs, and a padded 1 x 1 kernel:
    # a row's left padding is also the row above's right padding
    (2, 3, 1, 2, (2, 4, 3)),
    (2, 1, 1, 1, (1, 3, 3)),
    (2, 5, 1, 4, (1, 2, 3)),
    (2, 5, 1, 2, (1, 1, 1)),  # one output pixel from a padded single pixel
]


@pytest.mark.parametrize(("filters", "kernel", "stride", "padding", "shape"), CONV2D_CASES)
def test_conv2d_gradient_check(filters, kernel, stride, padding, shape) -> None:
    layer = make(Conv2D(filters, kernel, stride, padding), shape)
    x = np.random.default_rng(1).standard_normal((2, *shape))
    errors = check_layer(layer, x)
    assert set(errors) == {"input", "W", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize(("filters", "kernel", "stride", "padding", "length"),
                         [(3, 3, 1, 0, 7), (2, 2, 2, 1, 8), (4, 5, 1, 2, 5), (2, 3, 2, 0, 9),
                          (2, 2, 1, 3, 2)])
def test_conv1d_gradient_check(filters, kernel, stride, padding, length) -> None:
    layer = make(Conv1D(filters, kernel, stride, padding), (3, length))
    x = np.random.default_rng(2).standard_normal((3, 3, length))
    errors = check_layer(layer, x)
    assert set(errors) == {"input", "W", "b"}
    assert max(errors.values()) < TOL, errors


def test_conv2d_gradient_check_other_size_than_built() -> None:
    layer = make(Conv2D(2, 3, stride=2, padding=1), (2, 8, 8))
    x = np.random.default_rng(3).standard_normal((2, 2, 5, 7))
    errors = check_layer(layer, x)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize(("filters", "kernel", "stride", "padding", "shape"), CONV2D_CASES)
def test_conv2d_matches_naive_reference(filters, kernel, stride, padding, shape) -> None:
    layer = make(Conv2D(filters, kernel, stride, padding), shape, bias_init=0.0)
    layer.params["b"][...] = np.arange(filters) * 0.5 - 0.3
    x = np.random.default_rng(4).standard_normal((3, *shape))
    expect = naive_conv2d(x, layer.params["W"], layer.params["b"], stride, padding)
    out = layer.forward(x, True)
    assert out.shape == (3, *layer.out_shape)
    np.testing.assert_allclose(out, expect, rtol=1e-12, atol=1e-12)


def test_conv2d_parameter_gradients_match_reference_sums() -> None:
    layer = make(Conv2D(2, 2), (1, 3, 3))
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    layer.forward(x, True)
    g = np.array([[[[1.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]])
    layer.backward(g)
    # filter 0 saw only the top-left window; filter 1 the sum of all four windows
    np.testing.assert_array_equal(layer.grads["W"][0, 0], [[0.0, 1.0], [3.0, 4.0]])
    np.testing.assert_array_equal(layer.grads["W"][1, 0], [[8.0, 12.0], [20.0, 24.0]])
    np.testing.assert_array_equal(layer.grads["b"], [1.0, 4.0])


@pytest.mark.parametrize(("kernel", "stride", "padding", "length"),
                         [(3, 1, 0, 7), (2, 2, 1, 8), (4, 3, 2, 10), (2, 1, 3, 2)])
def test_conv1d_matches_naive_reference(kernel, stride, padding, length) -> None:
    layer = make(Conv1D(3, kernel, stride, padding), (2, length), bias_init=-0.2)
    x = np.random.default_rng(5).standard_normal((4, 2, length))
    expect = naive_conv1d(x, layer.params["W"], layer.params["b"], stride, padding)
    np.testing.assert_allclose(layer.forward(x, True), expect, rtol=1e-12, atol=1e-12)


def test_conv2d_forward_by_hand() -> None:
    layer = make(Conv2D(1, 2), (1, 3, 3))
    layer.params["W"][...] = [[[[1.0, 0.0], [0.0, -1.0]]]]  # top-left minus bottom-right
    layer.params["b"][...] = [0.5]
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]]]])
    np.testing.assert_array_equal(layer.forward(x, True), [[[[-3.5, -3.5], [-3.5, -4.5]]]])


def test_conv2d_padding_and_stride_by_hand() -> None:
    layer = make(Conv2D(1, 3, stride=2, padding=1), (1, 3, 3))
    layer.params["W"][...] = 1.0  # box sum over the 3x3 window
    layer.params["b"][...] = 0.0
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    # windows centred at the four corners see 2x2 corners of x (the rest is padding)
    np.testing.assert_array_equal(layer.forward(x, True), [[[[12.0, 16.0], [24.0, 28.0]]]])
    dx = layer.backward(np.ones((1, 1, 2, 2)))
    # each pixel is counted by every window that covers it: 1 at edges, 4 at the centre
    np.testing.assert_array_equal(dx, [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]])


def test_conv1d_ngram_sums_by_hand() -> None:
    layer = make(Conv1D(2, 2), (1, 4))
    layer.params["W"][...] = [[[1.0, 1.0]], [[1.0, -1.0]]]  # bigram sum and difference
    layer.params["b"][...] = [0.0, 1.0]
    x = np.array([[[1.0, 2.0, 4.0, 8.0]]])
    np.testing.assert_array_equal(layer.forward(x, True), [[[3.0, 6.0, 12.0], [0.0, -1.0, -3.0]]])
    dx = layer.backward(np.array([[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]))
    np.testing.assert_array_equal(dx, [[[1.0, 1.0, 1.0, -1.0]]])


def integer_layer(layer, in_shape, seed: int):
    make(layer, in_shape)
    rng = np.random.default_rng(seed)
    layer.params["W"][...] = rng.integers(-3, 4, layer.params["W"].shape)
    layer.params["b"][...] = rng.integers(-2, 3, layer.params["b"].shape)
    return layer


def test_conv2d_translation_equivariance_exact() -> None:
    layer = integer_layer(Conv2D(3, 3), (2, 14, 14), seed=6)
    rng = np.random.default_rng(7)
    x = rng.integers(-5, 6, (2, 2, 14, 14)).astype(float)
    dy, dx = 2, 3
    shifted = np.zeros_like(x)
    shifted[:, :, dy:, dx:] = x[:, :, :-dy, :-dx]
    out = layer.forward(x, True).copy()
    out_shifted = layer.forward(shifted, True)
    # every window of the shifted input away from the zero border is a window of x
    np.testing.assert_array_equal(out_shifted[:, :, dy:, dx:], out[:, :, :-dy, :-dx])
    assert np.any(out[:, :, :-dy, :-dx] != 0)


def test_conv2d_strided_equivariance_for_shifts_of_the_stride() -> None:
    layer = integer_layer(Conv2D(2, 3, stride=2), (1, 15, 15), seed=8)
    x = np.random.default_rng(9).integers(-5, 6, (1, 1, 15, 15)).astype(float)
    shifted = np.zeros_like(x)
    shifted[:, :, 4:, 2:] = x[:, :, :-4, :-2]  # shift by (2, 1) output steps
    out = layer.forward(x, True).copy()
    np.testing.assert_array_equal(layer.forward(shifted, True)[:, :, 2:, 1:], out[:, :, :-2, :-1])


def test_conv1d_translation_equivariance_exact() -> None:
    layer = integer_layer(Conv1D(4, 3, padding=1), (3, 20), seed=10)
    x = np.random.default_rng(11).integers(-5, 6, (2, 3, 20)).astype(float)
    shifted = np.zeros_like(x)
    shifted[:, :, 5:] = x[:, :, :-5]
    out = layer.forward(x, True).copy()
    # with padding 1 the first and last outputs see the padding: compare the interior
    np.testing.assert_array_equal(layer.forward(shifted, True)[:, :, 6:-1], out[:, :, 1:-6])


def test_conv2d_accepts_other_spatial_sizes() -> None:
    layer = make(Conv2D(2, 3, stride=2, padding=1), (1, 8, 8))
    assert layer.out_shape == (2, 4, 4)
    for h, w in [(8, 8), (11, 13), (3, 3), (16, 5)]:
        x = np.random.default_rng(h * w).standard_normal((2, 1, h, w))
        out = layer.forward(x, True)
        assert out.shape == (2, 2, (h - 1) // 2 + 1, (w - 1) // 2 + 1)
        expect = naive_conv2d(x, layer.params["W"], layer.params["b"], 2, 1)
        np.testing.assert_allclose(out, expect, rtol=1e-12, atol=1e-12)
        assert layer.backward(np.ones_like(out)).shape == x.shape


def test_conv_rejects_bad_shapes_and_settings() -> None:
    with pytest.raises(ValueError):
        Conv2D(2, 3).build((1, 8))  # 1-D input
    with pytest.raises(ValueError):
        Conv1D(2, 3).build((1, 8, 8))
    with pytest.raises(ValueError):
        Conv2D(2, 5).build((1, 4, 8))  # smaller than the kernel
    assert Conv2D(2, 5, padding=1).build((1, 3, 8)) == (2, 1, 6)
    layer = make(Conv2D(2, 3), (3, 6, 6))
    with pytest.raises(ValueError):
        layer.forward(np.zeros((1, 2, 6, 6)), True)  # wrong channel count
    with pytest.raises(ValueError):
        layer.forward(np.zeros((1, 3, 2, 6)), True)  # too small
    for bad in [(0, 3, 1, 0), (2, 0, 1, 0), (2, 3, 0, 0), (2, 3, 1, -1)]:
        with pytest.raises(ValueError):
            Conv2D(*bad)
    assert out_length(16, 3, 1, 1) == 16 and out_length(7, 3, 2, 0) == 3


class Recording(Initializer):
    """Returns ones and records each call's (shape, fan_in, fan_out)."""

    calls: list = []  # noqa: RUF012

    def __call__(self, rng, shape, fan_in, fan_out):
        Recording.calls.append((shape, fan_in, fan_out))
        return np.ones(shape)


def test_conv_initialiser_fans_and_bias() -> None:
    Recording.calls.clear()
    layer = Conv2D(8, 3)
    bind_layer(layer, (2, 10, 10), np.random.default_rng(0), init=Recording(), bias_init=0.25)
    conv1 = Conv1D(5, 4)
    bind_layer(conv1, (6, 12), np.random.default_rng(0), init=Recording())
    assert Recording.calls == [((8, 2, 3, 3), 2 * 9, 8 * 9), ((5, 6, 4), 6 * 4, 5 * 4)]
    np.testing.assert_array_equal(layer.params["W"], 1.0)
    np.testing.assert_array_equal(layer.params["b"], 0.25)


def test_conv_xavier_weights_within_bound() -> None:
    layer = make(Conv2D(4, 3), (3, 6, 6))
    bound = np.sqrt(6.0 / (3 * 9 + 4 * 9))
    assert np.max(np.abs(layer.params["W"])) <= bound
    assert np.std(layer.params["W"]) > bound / 4  # drawn, not constant


def test_conv_param_specs_and_counts() -> None:
    layer = make(Conv2D(8, 3, padding=1), (1, 16, 16))
    specs = [(s.name, s.shape, s.decay) for s in layer.param_specs()]
    assert specs == [("W", (8, 1, 3, 3), True), ("b", (8,), False)]
    assert layer.parameter_count() == 80
    assert layer.out_shape == (8, 16, 16)
    assert dense_equivalent_params(layer.in_shape, layer.out_shape) == 256 * 2048 + 2048
    conv1 = make(Conv1D(100, 3), (50, 20))
    assert [s.shape for s in conv1.param_specs()] == [(100, 50, 3), (100,)]
    assert conv1.parameter_count() == 15100
    assert dense_equivalent_params((50, 20), (100, 18)) == 1000 * 1800 + 1800


def test_conv_parameters_are_views_of_the_buffers() -> None:
    layer = Conv2D(2, 2)
    bufs = bind_layer(layer, (3, 4, 4), np.random.default_rng(0))
    layer.params["b"][...] = [7.0, 8.0]
    np.testing.assert_array_equal(bufs.params[-2:], [7.0, 8.0])
    layer.forward(np.ones((1, 3, 4, 4)), True)
    layer.backward(np.ones((1, 2, 3, 3)))
    np.testing.assert_array_equal(bufs.grads[:24], 9.0)  # every weight saw 9 ones
    np.testing.assert_array_equal(bufs.grads[24:], 9.0)


def test_conv_describe() -> None:
    assert Conv2D(8, 3, 2, 1).describe() == {
        "type": "conv2d", "filters": 8, "kernel": 3, "stride": 2, "padding": 1}
    assert Conv1D(4, 5).describe() == {
        "type": "conv1d", "filters": 4, "kernel": 5, "stride": 1, "padding": 0}


def test_conv_skips_input_grad_but_fills_params() -> None:
    layer = make(Conv2D(2, 3, padding=1), (1, 5, 5))
    x = np.random.default_rng(1).standard_normal((2, 1, 5, 5))
    layer.forward(x, True)
    g = np.random.default_rng(2).standard_normal((2, 2, 5, 5))
    dx = layer.backward(g)
    grads = layer.grads["W"].copy()
    layer.need_input_grad = False
    assert layer.backward(g) is None
    np.testing.assert_array_equal(layer.grads["W"], grads)
    np.testing.assert_allclose(layer.grads["b"], g.sum(axis=(0, 2, 3)))
    assert dx.shape == x.shape


def test_conv_float32_buffers() -> None:
    layer = Conv2D(3, 3, padding=1)
    layer.build((2, 6, 6))
    size = layer.parameter_count()
    params, grads = np.zeros(size, np.float32), np.zeros(size, np.float32)
    layer.bind(params, grads, np.zeros(0, np.float32))
    layer.init(np.random.default_rng(0), Initializer(), 0.1)
    x = np.random.default_rng(1).standard_normal((4, 2, 6, 6)).astype(np.float32)
    out = layer.forward(x, True)
    assert out.dtype == np.float32
    expect = naive_conv2d(x.astype(float), params[:-3].reshape(3, 2, 3, 3).astype(float),
                          params[-3:].astype(float), 1, 1)
    np.testing.assert_allclose(out, expect, rtol=1e-5, atol=1e-5)
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    np.testing.assert_allclose(grads[-3:], 4 * 36)


def test_conv_forget_drops_columns_keeps_output() -> None:
    layer = make(Conv2D(2, 3, padding=1), (1, 5, 5))
    x = np.random.default_rng(1).standard_normal((3, 1, 5, 5))
    out = layer.forward(x, True)
    dx_before = layer.backward(np.ones_like(out)).copy()
    assert layer._cols is not None
    layer.forget()
    assert layer._cols is None
    (bufs,) = layer._scratch.values()
    assert set(bufs) == {"xp", "z_all"}
    again = layer.forward(x, True)
    assert np.shares_memory(again, out)  # the output memory is reused
    dx = layer.backward(np.ones_like(again))
    expect = naive_conv2d(x, layer.params["W"], layer.params["b"], 1, 1)
    np.testing.assert_allclose(again, expect, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(dx, dx_before)


def test_conv_steps_reuse_memory_and_many_shapes_stay_correct() -> None:
    layer = make(Conv2D(3, 3, stride=2, padding=1), (2, 8, 8))
    shapes = [(4, 2, 8, 8), (2, 2, 9, 7), (4, 2, 8, 8), (1, 2, 3, 3), (3, 2, 5, 6),
              (2, 2, 10, 10), (4, 2, 8, 8)]
    first = None
    for i, shape in enumerate(shapes):
        x = np.random.default_rng(i).standard_normal(shape)
        out = layer.forward(x, True)
        expect = naive_conv2d(x, layer.params["W"], layer.params["b"], 2, 1)
        np.testing.assert_allclose(out, expect, rtol=1e-12, atol=1e-12)
        g = np.random.default_rng(i + 100).standard_normal(out.shape)
        layer.backward(g)
        np.testing.assert_allclose(layer.grads["b"], g.sum(axis=(0, 2, 3)))
        if i == 0:
            first = out
        if i == 2:
            assert np.shares_memory(out, first)
    for n in range(1, 2 * _MAX_SHAPES):  # more shapes than are kept: the oldest go
        layer.forward(np.ones((n, 2, 8, 8)), False)
    assert 1 <= len(layer._scratch) <= _MAX_SHAPES


def test_conv_wrong_gradient_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = make(Conv2D(2, 3, stride=2, padding=1), (2, 5, 5))
    x = np.random.default_rng(3).standard_normal((2, 2, 5, 5))
    right = Conv2D.backward

    def wrong_input(self, grad_out):
        return right(self, grad_out) * 1.01

    monkeypatch.setattr(Conv2D, "backward", wrong_input)
    errors = check_layer(layer, x)
    assert errors["input"] > 1e-3 and errors["W"] < TOL

    def wrong_weights(self, grad_out):
        dx = right(self, grad_out)
        self.grads["W"][0, 0, 0, 0] += 0.1
        return dx

    monkeypatch.setattr(Conv2D, "backward", wrong_weights)
    errors = check_layer(layer, x)
    assert errors["W"] > 1e-3 and errors["input"] < TOL


def test_conv2d_every_small_geometry_matches_the_reference_both_ways() -> None:
    """Kernels 1-4, strides 1-3, paddings 0-3 on small inputs: the row buffer and
    its column slots (rows sharing their padding at stride 1) give the naive
    convolution's output and dL/dx."""
    rng = np.random.default_rng(12)
    for k, s, p, h, w in itertools.product(range(1, 5), range(1, 4), range(4), range(1, 6),
                                           (1, 3, 5)):
        if h + 2 * p < k or w + 2 * p < k:
            continue
        layer = make(Conv2D(2, k, s, p), (1, h, w))
        x = rng.standard_normal((2, 1, h, w))
        out = layer.forward(x, True)
        np.testing.assert_allclose(out, naive_conv2d(x, layer.params["W"], layer.params["b"],
                                                     s, p), rtol=1e-12, atol=1e-12)
        g = rng.standard_normal(out.shape)
        xp = np.pad(np.zeros_like(x), ((0, 0), (0, 0), (p, p), (p, p)))
        for i, j in itertools.product(range(out.shape[2]), range(out.shape[3])):
            xp[:, :, i * s : i * s + k, j * s : j * s + k] += np.einsum(
                "nf,fckl->nckl", g[:, :, i, j], layer.params["W"])
        np.testing.assert_allclose(layer.backward(g), xp[:, :, p : p + h, p : p + w],
                                   rtol=1e-12, atol=1e-12, err_msg=f"{k=} {s=} {p=} {h=} {w=}")


@pytest.mark.parametrize(("layer_type", "shape", "stride"),
                         [(Conv2D, (3, 2, 6, 5), 1), (Conv2D, (3, 2, 7, 7), 2),
                          (Conv1D, (4, 3, 9), 1)])
def test_conv_keeps_samples_innermost_and_takes_either_order(layer_type, shape, stride) -> None:
    x = np.random.default_rng(5).standard_normal(shape)
    layer = make(layer_type(4, 3, stride=stride, padding=1), shape[1:])
    z = layer.forward(x, True)
    assert z.strides[0] == z.itemsize  # samples innermost in memory
    g = np.random.default_rng(6).standard_normal(z.shape)
    z_c, dx_c, dw_c = z.copy(), layer.backward(g).copy(), layer.grads["W"].copy()
    db_c = layer.grads["b"].copy()
    # the same numbers for an input and a gradient laid out as a convolution's output
    np.testing.assert_allclose(layer.forward(samples_inner(x), True), z_c, rtol=1e-12)
    np.testing.assert_allclose(layer.backward(samples_inner(g)), dx_c, rtol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], dw_c, rtol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], db_c, rtol=1e-12)
