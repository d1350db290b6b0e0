"""A cohort's maps in one batched forward pass over the grid.

:class:`engine.telemetry.MapMaker` draws a point run's output and unit maps with
a lean float32 pass, unit-major: each dense layer one matmul W^T h over all grid
points, each activation one in-place call. For a cohort the same pass runs on
the members stacked: h (C, units, points), each layer one call for all of them
(a batched matmul does per run the BLAS call a run's own pass does, and
activations take the route one run's array takes), so every run's maps are bit
for bit those its own pass draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.budget import samples_per_pass
from engine.cohort.twins import flat_offset
from engine.layers import BatchNorm, Dense, Dropout
from engine.telemetry import MapMaker, _eval_affine


def drawable(makers: list[MapMaker]) -> bool:
    """Whether the makers' maps can be drawn together: lean passes (dense,
    activation, batch norm, dropout and residual layers), one pass each."""
    return all(m._lean is not None for m in makers)


def _stacked(flat: np.ndarray, view: np.ndarray, base: np.ndarray, shape: tuple) -> np.ndarray:
    """The stacked (C, *shape) view of the slice of ``base`` (a run's flat buffer)
    where ``view`` lives, taken from ``flat`` (C, base.size)."""
    start = flat_offset(view, base)
    return flat[:, start : start + int(np.prod(shape))].reshape(len(flat), *shape)


@one_blas_thread
def maps_together(makers: list[MapMaker], g_out: int, g_units: int) -> list[dict[str, Any]] | None:
    """Each maker's :meth:`MapMaker.maps` for these grid sides, from one stacked
    pass; None when they cannot go together (see :func:`drawable`, and grids
    needing more than one pass)."""
    if not drawable(makers):
        return None
    first = makers[0]
    keys = [m._inputs(g_out, g_units) for m in makers]  # each maker's grid, made once
    key = keys[0]
    points = len(first._grids[key][1])
    if points > min(samples_per_pass(m.mirror, m.trainer.budget) for m in makers):
        return None
    dims = len(first.trainer.data.extent) // 2
    n_out = g_out ** dims
    with np.errstate(all="ignore"):
        return _draw(makers, key, n_out, g_out, g_units, dims)


def _draw(makers: list[MapMaker], key: tuple, n_out: int, g_out: int, g_units: int,
          dims: int) -> list[dict[str, Any]]:
    first = makers[0]
    mirror = first.mirror
    params = np.stack([m.trainer.net.params for m in makers]).astype(np.float32)
    state = np.stack([m.trainer.net.state for m in makers]).astype(np.float32)
    h = np.stack([m._grids[key][2] for m in makers])  # (C, d, points), ours to change
    units: dict[str, np.ndarray] = {}
    h = _pass(first, first._lean, h, n_out, units, params, state, mirror)
    out = h[:, :, :n_out].transpose(0, 2, 1)
    drawn = []
    for i, maker in enumerate(makers):
        shown = maker.trainer.loss.predict(out[i])
        output = shown.reshape(*(g_out,) * dims, -1)
        if output.shape[-1] == 1:
            output = output[..., 0]
        own = {path: np.ascontiguousarray(a[i].reshape(len(a[i]), *(g_units,) * dims),
                                          dtype=np.float32)
               for path, a in units.items()}
        drawn.append({"output": output.astype(np.float32), "units": own})
    return drawn


def _pass(maker: MapMaker, plan: list, h: np.ndarray, n_out: int, units: dict,
          params: np.ndarray, state: np.ndarray, mirror: Any) -> np.ndarray:
    """The lean pass of ``plan`` (see :func:`engine.telemetry._lean_plan`) on stacked
    unit-major h (C, units, points)."""
    count = len(h)
    for path, leaf in plan:
        if isinstance(leaf, Dense):
            h = _dense(leaf, h, params, mirror)
            continue
        if isinstance(leaf, tuple):  # a residual block: (branch plan, projection)
            branch, projection = leaf
            skip = h.copy()
            if projection is not None:
                skip = _dense(projection, skip, params, mirror)
            h = _pass(maker, branch, h, n_out, units, params, state, mirror)
            h += skip
            continue
        if isinstance(leaf, BatchNorm | Dropout):
            scale, shift = _affine(leaf, params, state, mirror, count)
            if scale is not None:
                h *= scale
            if shift is not None:
                h += shift
        else:
            leaf.fn.value_into(h, h[0].size)
            if path in maker._hidden:
                units[path] = h[:, :, n_out:].copy()
    return h


def _dense(leaf: Dense, h: np.ndarray, params: np.ndarray, mirror: Any) -> np.ndarray:
    n_in, width = leaf.in_shape[0], leaf.units
    W = _stacked(params, leaf.params["W"], mirror.params, (n_in, width))
    b = _stacked(params, leaf.params["b"], mirror.params, (width,))
    z = np.matmul(W.transpose(0, 2, 1), h)
    z += b[:, :, None]
    return z


def _affine(leaf: BatchNorm | Dropout, params: np.ndarray, state: np.ndarray, mirror: Any,
            count: int) -> tuple[Any, Any]:
    """:func:`engine.telemetry._eval_affine` for every member: (C, units, 1) columns."""
    if isinstance(leaf, Dropout):
        return _eval_affine(leaf)
    units = leaf.units
    gamma = _stacked(params, leaf.params["gamma"], mirror.params, (units,))
    beta = _stacked(params, leaf.params["beta"], mirror.params, (units,))
    mean = _stacked(state, leaf.state["running_mean"], mirror.state, (units,))
    var = _stacked(state, leaf.state["running_var"], mirror.state, (units,))
    inv_std = 1.0 / np.sqrt(var + leaf.eps)
    scale = gamma * inv_std
    shift = beta - mean * scale
    return (scale.astype(np.float32)[:, :, None], shift.astype(np.float32)[:, :, None])
