"""Activation functions, each a value paired with its derivative.

``value(z)`` gives a = f(z); ``derivative(z, a)`` gives f'(z), using whichever of z
or a is cheaper (the notes' identities: sigmoid' = a(1 - a), tanh' = 1 - a^2,
ReLU' is 1 for z > 0 and 0 otherwise). ``grad(g, z, a)`` is g * f'(z), the step of
the chain rule an activation layer takes in backward, written with as few NumPy
calls as possible because playground steps are call-bound.

``inactive_tol`` says when a unit counts as not passing gradient on an input:
|f'(z)| <= inactive_tol. It is 0 for the ReLU family (a ReLU is inactive exactly
where z <= 0; a leaky one never is) and the saturation threshold for the squashing
functions. Telemetry uses it for the dead and saturated unit counts.

PReLU (a learned slope) and RReLU (a random slope while training) carry a
parameter or noise, so they are layers (``engine.layers.activation``); the
functions here with a fixed slope also serve as their evaluation-time form.
"""

from __future__ import annotations

import functools

import numpy as np

from engine.zeros import zeros_like

SATURATION_TOL = 0.01
"""|f'(z)| at or below this counts as saturated for sigmoid, tanh, ELU, softplus."""


LARGE = 4096
"""Arrays at least this large (display grids, whole data sets, image batches) take
the faster routes below: the exp route for float32 tanh, a zero array for ReLU
(:meth:`Activation.value_large`). Smaller ones are call-bound: fewest calls wins."""


TANH_EXP_ROUTE = {np.dtype(np.float32): LARGE, np.dtype(np.float64): 1024}
"""Sizes from which :func:`tanh` goes through e^(-2z): where NumPy's own tanh is
not vectorised (float64 on AVX2 machines: 90 x 32 values in 23 us against 39 us)
or slower than exp for large float32 arrays."""


_SMALLEST_EXP_ROUTE = min(TANH_EXP_ROUTE.values())


def _exp_route(z: np.ndarray, size: int) -> bool:
    # the size test first: a playground batch pays for no dictionary lookup
    return size >= _SMALLEST_EXP_ROUTE and size >= TANH_EXP_ROUTE.get(z.dtype, size + 1)


def tanh(z: np.ndarray, size: int | None = None) -> np.ndarray:
    """tanh(z); large arrays via 2 / (1 + e^(-2z)) - 1, about twice as fast as
    np.tanh where NumPy has no vectorised tanh, with an absolute error below 1e-6
    in float32 (enough for maps quantised to 8 bits) and 4e-16 in float64.
    Saturates to exactly +-1 without overflow warnings.

    ``size`` (default z.size) picks the route: a cohort's stacked array
    (:mod:`engine.cohort`) passes one run's size, so that each run's values are
    computed the same way as when it trains alone."""
    if not _exp_route(z, z.size if size is None else size):
        return np.tanh(z)
    t = np.multiply(z, -2.0)
    _tanh_from_minus_2z(t)
    return t


def tanh_into(z: np.ndarray, size: int | None = None) -> None:
    """z = tanh(z) in place, the same way as :func:`tanh` (``size`` as there)."""
    if not _exp_route(z, z.size if size is None else size):
        np.tanh(z, out=z)
        return
    z *= -2.0
    _tanh_from_minus_2z(z)


def _tanh_from_minus_2z(t: np.ndarray) -> None:
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1.0
    np.divide(2.0, t, out=t)
    t -= 1.0


class Activation:
    """Base: the identity (linear output)."""

    name = "linear"
    inactive_tol = -1.0  # never inactive

    def value(self, z: np.ndarray) -> np.ndarray:
        """z: any shape -> a, same shape."""
        return z

    def value_large(self, z: np.ndarray) -> np.ndarray:
        """:meth:`value` for arrays of at least ``LARGE`` values, where another
        route may be faster (the same numbers)."""
        return self.value(z)

    def value_as(self, z: np.ndarray, size: int) -> np.ndarray:
        """:meth:`value` with the route an array of ``size`` values takes: a
        cohort's stacked z (:mod:`engine.cohort`) passes one run's size, so each
        run's values are computed exactly as when it trains alone. Functions whose
        route depends on the size take it as ``value(z, size)``, and this is
        their ``value`` itself: a run alone makes no extra call."""
        return self.value(z)

    def value_into(self, z: np.ndarray, size: int | None = None) -> None:
        """z = f(z) in place (display passes, which keep no z); ``size`` as in
        :meth:`value_as` (default z.size)."""
        a = self.value(z) if size is None else self.value_as(z, size)
        if a is not z:
            z[...] = a

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z), same shape as z."""
        return np.ones_like(z)

    def grad(self, g: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """g * f'(z): the gradient at the activation's input."""
        return g

    def grad_as(self, g: np.ndarray, z: np.ndarray, a: np.ndarray, size: int) -> np.ndarray:
        """:meth:`grad` with the route an array of ``size`` values takes (see
        :meth:`value_as`; a size-routed ``grad`` is this itself)."""
        return self.grad(g, z, a)

    def describe(self) -> dict:
        return {"name": self.name}


EXP_ROUTE = 512
"""Arrays at least this large (a pass over a data set, not a playground batch)
compute the sigmoid as 1 / (1 + e^-z): NumPy's exp is vectorised where its tanh
often is not (float64 on AVX2: 150 x 8 values in 10 us against 20 us)."""


class Sigmoid(Activation):
    """sigmoid(z) = 1 / (1 + e^-z); sigmoid' = a (1 - a).

    Small arrays take (1 + tanh(z / 2)) / 2, which never overflows and needs no
    error-state switch (fewest calls); large ones 1 / (1 + e^-z), where e^-z
    overflowing to inf gives exactly 0."""

    name = "sigmoid"
    inactive_tol = SATURATION_TOL

    def value(self, z, size=None):
        if (z.size if size is None else size) >= EXP_ROUTE:
            a = np.negative(z)
            with np.errstate(over="ignore"):
                np.exp(a, out=a)
            a += 1.0
            np.divide(1.0, a, out=a)  # the same as np.reciprocal, and faster
            return a
        a = tanh(z * 0.5, size)
        a += 1.0
        a *= 0.5
        return a

    value_as = value

    def value_into(self, z, size=None):
        if (z.size if size is None else size) >= EXP_ROUTE:  # display grids
            np.negative(z, out=z)
            with np.errstate(over="ignore"):
                np.exp(z, out=z)
            z += 1.0
            np.divide(1.0, z, out=z)
            return
        z *= 0.5
        tanh_into(z, size)
        z += 1.0
        z *= 0.5

    def derivative(self, z, a):
        return a * (1.0 - a)

    def grad(self, g, z, a):
        return g * (a - a * a)


class Tanh(Activation):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z) = 2 sigmoid(2z) - 1; tanh' = 1 - a^2."""

    name = "tanh"
    inactive_tol = SATURATION_TOL

    def value(self, z, size=None):
        return tanh(z, size)

    value_as = value

    def value_into(self, z, size=None):
        tanh_into(z, size)

    def derivative(self, z, a):
        return 1.0 - a * a

    def grad(self, g, z, a):
        return g - g * a * a


class ReLU(Activation):
    """max(0, z); ReLU' = 1 for z > 0, else 0 (0 at the kink, by convention)."""

    name = "relu"
    inactive_tol = 0.0

    # max(0, z) as a C-level callable: no Python frame on the hot path of small
    # (call-bound) batches. A partial is not a descriptor, so fn.value(z) calls it as is.
    value = staticmethod(functools.partial(np.maximum, 0.0))

    def value_large(self, z):
        # against a zero array, which NumPy's vectorised loop serves (engine.zeros);
        # with the scalar it takes a loop about 3x slower
        return np.maximum(z, zeros_like(z))

    def value_into(self, z, size=None):
        large = (z.size if size is None else size) >= LARGE
        np.maximum(z, zeros_like(z) if large else 0.0, out=z)

    def derivative(self, z, a):
        return (z > 0).astype(z.dtype)

    def grad(self, g, z, a, size=None):
        # a = max(z, 0): sign(a) is 1 where z > 0, else 0. On large arrays the
        # comparison is cheaper; on small ones multiplying by a bool array costs
        # NumPy a buffered cast, more than the sign.
        if (a.size if size is None else size) < LARGE:
            return g * np.sign(a)
        return g * (a > 0)

    grad_as = grad


class LeakyReLU(Activation):
    """z for z > 0, slope * z otherwise; derivative 1 or slope."""

    name = "leaky_relu"
    inactive_tol = 0.0

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = float(slope)

    def value(self, z):
        return np.where(z > 0, z, z * self.slope)

    def value_into(self, z, size=None):
        np.maximum(z, z * self.slope, out=z)  # the slope is in [0, 1]

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.slope).astype(z.dtype)

    def grad(self, g, z, a):
        return np.where(z > 0, g, g * self.slope)

    def describe(self) -> dict:
        return {"name": self.name, "slope": self.slope}


class ELU(Activation):
    """z for z > 0, alpha (e^z - 1) otherwise; derivative 1 or a + alpha."""

    name = "elu"
    inactive_tol = SATURATION_TOL

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def value(self, z):
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, a + self.alpha).astype(z.dtype)

    def grad(self, g, z, a):
        return np.where(z > 0, g, g * (a + self.alpha))

    def describe(self) -> dict:
        return {"name": self.name, "alpha": self.alpha}


class Softplus(Activation):
    """log(1 + e^z), a smooth ReLU, computed stably; softplus' = sigmoid(z)."""

    name = "softplus"
    inactive_tol = SATURATION_TOL

    def value(self, z):
        return np.logaddexp(0.0, z)

    def derivative(self, z, a):
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    def grad(self, g, z, a):
        return g * self.derivative(z, a)


FUNCTIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Activation, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus)
}
"""Fixed activation functions by name. ``prelu`` and ``rrelu`` are layers."""
