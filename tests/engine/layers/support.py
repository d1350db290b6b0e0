"""Helpers shared by the layer and network tests: kink-free inputs, a guard that
no ReLU-like unit sits close enough to its kink for a central difference to cross
it, and arrays laid out in memory as a convolution's output is."""

from __future__ import annotations

import numpy as np

from engine.layers import Act, Layer, PReLU, RReLU, walk

KINK_MARGIN = 1e-3
"""Smallest |z| allowed at a ReLU-like unit; a difference step of 1e-6 cannot cross it."""


def signed_uniform(shape: tuple[int, ...], seed: int = 0, low: float = 0.1,
                   high: float = 2.0) -> np.ndarray:
    """Values with low <= |x| <= high and random signs (away from 0 by construction)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def kinked(layer: Layer) -> bool:
    """Whether the leaf has a kink at 0 (ReLU family, ELU, PReLU, RReLU)."""
    if isinstance(layer, PReLU | RReLU):
        return True
    return isinstance(layer, Act) and layer.fn.name in ("relu", "leaky_relu", "elu")


def assert_away_from_kinks(root: Layer) -> None:
    """Check every kinked leaf's last input: all |z| > KINK_MARGIN."""
    for path, leaf in walk(root):
        if kinked(leaf):
            margin = float(np.min(np.abs(leaf.z)))
            assert margin > KINK_MARGIN, f"layer {path}: |z| = {margin} too close to the kink"


def samples_inner(x: np.ndarray) -> np.ndarray:
    """x's values laid out (C, *spatial, n) in memory, seen as (n, C, *spatial):
    the memory order of a convolution's output."""
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 0, -1)), -1, 0)
