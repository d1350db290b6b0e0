"""Evaluation grids over the plotted input space.

The page draws each neuron's output and the decision boundary as an image, so the
network is run on the centres of a g x g grid of cells covering the plotted plane.
Points come in image order: row by row from the top (largest y) down, and within a
row from left to right, so ``values.reshape(g, g)`` is the picture as seen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

from engine.errors import SpecError

MIN_GRID = 2
MAX_GRID = 200


def _check_size(g: object) -> int:
    if isinstance(g, bool) or not isinstance(g, Integral):
        raise SpecError.coded("grid", "not_an_integer")
    if not MIN_GRID <= g <= MAX_GRID:
        raise SpecError.coded("grid", "value_out_of_range", low=MIN_GRID, high=MAX_GRID, value=g)
    return int(g)


def _check_range(low: object, high: object) -> tuple[float, float]:
    values = []
    for v in (low, high):
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(float(v)):
            raise ValueError(f"extent values must be finite numbers, got {v!r}")
        values.append(float(v))
    lo, hi = values
    if not lo < hi:
        raise ValueError(f"extent must have min < max, got ({lo}, {hi})")
    return lo, hi


def _centres(low: float, high: float, g: int) -> np.ndarray:
    """Centres (g,) of g equal cells splitting [low, high], in increasing order."""
    return low + (np.arange(g) + 0.5) * ((high - low) / g)


def grid(extent: Sequence[float], g: int) -> np.ndarray:
    """Cell centres of a g x g grid over ``extent = (xmin, xmax, ymin, ymax)``.

    Returns float64 points (g*g, 2) in image order: point ``r*g + c`` is in row r
    (from the top) and column c (from the left). The first point is
    (xmin + dx/2, ymax - dy/2) with dx = (xmax-xmin)/g and dy = (ymax-ymin)/g.
    Raises ``SpecError("grid", ...)`` unless 2 <= g <= 200.
    """
    g = _check_size(g)
    if len(extent) != 4:
        raise ValueError(f"a 2-D extent has 4 values (xmin, xmax, ymin, ymax), got {extent!r}")
    xmin, xmax = _check_range(extent[0], extent[1])
    ymin, ymax = _check_range(extent[2], extent[3])
    xs = _centres(xmin, xmax, g)
    ys = _centres(ymin, ymax, g)[::-1]  # top row first
    xx, yy = np.meshgrid(xs, ys)  # (g, g) each, xx[r, c] = xs[c], yy[r, c] = ys[r]
    return np.ascontiguousarray(np.column_stack([xx.ravel(), yy.ravel()]))


def grid_1d(extent: Sequence[float], g: int) -> np.ndarray:
    """Centres of g equal cells over ``extent = (xmin, xmax)``, left to right, as
    float64 points of shape (g, 1). Raises ``SpecError("grid", ...)`` unless
    2 <= g <= 200."""
    g = _check_size(g)
    if len(extent) != 2:
        raise ValueError(f"a 1-D extent has 2 values (xmin, xmax), got {extent!r}")
    xmin, xmax = _check_range(extent[0], extent[1])
    return _centres(xmin, xmax, g).reshape(g, 1)
