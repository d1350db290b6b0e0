"""Tests for engine.layers.pyramid: bin edges, gradient checks in both modes, values
by hand, the fixed output length for inputs of any size, shared pixels, and
winners after an evaluation forward equal to those of a training forward."""

from __future__ import annotations

import numpy as np
import pytest

from engine.gradcheck import check_layer
from engine.layers.pyramid import SpatialPyramidPool, pyramid_bins
from tests.engine.layers.test_pooling import TOL, distinct, make


def test_pyramid_bins_edges() -> None:
    assert pyramid_bins(8, 4) == [(0, 2), (2, 4), (4, 6), (6, 8)]
    assert pyramid_bins(5, 2) == [(0, 3), (2, 5)]
    assert pyramid_bins(11, 4) == [(0, 3), (2, 6), (5, 9), (8, 11)]
    assert pyramid_bins(13, 1) == [(0, 13)]


def reference_spp(x: np.ndarray, levels: tuple[int, ...], mode: str) -> np.ndarray:
    n, _, h, w = x.shape
    reduce = np.max if mode == "max" else np.mean
    cells = [reduce(x[:, :, r0:r1, c0:c1], axis=(2, 3))
             for level in levels
             for r0, r1 in pyramid_bins(h, level) for c0, c1 in pyramid_bins(w, level)]
    return np.stack(cells, axis=2).reshape(n, -1)  # (n, C, B) channel-major


@pytest.mark.parametrize("mode", ["max", "mean"])
@pytest.mark.parametrize(("levels", "shape"),
                         [((1, 2, 4), (2, 5, 7)), ((1, 2, 3), (1, 9, 6)), ((2,), (2, 3, 3))])
def test_spp_gradient_check(mode, levels, shape) -> None:
    layer = make(SpatialPyramidPool(levels, mode), shape)
    errors = check_layer(layer, distinct((2, *shape), seed=shape[1]))
    assert errors["input"] < TOL, errors


@pytest.mark.parametrize("mode", ["max", "mean"])
def test_spp_same_length_for_any_size(mode) -> None:
    layer = make(SpatialPyramidPool((1, 2, 4), mode), (3, 8, 8))
    assert layer.out_shape == (3 * 21,)
    for h, w in [(8, 8), (11, 13), (16, 16)]:
        x = distinct((2, 3, h, w), seed=h)
        out = layer.forward(x, True)
        assert out.shape == (2, 63)
        np.testing.assert_allclose(out, reference_spp(x, (1, 2, 4), mode), rtol=1e-12, atol=1e-12)
        assert layer.backward(np.ones_like(out)).shape == x.shape


def test_spp_by_hand() -> None:
    x = np.array([[[[1.0, 2.0, 5.0, 0.0],
                    [3.0, 4.0, 1.0, 1.0],
                    [0.0, 8.0, 2.0, 2.0],
                    [6.0, 0.0, 2.0, 6.0]]]])
    peak = make(SpatialPyramidPool((1, 2), "max"), (1, 4, 4))
    np.testing.assert_array_equal(peak.forward(x, True), [[8.0, 4.0, 5.0, 8.0, 6.0]])
    avg = make(SpatialPyramidPool((1, 2), "mean"), (1, 4, 4))
    np.testing.assert_array_equal(avg.forward(x, True), [[2.6875, 2.5, 1.75, 3.5, 3.0]])
    dx = avg.backward(np.array([[16.0, 4.0, 0.0, 0.0, 0.0]]))
    np.testing.assert_array_equal(dx[0, 0, :2, :2], 2.0)
    np.testing.assert_array_equal(dx[0, 0, 2:, :], 1.0)


def test_spp_shared_pixel_collects_every_cell() -> None:
    # on 3x3, level 2 has cells rows/cols 0..2 and 1..3: the centre is in all four
    layer = make(SpatialPyramidPool((1, 2), "max"), (1, 3, 3))
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0
    np.testing.assert_array_equal(layer.forward(x, True), [[1.0] * 5])
    dx = layer.backward(np.array([[1.0, 2.0, 3.0, 4.0, 5.0]]))
    expect = np.zeros((1, 1, 3, 3))
    expect[0, 0, 1, 1] = 15.0
    np.testing.assert_array_equal(dx, expect)


def test_spp_channel_major_order_and_errors() -> None:
    layer = make(SpatialPyramidPool((1, 2)), (2, 4, 4))
    x = np.zeros((1, 2, 4, 4))
    x[0, 1] = 1.0  # channel 1 is all ones
    np.testing.assert_array_equal(layer.forward(x, True), [[0.0] * 5 + [1.0] * 5])
    assert layer.describe() == {"type": "spp", "levels": [1, 2], "mode": "max"}
    with pytest.raises(ValueError):
        layer.forward(np.zeros((1, 2, 1, 4)), True)
    with pytest.raises(ValueError):
        SpatialPyramidPool((1, 4)).build((1, 3, 8))
    with pytest.raises(ValueError):
        SpatialPyramidPool((1, 2), "median")


@pytest.mark.parametrize("levels", [(1, 2, 4), (3,), (1, 2)])
@pytest.mark.parametrize("size", [(7, 9), (8, 12)])
def test_spp_max_backward_after_evaluation_forward(levels, size) -> None:
    """Winners found after an evaluation forward (lazily) are those a training
    forward records, ties included: the gradients are equal. (On 8 x 12 the
    levels 1, 2 and 4 have equal cells, read as views; 3 and the 7 x 9 ones not.)"""
    h, w = size
    rng = np.random.default_rng(8)
    x = np.maximum(rng.standard_normal((3, 2, h, w)), 0.0)  # ReLU zeros: many ties
    g = rng.standard_normal((3, 2 * sum(level * level for level in levels)))
    layer = SpatialPyramidPool(levels, "max")
    layer.build((2, h, w))
    out_train = layer.forward(x, True).copy()
    dx_train = layer.backward(g).copy()
    out_eval = layer.forward(x, False)
    np.testing.assert_array_equal(out_eval, out_train)
    np.testing.assert_array_equal(layer.backward(g), dx_train)
    # each cell's gradient reaches exactly one pixel: the first maximum, row-major
    first = np.zeros_like(x)
    for k, (r0, r1, c0, c1) in enumerate(
            (r0, r1, c0, c1) for level in levels
            for r0, r1 in pyramid_bins(h, level) for c0, c1 in pyramid_bins(w, level)):
        for s in range(3):
            for ch in range(2):
                cell = x[s, ch, r0:r1, c0:c1]
                i, j = np.unravel_index(np.argmax(cell), cell.shape)
                first[s, ch, r0 + i, c0 + j] += g[s, ch * layer.bins + k]
    np.testing.assert_allclose(dx_train, first, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("size", [(8, 8), (7, 9)])
def test_spp_max_with_nan_routes_inside_the_input(size) -> None:
    # a diverged net's NaN: the maximum is NaN, no pixel equals it; the gradient
    # still goes to pixels of x (none is lost or out of range)
    x = np.random.default_rng(2).standard_normal((2, 3, *size))
    x[1, 2, 3, 4] = np.nan
    layer = make(SpatialPyramidPool((1, 2, 4), "max"), (3, *size))
    out = layer.forward(x, True)
    assert np.isnan(out[1, 2 * layer.bins]) and np.isfinite(out[0]).all()
    g = np.ones_like(out)
    dx = layer.backward(g)
    assert dx.shape == x.shape and np.isfinite(dx).all()
    assert dx.sum() == pytest.approx(g.sum())
