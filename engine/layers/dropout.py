"""Dropout: switch each unit off with probability p while training.

Two modes, as the notes describe:

* ``inverted`` (the modern one): while training, y = x * m / (1 - p) with the keep
  mask m ~ Bernoulli(1 - p); at evaluation y = x, so inference costs nothing extra;
* ``classic`` (the book's): while training y = x * m; at evaluation y = (1 - p) x.

Either way the expected activation is the same in training and evaluation. Seen as
an ensemble, n droppable units make 2^n thinned networks sharing weights.
"""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer

MODES = ("inverted", "classic")


def scale_of(mask: np.ndarray, keep_scale: float, dtype: np.dtype) -> np.ndarray:
    """The factor a training forward applies, mask * keep_scale, in the
    activations' dtype (a float32 net stays float32)."""
    return np.multiply(mask, keep_scale, dtype=dtype)


class Dropout(Layer):
    """Attributes:
    p: drop probability in [0, 1).
    mode: ``"inverted"`` or ``"classic"``.
    mask: keep mask of the last training forward, bool (n, *shape), or None.
    fixed_mask: when set, used instead of a random draw (for gradient checks).
    """

    kind = "dropout"

    def __init__(self, p: float = 0.5, mode: str = "inverted") -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError("dropout rate must be in [0, 1)")
        if mode not in MODES:
            raise ValueError(f"dropout mode must be one of {MODES}")
        self.p, self.mode = float(p), mode
        self.mask: np.ndarray | None = None
        self.fixed_mask: np.ndarray | None = None
        self._scale: np.ndarray | float = 1.0

    def forward(self, x, train):
        if train:
            if self.fixed_mask is not None:
                self.mask = self.fixed_mask
            else:
                self.mask = self.rng.random(x.shape) >= self.p
            keep_scale = 1.0 / (1.0 - self.p) if self.mode == "inverted" else 1.0
            self._scale = scale_of(self.mask, keep_scale, x.dtype)
            return x * self._scale
        self._scale = 1.0 if self.mode == "inverted" else 1.0 - self.p
        return x * self._scale if self.mode == "classic" else x

    def backward(self, grad_out):
        """dL/dx = dL/dy * (the same scale the forward applied)."""
        return grad_out * self._scale

    def describe(self) -> dict:
        return {"type": self.kind, "p": self.p, "mode": self.mode}
