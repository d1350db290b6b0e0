"""Shape layers: reshape between feature maps and flat feature vectors.

:class:`Flatten` turns (n, *shape) — e.g. conv feature maps (n, C, H, W) — into
(n, prod(shape)) so a dense layer can follow; backward reshapes the gradient back.
No values change, so the gradient passes through unchanged.
"""

from __future__ import annotations

import math

import numpy as np

from engine.layers.base import Layer, Shape


class Flatten(Layer):
    """(n, *shape) -> (n, prod(shape)), row-major (channels first, then rows...)."""

    kind = "flatten"

    def __init__(self) -> None:
        super().__init__()
        self._x_shape: Shape = ()

    def build(self, in_shape: Shape) -> Shape:
        self.in_shape = tuple(in_shape)
        self.out_shape = (math.prod(self.in_shape),)
        return self.out_shape

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """Any per-sample shape is accepted; backward restores the last one seen."""
        self._x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out.reshape(self._x_shape)
