"""Weight initialisers.

An initialiser draws a weight array from a seeded generator, given the layer's
fan-in and fan-out (for a dense layer ``W`` of shape (fan_in, fan_out)):

* ``zeros`` and ``constant``: every weight equal, which the symmetric-init lesson
  shows to be a trap (all units of a layer stay identical forever);
* ``uniform`` U(-scale, scale) and ``normal`` N(0, scale^2);
* ``xavier_uniform`` U(-a, a) with a = sqrt(6 / (fan_in + fan_out)) and
  ``xavier_normal`` N(0, 2 / (fan_in + fan_out)) (Glorot and Bengio, 2010), which
  keep the variance of activations and gradients steady for tanh/sigmoid;
* ``he_uniform`` U(-a, a) with a = sqrt(6 / fan_in) and ``he_normal``
  N(0, 2 / fan_in) (He et al., 2015), which do the same for ReLU.

Biases are not drawn: they start at one constant (0 unless a spec says otherwise;
the dead-ReLU lesson starts them negative).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Initializer:
    """A named weight initialiser.

    Attributes:
        name: registry name.
        scale: spread for ``uniform``/``normal``, the value for ``constant``, and a
            multiplier on the computed spread for the Xavier/He families.
    """

    name: str = "xavier_uniform"
    scale: float = 1.0

    def __call__(
        self, rng: np.random.Generator, shape: Shape, fan_in: int, fan_out: int
    ) -> np.ndarray:
        """Return a float64 array of ``shape`` drawn from ``rng``."""
        return INITIALIZERS[self.name](rng, shape, fan_in, fan_out, self.scale)


def _zeros(rng, shape, fan_in, fan_out, scale):
    return np.zeros(shape)


def _constant(rng, shape, fan_in, fan_out, scale):
    return np.full(shape, float(scale))


def _uniform(rng, shape, fan_in, fan_out, scale):
    return rng.uniform(-scale, scale, size=shape)


def _normal(rng, shape, fan_in, fan_out, scale):
    return rng.normal(0.0, scale, size=shape)


def _xavier_uniform(rng, shape, fan_in, fan_out, scale):
    a = scale * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=shape)


def _xavier_normal(rng, shape, fan_in, fan_out, scale):
    return rng.normal(0.0, scale * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def _he_uniform(rng, shape, fan_in, fan_out, scale):
    a = scale * math.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=shape)


def _he_normal(rng, shape, fan_in, fan_out, scale):
    return rng.normal(0.0, scale * math.sqrt(2.0 / fan_in), size=shape)


INITIALIZERS = {
    "zeros": _zeros,
    "constant": _constant,
    "uniform": _uniform,
    "normal": _normal,
    "xavier_uniform": _xavier_uniform,
    "xavier_normal": _xavier_normal,
    "he_uniform": _he_uniform,
    "he_normal": _he_normal,
}

DEFAULT_SCALE = {"uniform": 0.5, "normal": 0.5, "constant": 0.5}
"""Scale used when a spec names ``uniform``, ``normal`` or ``constant`` without one."""
