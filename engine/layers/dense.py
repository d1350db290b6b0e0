"""Fully connected layer: z = x W + b.

W has shape (n_in, n_out) and b shape (n_out,). The network lays b out right after
W in the flat buffer, so together they form one (n_in + 1, n_out) block ``Wb``.
The layer appends a column of ones to its input and does forward (one matmul for
weights and bias) and the parameter gradient (one matmul for dW and db) in a
single call each, which matters when a step is call-bound.
"""

from __future__ import annotations

import numpy as np

from engine.errors import SpecError
from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec, Shape

_CACHE_ROWS = 2048
"""Batches up to this many rows go through a cached augmented-input buffer."""


def add_rowwise(z: np.ndarray, b: np.ndarray, rows: int = 64) -> None:
    """z += b for a tall C-contiguous z (n, k) and b (k,).

    Broadcasting b over a narrow z runs NumPy's inner loop k elements at a time;
    viewing blocks of ``rows`` rows as one wide row and adding b tiled ``rows`` times
    makes the inner loop rows * k long, several times faster on evaluation grids.
    """
    n, k = z.shape
    m = n - n % rows
    if m:
        wide = z[:m].reshape(-1, rows * k)
        np.add(wide, np.tile(b, rows), out=wide)
    if m < n:
        z[m:] += b


class Dense(Layer):
    """Affine map from ``n_in`` to ``units`` features.

    Attributes:
        units: output width.
        grad_input: gradient reaching the layer's input at the last backward,
            (n, n_in); telemetry reads its norm (None when skipped).
        need_input_grad: the first layer of a network skips dx during training.
    """

    kind = "dense"
    cached = ("_x", "grad_input")

    def __init__(self, units: int) -> None:
        super().__init__()
        self.units = int(units)
        self.need_input_grad = True
        self.grad_input: np.ndarray | None = None
        # n -> ([x | 1], its transpose, its x part): views made once per batch size
        self._aug: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._xa: np.ndarray | None = None
        self._x: np.ndarray | None = None

    def build(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 1:
            raise SpecError.coded("", "dense_not_flat", shape=str(in_shape))
        self.in_shape = tuple(in_shape)
        self.out_shape = (self.units,)
        return self.out_shape

    def param_specs(self) -> list[ParamSpec]:
        n_in = self.in_shape[0]
        return [ParamSpec("W", (n_in, self.units), decay=True), ParamSpec("b", (self.units,))]

    def bind(self, params: np.ndarray, grads: np.ndarray, state: np.ndarray) -> None:
        super().bind(params, grads, state)
        block = (self.in_shape[0] + 1, self.units)
        self._Wb = params.reshape(block)
        self._dWb = grads.reshape(block)
        self._WT = self.params["W"].T
        self._aug = {}

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        n_in = self.in_shape[0]
        self.params["W"][...] = init(rng, (n_in, self.units), n_in, self.units)
        self.params["b"][...] = bias_init

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: (n, n_in) -> z: (n, units).

        Small batches go through a cached [x | 1] buffer (one matmul for W and b);
        large ones (evaluation grids) skip the copy: z = x W, then z += b.
        """
        cached = self._aug.get(x.shape[0])
        if cached is None:
            n = x.shape[0]
            if n > _CACHE_ROWS:
                self._x, self._xa = x, None
                z = x.dot(self.params["W"])
                add_rowwise(z, self.params["b"])
                return z
            xa = np.ones((n, self.in_shape[0] + 1), dtype=self._Wb.dtype)
            cached = self._aug[n] = (xa, xa.T, xa[:, :-1])
        xa, self._xaT, inputs = cached
        inputs[...] = x
        self._xa = xa
        return xa.dot(self._Wb)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """grad_out dL/dz: (n, units). dL/dW = x^T g and dL/db = sum_n g (one matmul
        [x | 1]^T g for small batches); returns dL/dx = g W^T, (n, n_in)."""
        if self._xa is not None:
            self._xaT.dot(grad_out, out=self._dWb)
        else:
            self._x.T.dot(grad_out, out=self.grads["W"])
            grad_out.sum(axis=0, out=self.grads["b"])
        if not self.need_input_grad:
            self.grad_input = None
            return None
        self.grad_input = grad_out.dot(self._WT)
        return self.grad_input

    def describe(self) -> dict:
        return {"type": self.kind, "units": self.units}
