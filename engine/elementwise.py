"""Element-wise functions over strided views, run where the view's memory is.

A convolution's output is a view of its product with a few dropped column slots
per row (see :mod:`engine.layers.conv`). An element-wise function over such a
view makes NumPy walk it in pieces of one row (w' positions of n samples), which
on 8- or 16-wide maps of a small batch costs several times a pass over
contiguous memory. :func:`over_buffer`
applies the function to the whole buffer instead (the dropped slots hold finite
numbers, and their results are never read) and returns the same view of the
result.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SLACK = 1.5
"""Use the buffer when it holds at most this many times the view's values."""


def over_buffer(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """fn(x) for an element-wise fn; a non-contiguous view x of a contiguous buffer
    not much larger than x is computed over the whole buffer. Returns an array of
    x's shape (a view with x's strides in that case)."""
    base = x.base
    if (x.flags.c_contiguous or not isinstance(base, np.ndarray)
            or not base.flags.c_contiguous or base.dtype != x.dtype
            or base.size > SLACK * x.size):
        return fn(x)
    out = fn(base)
    if out.shape != base.shape or not out.flags.c_contiguous:
        return fn(x)
    offset = x.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return np.ndarray(x.shape, out.dtype, out, offset, x.strides)
