"""Batch normalisation (Ioffe and Szegedy, 2015): per unit, or per channel after
a convolution.

Training: each unit j is normalised with the mean and variance of the mini-batch,
xhat = (x - mu_B) / sqrt(var_B + eps), then scaled and shifted by learnable
gamma_j and beta_j (so the layer can undo the normalisation if that helps, e.g.
move a sigmoid's input out of its nearly linear middle). Running averages
r <- (1 - m) r + m * batch_stat are kept for evaluation, where there is no batch.

What a unit is depends on the input, as the notes say (the number of gammas is
the number of neurons of a dense layer, or of kernels of a convolution):

* flat input (n, units), after a dense layer: every feature is a unit, with its
  statistics over the n samples;
* feature maps (n, C, *positions), after a convolution: every channel (kernel)
  is a unit, with one mean, variance, gamma and beta taken over the samples and
  all positions together, m = n * positions values. A channel shares its
  statistics over positions just as its kernel shares its weights, so the layer
  keeps translation equivariance and takes maps of any size.

Backward in training mode (the batch statistics depend on every value of the
unit), with m values per unit: dxhat = g * gamma,
dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var_B + eps),
the means over the unit's m values. In evaluation mode the map is affine and
dx = g * gamma / sqrt(r_var + eps).
"""

from __future__ import annotations

import numpy as np

from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec, Shape


class BatchNorm(Layer):
    """Attributes:
    momentum: weight m of the newest batch in the running averages.
    eps: added to the variance.
    units: gammas (and betas, running means and variances): the input's width
        (flat input) or its channels (feature maps).
    per_channel: whether the input is feature maps (n, C, *positions).
    """

    kind = "batchnorm"
    cached = ("_xhat", "_inv_std")

    def __init__(self, momentum: float = 0.1, eps: float = 1e-5) -> None:
        super().__init__()
        self.momentum, self.eps = float(momentum), float(eps)
        self.units, self.per_channel = 0, False
        self._weights_of: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._grad_rows = self._running_rows = np.empty((2, 0))
        self._gamma = self._beta = np.empty(0)

    def build(self, in_shape: Shape) -> Shape:
        """One unit per feature of a flat input, per channel of feature maps."""
        super().build(in_shape)
        if not self.in_shape:
            raise ValueError("batch norm needs inputs with at least one feature")
        self.per_channel = len(self.in_shape) > 1
        self.units = self.in_shape[0]
        return self.out_shape

    def param_specs(self) -> list[ParamSpec]:
        return [ParamSpec("gamma", (self.units,)), ParamSpec("beta", (self.units,))]

    def state_specs(self) -> list[ParamSpec]:
        return [ParamSpec("running_mean", (self.units,)),
                ParamSpec("running_var", (self.units,))]

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

    def _weights(self, m: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For m values per unit: (the averaging row (m,) of 1/m, the summing row
        (m,) of ones, the running averages' weights (2, 1): momentum for the mean
        and momentum m / (m - 1) for the variance, whose running value is the
        unbiased one)."""
        key = (m, dtype, self.momentum)
        weights = self._weights_of.get(key)
        if weights is None:
            mom = self.momentum
            unbiased = m / (m - 1) if m > 1 else 1.0
            weights = (np.full(m, 1.0 / m, dtype), np.ones(m, dtype),
                       np.array([[mom], [mom * unbiased]], dtype))
            if len(self._weights_of) >= 4:  # the batch sizes of training and of a frame's passes
                self._weights_of.clear()
            self._weights_of[key] = weights
        return weights

    def forward(self, x, train):
        """x: (n, units) -> (n, units), or feature maps (n, C, *positions) -> the
        same shape.

        A playground batch is a few rows of a few units, where the cost is the
        number of NumPy calls: the batch statistics are two dot products into one
        (2, units) array, which updates both running averages at once. Feature
        maps take the same steps with one unit per channel over its m = n *
        positions values: on a transposed view (m, C) of channel-major rows (C, m),
        laid out (C, *positions, n) like a convolution's output (a view of it where
        its memory allows, else one copy); the result is a view of such rows, so
        the samples stay innermost for the next layer."""
        if x.ndim > 2:
            if x.shape[1] != self.units:
                raise ValueError(f"batch norm built for {self.units} channels, got input "
                                 f"of shape {x.shape}")
            return _from_channel_rows(self._normalise(_channel_rows(x).T, train).T, x.shape)
        return self._normalise(x if x.flags.c_contiguous else np.ascontiguousarray(x), train)

    def _normalise(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: (m, units), m values of each unit -> (m, units), in x's memory order."""
        if train:
            mean_row, _, mix = self._weights(x.shape[0], x.dtype)
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
        return out

    def backward(self, grad_out):
        """grad_out: (n, units) or (n, C, *positions) -> the same shape. With
        k = gamma / std and the parameter gradients dgamma = sum(g xhat),
        dbeta = sum(g) over a unit's m values, training mode's
        dx = k (g - mean(g) - xhat mean(g xhat)) = g k - dbeta k / m - xhat dgamma k / m.
        Feature maps go as in :meth:`forward`, on the (m, C) view of their rows."""
        if grad_out.ndim > 2:
            dx = self._backward_rows(_channel_rows(grad_out).T)
            return _from_channel_rows(dx.T, grad_out.shape)
        flat = grad_out.flags.c_contiguous
        return self._backward_rows(grad_out if flat else np.ascontiguousarray(grad_out))

    def _backward_rows(self, g: np.ndarray) -> np.ndarray:
        """g: (m, units) -> dx (m, units), for the last :meth:`_normalise`."""
        _, sum_row, _ = self._weights(g.shape[0], g.dtype)
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
            means = rows * (k * (1.0 / g.shape[0]))  # [dgamma k / m; dbeta k / m]
            dx -= means[1]
            dx -= self._xhat * means[0]
        return dx

    def describe(self) -> dict:
        return {"type": self.kind, "momentum": self.momentum, "eps": self.eps}


def _channel_rows(x: np.ndarray) -> np.ndarray:
    """Feature maps (n, C, *positions) as channel-major rows (C, m), m = n *
    positions, in the order (C, *positions, n): a view when x is laid out so (a
    convolution's output after an element-wise layer), else a copy. Callers never
    write into the result."""
    return x.transpose(1, *range(2, x.ndim), 0).reshape(x.shape[1], -1)


def _from_channel_rows(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Channel-major rows (C, m) back as (n, C, *positions), a view (samples
    innermost in memory)."""
    last = len(shape) - 1
    return rows.reshape(shape[1], *shape[2:], shape[0]).transpose(last, *range(last))
