"""Pooling layers: summarise regions of feature maps, channel by channel.

Pooling has no parameters. Max pooling keeps the strongest response in a region
and passes the gradient back only to the position that won (the argmax; on ties the
first in row-major order); mean pooling averages and spreads the gradient evenly.

* :class:`Pool2D`: windows of ``size`` x ``size`` every ``stride`` pixels,
  x (n, C, H, W) -> (n, C, H', W') with H' = (H - size) // stride + 1 (windows that
  do not fit are dropped). stride < size gives overlapping windows, and a pixel in
  several windows receives the sum of their gradients.
* :class:`GlobalMaxPool`: the maximum over all positions, x (n, C, *spatial) ->
  (n, C); for a text CNN this is "max over time", and :attr:`GlobalMaxPool.argmax`
  tells which n-gram position won.

Spatial pyramid pooling is in :mod:`engine.layers.pyramid`.

The max backward of :class:`Pool2D` hands each window's gradient to its winner
(the first pixel equal to the window's maximum), one window offset at a time
(overlapping windows add up).
"""

from __future__ import annotations

import math

import numpy as np

from engine.errors import SpecError
from engine.layers.base import Layer, Shape

MODES = ("max", "mean")


def check_mode(mode: str) -> str:
    """The mode if it is one of MODES, else ValueError."""
    if mode not in MODES:
        raise ValueError(f"pooling mode must be one of {MODES}, got {mode!r}")
    return mode


def rank_order(width: int) -> tuple[np.ndarray, np.ndarray]:
    """For finding the first maximum among ``width`` positions by rank: the ranks
    width, ..., 1 of the positions (in the smallest unsigned type that holds
    them), and for each best rank r = 0 .. width the position it stands for,
    width - r, or the last position for 0 (no position equal to the maximum, as
    when it is NaN), (width + 1,) ints."""
    rank = np.arange(width, 0, -1, dtype=np.min_scalar_type(width))
    order = np.concatenate([[width - 1], np.arange(width - 1, -1, -1)]).astype(np.intp)
    return rank, order


def best_rank(equal: np.ndarray, rank: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    """The highest rank (see :func:`rank_order`, broadcast against ``equal``) among
    the positions ``equal`` marks along ``axis``, 0 where it marks none: with
    ``equal`` marking the positions equal to the maximum, the first of them.
    Three operations across whole arrays, where an argmax along short rows
    costs NumPy far more."""
    # bool's bytes are uint8 0 and 1: a view, unless ranks need a wider type
    score = equal.view(np.uint8) if rank.dtype == np.uint8 else equal.astype(rank.dtype)
    np.multiply(score, rank, out=score)
    return score.max(axis=axis)


class Pool2D(Layer):
    """Max or mean pooling over square windows: (n, C, H, W) -> (n, C, H', W').

    Attributes:
        mode: "max" or "mean".
        size: window side; stride: step between windows (default: size).
    """

    kind = "pool2d"
    cached = ("_code", "_x", "_out")

    def __init__(self, mode: str, size: int, stride: int | None = None) -> None:
        super().__init__()
        self.mode = check_mode(mode)
        self.size = int(size)
        self.stride = self.size if stride is None else int(stride)
        if self.size < 1 or self.stride < 1:
            raise ValueError("pool size and stride must be >= 1")
        self._code: np.ndarray | None = None  # max: winner's offset a * size + b
        self._x: np.ndarray | None = None  # the last input (winners found on demand)
        self._out: np.ndarray | None = None  # max: the last output
        self._x_shape: Shape = ()

    def _spatial_out(self, spatial: Shape) -> Shape:
        if min(spatial) < self.size:
            raise SpecError.coded("", "smaller_than_pool", shape=str(spatial),
                                  size=self.size)
        return tuple((m - self.size) // self.stride + 1 for m in spatial)

    def build(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 3:
            raise SpecError.coded("", "needs_feature_maps", kind="pool2d",
                                  shape=str(in_shape))
        self.in_shape = tuple(in_shape)
        self.out_shape = (self.in_shape[0], *self._spatial_out(self.in_shape[1:]))
        return self.out_shape

    def _slices(self, ho: int, wo: int) -> list[tuple[slice, ...]]:
        """For each window offset (a, b), row-major: the input pixels at that offset
        in every window, x[:, :, s i + a, s j + b] over all (i, j)."""
        s = self.stride
        return [(slice(None), slice(None), slice(a, a + s * (ho - 1) + 1, s),
                 slice(b, b + s * (wo - 1) + 1, s))
                for a in range(self.size) for b in range(self.size)]

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: (n, C, H, W) -> (n, C, H', W'), any H, W >= size.

        Loops over the size^2 offsets inside a window, each step one operation on
        strided views of x covering all windows at once. Max pooling only keeps x
        and the result: the winners are found when a backward pass or
        :meth:`winners` asks.
        """
        ho, wo = self._spatial_out(x.shape[2:])
        views = [x[sl] for sl in self._slices(ho, wo)]
        self._x_shape, self._x = x.shape, x
        out = views[0].copy(order="K")  # in x's memory order, as every array below
        if self.mode == "mean":
            for view in views[1:]:
                out += view
            out *= 1.0 / len(views)
            return out
        for view in views[1:]:
            np.maximum(out, view, out=out)
        self._code, self._out = None, out
        return out

    @staticmethod
    def _running_max(views: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        """out = the max over ``views`` (out starts as a copy of the first); returns
        each window's winning offset. Strictly greater replaces, so ties keep the
        first offset, the pixel :meth:`backward` routes to."""
        code = np.zeros(out.shape, dtype=np.uint8 if len(views) < 256 else np.intp)
        better = np.empty(out.shape, dtype=bool)
        for k, view in enumerate(views[1:], start=1):
            np.greater(view, out, out=better)
            np.maximum(out, view, out=out)
            np.copyto(code, k, where=better)
        return code

    def _winner_offsets(self) -> np.ndarray:
        """Max mode: each window's winning offset a * size + b in the last forward
        (found from its input on the first call after it)."""
        if self._code is None:
            views = [self._x[sl] for sl in self._slices(*self._spatial_out(self._x.shape[2:]))]
            self._code = self._running_max(views, views[0].copy())
        return self._code

    def winners(self) -> np.ndarray:
        """Max mode: flat position in x (over all of it) of each window's winner in the
        last forward, (n, C, H', W'): sample/channel plane + window corner + offset."""
        n, c, h, w = self._x_shape
        code = self._winner_offsets()
        ho, wo = code.shape[2:]
        k, s = self.size, self.stride
        corner = s * w * np.arange(ho)[:, None] + s * np.arange(wo)
        plane = (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
        inside = (w * np.arange(k)[:, None] + np.arange(k)).ravel()
        return plane + corner + inside[code]

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out (n, C, H', W') -> dL/dx (n, C, H, W).

        Max: offset by offset in row-major order, a window's gradient goes to the
        first pixel equal to the window's maximum (a comparison per offset, cheaper
        than recording the winners during forward).
        """
        # every array in the memory order of x (a convolution's output keeps the
        # samples innermost), so that each operation below runs along whole rows
        dx = np.zeros_like(self._x, dtype=grad_out.dtype)
        slices = self._slices(*grad_out.shape[2:])
        if self.mode == "max":
            apart = self.stride >= self.size  # no pixel in two windows
            routed = None if apart else np.empty_like(self._out, dtype=grad_out.dtype)
            unclaimed = np.ones_like(self._out, dtype=bool)
            won = np.empty_like(self._out, dtype=bool)
            for sl in slices:
                np.equal(self._x[sl], self._out, out=won)
                won &= unclaimed
                unclaimed ^= won  # won is inside unclaimed: this removes it
                if apart:
                    np.multiply(grad_out, won, out=dx[sl])
                else:  # overlapping windows add up
                    np.multiply(grad_out, won, out=routed)
                    dx[sl] += routed
            return dx
        share = grad_out * (1.0 / (self.size * self.size))
        for sl in slices:
            dx[sl] += share
        return dx

    def describe(self) -> dict:
        return {"type": self.kind, "mode": self.mode, "size": self.size, "stride": self.stride}


class GlobalMaxPool(Layer):
    """Maximum over every spatial position: (n, C, *spatial) -> (n, C), for 1-D
    (n, C, L) or 2-D (n, C, H, W) input of any size.

    Attributes:
        argmax: (n, C) ints, the flat spatial position that won for each sample and
            channel in the last forward (for 1-D input: the time step; for 2-D:
            row * W + column). Not dropped by :meth:`forget`; see :meth:`positions`.
    """

    kind = "global_max_pool"

    def __init__(self) -> None:
        super().__init__()
        self.argmax: np.ndarray | None = None
        self._samples_inner = False  # the last forward's way (see forward)
        # positions, their ranks (positions, 1) and rank order (see rank_order)
        self._ranks: tuple[int, np.ndarray, np.ndarray] = (0, np.zeros(0), np.zeros(0))
        self._x_shape: Shape = ()

    def build(self, in_shape: Shape) -> Shape:
        if len(in_shape) < 2:
            raise SpecError.coded("", "global_pool_needs_maps", shape=str(in_shape))
        self.in_shape = tuple(in_shape)
        self.out_shape = (self.in_shape[0],)
        return self.out_shape

    def positions(self) -> tuple[np.ndarray, ...]:
        """The winners of the last forward as spatial indices, one (n, C) array per
        spatial axis (``np.unravel_index`` of :attr:`argmax`)."""
        return np.unravel_index(self.argmax, self._x_shape[2:])

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x (n, C, *spatial) -> (n, C), the maximum over the positions.

        Works in x's memory order. With the samples innermost (a convolution's
        output), x is copied once to (positions, C n), so that the maximum and the
        first position holding it are found by operations along whole rows of C n
        values (a reduction along short rows costs NumPy far more per value): every
        position equal to the maximum scores its rank from the end, and the highest
        score is the first; the result is a view of a (C, n) array. Otherwise each
        sample's channel is a row: an argmax along the rows, and the values
        gathered there. (Where a channel holds NaN, its position means nothing.)
        """
        n, c = x.shape[:2]
        self._x_shape = x.shape
        self._samples_inner = x.strides[0] == min(x.strides) and n > 1
        if not self._samples_inner:
            flat = x.reshape(n * c, -1)
            winners = flat.argmax(axis=1)
            self.argmax = winners.reshape(n, c)
            # gathered at the argmax: a max along short rows costs NumPy 4x an argmax
            return flat[np.arange(n * c), winners].reshape(n, c)
        cells = math.prod(x.shape[2:])
        xt = np.empty((*x.shape[2:], c, n), x.dtype)
        np.copyto(xt, x.transpose(*range(2, x.ndim), 1, 0))
        flat = xt.reshape(cells, c * n)
        top = flat.max(axis=0)
        if self._ranks[0] != cells:
            rank, order = rank_order(cells)
            self._ranks = (cells, rank[:, None], order)
        _, rank, order = self._ranks
        self.argmax = np.take(order, best_rank(flat == top, rank, 0)).reshape(c, n).T
        return top.reshape(c, n).T

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out (n, C) -> dL/dx, zero except at each argmax, in the memory order
        forward worked in (with the samples innermost, a view of a (C, *spatial, n)
        array)."""
        n, c = self._x_shape[:2]
        spatial = self._x_shape[2:]
        if not self._samples_inner:
            dx = np.zeros((n * c, math.prod(spatial)), dtype=grad_out.dtype)
            dx[np.arange(n * c), self.argmax.ravel()] = grad_out.ravel()
            return dx.reshape(self._x_shape)
        dx = np.zeros((c, math.prod(spatial), n), dtype=grad_out.dtype)
        dx[np.arange(c)[:, None], self.argmax.T, np.arange(n)] = grad_out.T
        return np.moveaxis(dx.reshape(c, *spatial, n), -1, 0)
