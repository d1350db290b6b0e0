"""Batch normalisation (Ioffe and Szegedy, 2015), per unit.

Training: each unit j is normalised with the mean and variance of the mini-batch,
xhat = (x - mu_B) / sqrt(var_B + eps), then scaled and shifted by learnable
gamma_j and beta_j (so the layer can undo the normalisation if that helps, e.g.
move a sigmoid's input out of its nearly linear middle). Running averages
r <- (1 - m) r + m * batch_stat are kept for evaluation, where there is no batch.

Backward in training mode (the batch statistics depend on every row):
dxhat = g * gamma,
dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var_B + eps).
In evaluation mode the map is affine and dx = g * gamma / sqrt(r_var + eps).
"""

from __future__ import annotations

import numpy as np

from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec


class BatchNorm(Layer):
    """Attributes:
    momentum: weight m of the newest batch in the running averages.
    eps: added to the variance.
    """

    kind = "batchnorm"
    cached = ("_xhat", "_inv_std")

    def __init__(self, momentum: float = 0.1, eps: float = 1e-5) -> None:
        super().__init__()
        self.momentum, self.eps = float(momentum), float(eps)
        self._weights_of: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._grad_rows = self._running_rows = np.empty((2, 0))
        self._gamma = self._beta = np.empty(0)

    def param_specs(self) -> list[ParamSpec]:
        return [ParamSpec("gamma", self.in_shape), ParamSpec("beta", self.in_shape)]

    def state_specs(self) -> list[ParamSpec]:
        return [ParamSpec("running_mean", self.in_shape), ParamSpec("running_var", self.in_shape)]

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        self.params["gamma"][...] = 1.0
        self.params["beta"][...] = 0.0
        self.state["running_mean"][...] = 0.0
        self.state["running_var"][...] = 1.0

    def bind(self, params: np.ndarray, grads: np.ndarray, state: np.ndarray) -> None:
        """Also keeps two-row views of the flat slices, each (2, units): [gamma;
        beta], their gradients, and [running_mean; running_var] (updated with one
        call)."""
        super().bind(params, grads, state)
        self._gamma, self._beta = params.reshape(2, -1)
        self._grad_rows = grads.reshape(2, -1)
        self._running_rows = state.reshape(2, -1)

    def _weights(self, n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For a batch of n rows: (the averaging row (n,) of 1/n, the summing row
        (n,) of ones, the running averages' weights (2, 1): m for the mean and
        m n / (n - 1) for the variance, whose running value is the unbiased one)."""
        key = (n, dtype, self.momentum)
        weights = self._weights_of.get(key)
        if weights is None:
            m = self.momentum
            unbiased = n / (n - 1) if n > 1 else 1.0
            weights = (np.full(n, 1.0 / n, dtype), np.ones(n, dtype),
                       np.array([[m], [m * unbiased]], dtype))
            if len(self._weights_of) >= 4:  # the batch sizes of training and of a frame's passes
                self._weights_of.clear()
            self._weights_of[key] = weights
        return weights

    def forward(self, x, train):
        """x: (n, *in_shape) -> (n, *in_shape); every feature is a unit.

        A playground batch is a few rows of a few units, where the cost is the
        number of NumPy calls: the batch statistics are two dot products into one
        (2, units) array, which updates both running averages at once."""
        shape = x.shape
        flat = len(shape) == 2 and x.flags.c_contiguous  # a dense layer's output
        if not flat:
            x = np.ascontiguousarray(x.reshape(shape[0], -1))  # a conv's maps: one copy
        if train:
            mean_row, _, mix = self._weights(shape[0], x.dtype)
            stats = np.empty((2, x.shape[1]), x.dtype)  # [mean; biased variance]
            np.dot(mean_row, x, out=stats[0])
            xc = x - stats[0]
            np.dot(mean_row, xc * xc, out=stats[1])
            running = self._running_rows
            running *= 1.0 - self.momentum
            running += stats * mix
            var = stats[1]
        else:
            mean, var = self._running_rows
            xc = x - mean
        self._train = train
        self._inv_std = (var + self.eps) ** -0.5
        xc *= self._inv_std
        self._xhat = xc
        out = xc * self._gamma
        out += self._beta
        return out if flat else out.reshape(shape)

    def backward(self, grad_out):
        """grad_out: (n, *in_shape) -> (n, *in_shape). With k = gamma / std and the
        parameter gradients dgamma = sum(g xhat), dbeta = sum(g), training mode's
        dx = k (g - mean(g) - xhat mean(g xhat)) = g k - dbeta k / n - xhat dgamma k / n."""
        shape = grad_out.shape
        flat = len(shape) == 2 and grad_out.flags.c_contiguous
        g = grad_out if flat else np.ascontiguousarray(grad_out.reshape(shape[0], -1))
        _, sum_row, _ = self._weights(shape[0], g.dtype)
        rows = self._grad_rows
        if g.dtype == rows.dtype:  # straight into the gradient rows
            np.dot(sum_row, g * self._xhat, out=rows[0])
            np.dot(sum_row, g, out=rows[1])
        else:  # a gradient of another precision than the parameters: converted
            rows[0] = sum_row @ (g * self._xhat)
            rows[1] = sum_row @ g
        k = self._gamma * self._inv_std
        dx = g * k
        if self._train:
            means = rows * (k * (1.0 / shape[0]))  # [dgamma k / n; dbeta k / n]
            dx -= means[1]
            dx -= self._xhat * means[0]
        return dx if flat else dx.reshape(shape)

    def describe(self) -> dict:
        return {"type": self.kind, "momentum": self.momentum, "eps": self.eps}
