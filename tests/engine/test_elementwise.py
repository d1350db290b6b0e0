"""Tests for engine.elementwise: a function over a strided view run over its buffer
gives fn(view) exactly, and plain arrays take the plain route."""

from __future__ import annotations

import numpy as np

from engine.activations import ReLU, Sigmoid
from engine.elementwise import over_buffer
from engine.gradcheck import bind_layer
from engine.layers import Conv2D


def conv_output() -> np.ndarray:
    layer = Conv2D(3, 3, padding=1)
    bind_layer(layer, (2, 6, 5), np.random.default_rng(0))
    return layer.forward(np.random.default_rng(1).standard_normal((4, 2, 6, 5)), True)


def test_conv_output_is_computed_over_its_buffer_and_equals_the_plain_route() -> None:
    z = conv_output()
    assert not z.flags.c_contiguous and z.base is not None  # a view with dropped slots
    for fn in (ReLU().value, Sigmoid().value):
        a = over_buffer(fn, z)
        assert a.shape == z.shape and a.strides == z.strides  # the buffer's result
        assert not np.shares_memory(a, z)
        np.testing.assert_array_equal(a, fn(np.ascontiguousarray(z)))


def test_plain_and_far_larger_buffers_take_the_plain_route() -> None:
    x = np.random.default_rng(2).standard_normal((10, 8))
    calls: list[tuple[int, ...]] = []

    def relu(v: np.ndarray) -> np.ndarray:
        calls.append(v.shape)
        return np.maximum(v, 0.0)

    over_buffer(relu, x)  # contiguous: as it is
    over_buffer(relu, x[:, :2])  # a view of a buffer four times its size: as it is
    t = over_buffer(relu, x.T)  # a transposed view: over its buffer
    v = over_buffer(relu, x[:, :7])  # most of its buffer: over the buffer
    assert calls == [(10, 8), (10, 2), (10, 8), (10, 8)]
    np.testing.assert_array_equal(t, np.maximum(x.T, 0.0))
    np.testing.assert_array_equal(v, np.maximum(x[:, :7], 0.0))
