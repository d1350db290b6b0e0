"""Activation layers: a fixed function, PReLU (learned slope) and RReLU (random slope).

The layer keeps its input z and output a from forward; backward multiplies the
incoming gradient by f'(z) (dL/dz = dL/da * f'(z)). Telemetry reads the kept z and
a to count dead and saturated units.
"""

from __future__ import annotations

import numpy as np

from engine.activations import LARGE, Activation, LeakyReLU
from engine.elementwise import over_buffer
from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec, Shape


class Act(Layer):
    """Applies a fixed activation function element-wise.

    Attributes:
        fn: the :class:`engine.activations.Activation`.
        z, a: input and output of the last forward, (n, *shape).
    """

    kind = "activation"
    cached = ("z",)

    def __init__(self, fn: Activation) -> None:
        super().__init__()
        self.fn = fn
        self._value, self._value_large, self._grad = fn.value, fn.value_large, fn.grad
        self.z: np.ndarray | None = None
        self.a: np.ndarray | None = None

    @property
    def inactive_tol(self) -> float:
        return self.fn.inactive_tol

    def forward(self, x, train):
        self.z = x
        if x.size < LARGE:  # a playground batch: call-bound, the fewest calls
            self.a = a = self._value(x)
        else:  # a conv's output is computed over its whole buffer
            self.a = a = over_buffer(self._value_large, x)
        return a

    def backward(self, grad_out):
        return self._grad(grad_out, self.z, self.a)

    def derivative(self) -> np.ndarray:
        """f'(z) for the last forward, (n, *shape)."""
        return self.fn.derivative(self.z, self.a)

    def describe(self) -> dict:
        return {"type": self.kind, **self.fn.describe()}


class PReLU(Layer):
    """Parametric ReLU: z for z > 0, alpha_j z otherwise, with one learned slope per
    unit j (He et al., 2015): per feature of a flat input (n, units), per channel
    of feature maps (n, C, *positions), shared by all positions of the channel as
    its kernel's weights are. dL/dalpha_j = sum over the unit's values z <= 0
    (samples and positions) of g * z.

    Attributes:
        units: slopes: the input's width (flat input) or its channels (maps).
    """

    kind = "prelu"
    cached = ("z", "_neg")
    inactive_tol = 0.0

    def __init__(self, init_slope: float = 0.25) -> None:
        super().__init__()
        self.init_slope = float(init_slope)
        self.units = 0
        self.z: np.ndarray | None = None
        self.a: np.ndarray | None = None
        self._alpha = np.empty(0)
        self._sum_axes: tuple[int, ...] = (0,)

    def build(self, in_shape: Shape) -> Shape:
        """One slope per feature of a flat input, per channel of feature maps."""
        super().build(in_shape)
        if not self.in_shape:
            raise ValueError("PReLU needs inputs with at least one feature")
        self.units = self.in_shape[0]
        self._sum_axes = (0, *range(2, len(self.in_shape) + 1))
        return self.out_shape

    def param_specs(self) -> list[ParamSpec]:
        return [ParamSpec("alpha", (self.units,))]

    def bind(self, params: np.ndarray, grads: np.ndarray, state: np.ndarray) -> None:
        """Also keeps the slopes shaped to broadcast over a sample: (units,) or
        (C, 1, ...) for maps."""
        super().bind(params, grads, state)
        self._alpha = params.reshape(self.units, *(1,) * (len(self.in_shape) - 1))

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        self.params["alpha"][...] = self.init_slope

    def forward(self, x, train):
        if x.ndim != len(self.in_shape) + 1 or x.shape[1] != self.units:
            raise ValueError(f"PReLU built for {self.units} units or channels, got input of "
                             f"shape {x.shape}")
        self.z = x
        self._neg = x <= 0
        self.a = np.where(self._neg, x * self._alpha, x)
        return self.a

    def backward(self, grad_out):
        gz = grad_out * self.z
        gz[~self._neg] = 0.0
        self.grads["alpha"][...] = gz.sum(axis=self._sum_axes)
        return np.where(self._neg, grad_out * self._alpha, grad_out)

    def derivative(self) -> np.ndarray:
        return np.where(self._neg, self._alpha, 1.0).astype(self.z.dtype)

    def describe(self) -> dict:
        return {"type": self.kind, "init_slope": self.init_slope}


class RReLU(Layer):
    """Randomised leaky ReLU (Xu et al., 2015): while training each element's negative
    slope is drawn from U(lower, upper); at evaluation the mean slope is used."""

    kind = "rrelu"
    cached = ("z", "_slope")
    inactive_tol = 0.0

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3) -> None:
        super().__init__()
        if not 0.0 <= lower <= upper:
            raise ValueError("rrelu needs 0 <= lower <= upper")
        self.lower, self.upper = float(lower), float(upper)
        self._eval = LeakyReLU((self.lower + self.upper) / 2)
        self.z: np.ndarray | None = None
        self.a: np.ndarray | None = None

    def forward(self, x, train):
        self.z = x
        if train:
            slope = self.rng.uniform(self.lower, self.upper, size=x.shape).astype(x.dtype)
            self._slope = np.where(x > 0, 1.0, slope).astype(x.dtype)
        else:
            self._slope = self._eval.derivative(x, x)
        self.a = x * self._slope
        return self.a

    def backward(self, grad_out):
        return grad_out * self._slope

    def derivative(self) -> np.ndarray:
        return self._slope

    def describe(self) -> dict:
        return {"type": self.kind, "lower": self.lower, "upper": self.upper}
