"""Spatial pyramid pooling (He et al., 2014): a fixed-length vector from feature
maps of any size.

:class:`SpatialPyramidPool` pools each channel over an l x l grid of bins for
every level l, so any image size gives the same number of features,
x (n, C, H, W) -> (n, C * sum(l^2)). Max pooling passes each cell's gradient to
its first maximum (row-major within the cell), scattered with one
``np.bincount`` over input positions, which adds up the contributions of cells
that share a pixel; mean pooling is a matrix product both ways.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engine.errors import SpecError
from engine.layers.base import Layer, Shape
from engine.layers.pooling import best_rank, check_mode, rank_order

_MAX_TABLES = 8
"""Input sizes whose pyramid tables are kept at once; one more clears them all."""


def _scatter(flat_index: np.ndarray, grad: np.ndarray, size: int) -> np.ndarray:
    """Array of ``size`` zeros plus grad[i] at flat_index[i] (repeats add up)."""
    total = np.bincount(flat_index.ravel(), weights=grad.ravel(), minlength=size)
    return total.astype(grad.dtype, copy=False)


def pyramid_bins(length: int, level: int) -> list[tuple[int, int]]:
    """Bin edges along one axis: bin i covers floor(i L / l) .. ceil((i + 1) L / l)
    (end exclusive); neighbouring bins overlap by one when l does not divide L."""
    return [((i * length) // level, -((-(i + 1) * length) // level)) for i in range(level)]


class _MaxLevel(NamedTuple):
    """One pyramid level's tables for max pooling an input of one size.

    cells: (l^2, cell size) flat pixels of each cell, row-major within it (short
    cells padded by repeating their last pixel). grid: (l, H/l, l, W/l) when l
    divides H and W (the cells are then a view of the input), else None. rank:
    cell size, ..., 1 shaped to broadcast over the level's slabs. lookup: for cell
    j whose best rank is r, the pixel at j (cell size + 1) + r (rank 0, no pixel
    equal to the maximum, gives the last). row_starts: (l^2, 1), j (cell size + 1).
    """

    cells: np.ndarray
    grid: tuple[int, int, int, int] | None
    rank: np.ndarray
    lookup: np.ndarray
    row_starts: np.ndarray

    @classmethod
    def of(cls, level: int, h: int, w: int, cells: list[np.ndarray]) -> _MaxLevel:
        width = max(cell.size for cell in cells)
        table = np.stack([np.pad(cell, (0, width - cell.size), mode="edge") for cell in cells])
        rank, order = rank_order(width)
        if h % level or w % level:
            grid, rank = None, rank[:, None, None]
        else:
            grid = (level, h // level, level, w // level)
            rank = rank.reshape(1, h // level, 1, w // level, 1)
        lookup = table[:, order].ravel()
        starts = (np.arange(len(cells)) * (width + 1))[:, None]
        return cls(table, grid, rank, lookup, starts)


class SpatialPyramidPool(Layer):
    """Spatial pyramid pooling: (n, C, H, W) -> (n, C * B), B = sum(l^2 over levels).

    For each level l, H and W are cut into l bins each (:func:`pyramid_bins`) and each
    of the l x l cells is max- or mean-pooled. Output feature c * B + k is channel c,
    cell k, cells listed level by level and row by row within a level. Any H, W at
    least the largest level give the same B.

    Mean pooling is linear: with a (B, H W) matrix M of cell weights (1/cell area
    inside the cell), out = x M^T and dL/dx = g M. Max pooling gathers each level's
    cells (short cells padded by repeating one of their own pixels), takes the
    maximum, and in backward finds its first position and scatters the gradient
    back to it.
    Tables are kept per input size (a few sizes at once).

    Attributes:
        levels: grid sizes, e.g. (1, 2, 4); mode: "max" or "mean".
    """

    kind = "spp"
    cached = ("_pick", "_xt")

    def __init__(self, levels: tuple[int, ...] = (1, 2, 4), mode: str = "max") -> None:
        super().__init__()
        self.levels = tuple(int(level) for level in levels)
        if not self.levels or min(self.levels) < 1:
            raise ValueError("pyramid levels must be positive integers")
        self.mode = check_mode(mode)
        self.bins = sum(level * level for level in self.levels)
        self._pick: np.ndarray | None = None
        self._xt: np.ndarray | None = None  # max: the last input as (H W, C n)
        self._x_shape: Shape = ()
        self._tables: dict[tuple[int, int], list[_MaxLevel] | np.ndarray] = {}
        self._starts: tuple[Shape, np.ndarray] = ((), np.zeros(0, np.intp))

    def build(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 3:
            raise SpecError.coded("", "needs_feature_maps", kind="spp", shape=str(in_shape))
        self._check_size(in_shape[1:])
        self.in_shape = tuple(in_shape)
        self.out_shape = (self.in_shape[0] * self.bins,)
        return self.out_shape

    def _check_size(self, spatial: Shape) -> None:
        if min(spatial) < max(self.levels):
            raise SpecError.coded("", "smaller_than_level", shape=str(tuple(spatial)),
                                  level=max(self.levels))

    def _cells(self, h: int, w: int, level: int) -> list[np.ndarray]:
        """Flat pixel indices (row * w + col) of each cell of one level, row-major."""
        grid = np.arange(h * w).reshape(h, w)
        return [grid[r0:r1, c0:c1].ravel()
                for r0, r1 in pyramid_bins(h, level) for c0, c1 in pyramid_bins(w, level)]

    def _table(self, h: int, w: int) -> list[_MaxLevel] | np.ndarray:
        table = self._tables.get((h, w))
        if table is not None:
            return table
        if self.mode == "mean":
            table = np.zeros((self.bins, h * w))
            cells = [cell for level in self.levels for cell in self._cells(h, w, level)]
            for k, cell in enumerate(cells):
                table[k, cell] = 1.0 / cell.size
        else:
            table = [_MaxLevel.of(level, h, w, self._cells(h, w, level)) for level in self.levels]
        if len(self._tables) >= _MAX_TABLES:
            self._tables.clear()
        self._tables[(h, w)] = table
        return table

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: (n, C, H, W) -> (n, C * B) for any H, W >= max(levels).

        Max pooling copies x once to pixel-major rows, (H W, C n), so that every
        operation runs across whole rows of C n values (a reduction over a short
        last axis costs NumPy far more per value); the columns keep the samples
        innermost, as a convolution's output does. A level whose l divides H and W
        has equal cells, read as a view (l, H/l, l, W/l, C n) of the rows; another
        level's cells are gathered (cell size, l^2, C n), short cells padded by
        repeating one of their pixels.
        A training pass also records each cell's winner for backward.
        """
        n, c, h, w = x.shape
        self._check_size((h, w))
        self._x_shape = x.shape
        table = self._table(h, w)
        if self.mode == "mean":
            x2 = x.reshape(n * c, h * w)
            return (x2 @ table.T.astype(x.dtype, copy=False)).reshape(n, c * self.bins)
        self._xt = np.empty((h * w, c * n), x.dtype)
        np.copyto(self._xt.reshape(h, w, c, n), x.transpose(2, 3, 1, 0))
        tops, picks = [], []
        for table_level in table:
            slabs, top = self._level_max(table_level)
            tops.append(top)
            if train:
                picks.append(self._first_max(table_level, slabs, top))
        self._pick = self._positions(picks) if train else None
        out = np.concatenate(tops).reshape(self.bins, c, n)
        return out.transpose(2, 1, 0).reshape(n, c * self.bins)

    def _level_max(self, table: _MaxLevel) -> tuple[np.ndarray, np.ndarray]:
        """One level's cells of the last input (a view (l, H/l, l, W/l, C n) when l
        divides H and W, else gathered (cell size, l^2, C n)) and their maxima
        (l^2, C n)."""
        if table.grid is None:
            slabs = self._xt[table.cells.T]
            return slabs, slabs.max(axis=0)
        slabs = self._xt.reshape(*table.grid, -1)
        return slabs, slabs.max(axis=(1, 3)).reshape(len(table.cells), -1)

    @staticmethod
    def _first_max(table: _MaxLevel, slabs: np.ndarray, top: np.ndarray) -> np.ndarray:
        """(l^2, C n): the pixel (within its plane) of each cell's first maximum, in
        row-major order within the cell.

        Every pixel equal to its cell's maximum ``top`` (l^2, C n) scores its rank
        from the end of the cell, and the highest score, looked up in the level's
        table, is the first maximum: a few operations across whole slabs, where an
        argmax along short rows costs NumPy far more. (A cell holding NaN has no
        equal pixel and routes to its last.)"""
        if table.grid is None:
            equal, axes = slabs == top, 0
        else:
            level = table.grid[0]
            equal, axes = slabs == top.reshape(level, 1, level, 1, -1), (1, 3)
        best = best_rank(equal, table.rank, axes).reshape(top.shape)
        return np.take(table.lookup, best + table.row_starts)

    def _positions(self, picks: list[np.ndarray]) -> np.ndarray:
        """The levels' (l^2, C n) pixels within planes -> (n C, B) positions in an
        array of x's values laid out (C, H, W, n), samples innermost as in a
        convolution's output: pixel p of sample i's channel c is at (c H W + p) n + i.
        """
        n, c, h, w = self._x_shape
        if self._starts[0] != self._x_shape:
            starts = np.arange(c)[:, None] * (h * w * n) + np.arange(n)  # (C, n)
            self._starts = (self._x_shape, starts)
        at = np.concatenate(picks).reshape(self.bins, c, n)
        at *= n
        positions = np.empty((n, c, self.bins), at.dtype)
        np.add(at, self._starts[1], out=positions.transpose(2, 1, 0))
        return positions.reshape(n * c, self.bins)

    def _winners(self) -> np.ndarray:
        """(n C, B): the position (see :meth:`_positions`) of each cell's first
        maximum in the last forward (an evaluation, which leaves them to be found
        now)."""
        h, w = self._x_shape[2:]
        picks = []
        for table in self._table(h, w):
            slabs, top = self._level_max(table)
            picks.append(self._first_max(table, slabs, top))
        return self._positions(picks)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out (n, C * B) -> dL/dx (n, C, H, W)."""
        n, c, h, w = self._x_shape
        g = grad_out.reshape(n * c, self.bins)
        if self.mode == "mean":
            table = self._table(h, w).astype(g.dtype, copy=False)
            return (g @ table).reshape(self._x_shape)
        if self._pick is None:
            self._pick = self._winners()
        dx = _scatter(self._pick, g, n * c * h * w).reshape(c, h, w, n)
        return dx.transpose(3, 0, 1, 2)  # samples innermost in memory (see _positions)

    def describe(self) -> dict:
        return {"type": self.kind, "levels": list(self.levels), "mode": self.mode}
