"""One memory budget for a run, and the estimates every path is checked against.

A run grows in two ways:

* a **pass** through its network holds, per sample, every layer's output and
  what it keeps for the backward pass (:func:`values_per_sample`), and about as
  much again for the backward pass's own arrays (``PASS_FACTOR``). Passes are a
  training step over a mini-batch, an evaluation over the data set (chunk by
  chunk), the gradient picture of a frame, a probe of one image, and the grid
  points of a frame's maps;
* a frame, snapshot or unit map carries **maps**: the output on G_o^d grid points
  (times the outputs) and each hidden unit's map on G_u^d points, d the data's
  dimensions (:func:`map_values`).

A :class:`Budget` bounds both: ``pass_bytes``, the most memory one pass may take,
and ``map_values``, the most map values one answer may carry. Every path that can
grow a run is checked here: making or importing a run (its batch size and data
set: :func:`check_run`), a new batch size (:func:`check_batch`), a probe's drawn
image (:func:`check_sample`), a snapshot's or live view's grids and a unit map
(:func:`check_maps`). A refusal is a :class:`SpecError` naming the field, saying
the limit and what would fit. Passes that can be cut go in chunks of
:func:`samples_per_pass` samples instead (an evaluation of image or text data,
the grid points of the maps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.errors import SpecError
from engine.layers import Conv1D, Conv2D

if TYPE_CHECKING:
    from engine.network import Network

MB = 1_000_000
"""Bytes in a megabyte, as the budget's messages and settings count them."""

PASS_FACTOR = 2
"""A pass takes about twice the values its forward pass writes: the outputs and
caches, and as many again for the backward pass's arrays (measured with tracemalloc
on a training step: 1.8 to 2.4 times for dense, batch-norm, convolution and text
nets). An evaluation pass is counted the same: a convolution keeps the buffers of
each batch shape it has seen for reuse, and the gradient picture runs backward."""

MAX_DATA_VALUES = 60_000_000
"""Most values a pass over the whole data set may go through, chunk by chunk
(n_samples x :func:`values_per_sample`): this bounds the time of a frame, not its
memory (the chunks bound that)."""


@dataclass(frozen=True)
class Budget:
    """What one run may take.

    Attributes:
        pass_bytes: most memory one pass through the run's network may take
            (default 128 MB: a mini-batch of 8 million float64 values, as many
            again for the backward pass).
        map_values: most map values (output map plus every hidden unit's map) one
            frame, snapshot or unit map may carry.
    """

    pass_bytes: int = 128 * MB
    map_values: int = 1_000_000

    def __post_init__(self) -> None:
        if self.pass_bytes < 1 or self.map_values < 1:
            raise ValueError("a budget's pass_bytes and map_values must be positive")


def values_per_sample(net: Network) -> int:
    """What a forward pass holds per sample: every leaf's output, and for a
    convolution its row buffer, im2col columns and product (the output is a view
    of the product)."""
    total = 0
    for _, leaf in net.leaves:
        if isinstance(leaf, Conv1D | Conv2D):
            total += leaf.values_per_sample()
        else:
            total += math.prod(leaf.out_shape)
    return total


def sample_bytes(net: Network) -> int:
    """Estimated memory one sample takes in a pass through ``net``."""
    return PASS_FACTOR * values_per_sample(net) * net.dtype.itemsize


def pass_bytes(net: Network, samples: int) -> int:
    """Estimated memory of a pass of ``samples`` samples through ``net``."""
    return samples * sample_bytes(net)


def samples_per_pass(net: Network, budget: Budget) -> int:
    """The most samples (or grid points) one pass through ``net`` may take, at least 1:
    the chunk of an evaluation or a map pass."""
    return max(1, budget.pass_bytes // sample_bytes(net))


def megabytes(n: int) -> str:
    """A byte count for a message: ``'410 MB'``, ``'0.3 MB'``."""
    return f"{n / MB:,.0f} MB" if n >= 10 * MB else f"{n / MB:.1f} MB"


def _too_large(net: Network, budget: Budget, field: str) -> SpecError:
    return SpecError.coded(field, "sample_over_budget", need=megabytes(sample_bytes(net)),
                           most_bytes=megabytes(budget.pass_bytes))


def check_batch(net: Network, batch: int, budget: Budget, field: str = "batch_size") -> None:
    """Refuse a mini-batch whose training step would take more than the budget;
    SpecError naming ``field``, with the largest batch that fits."""
    need = pass_bytes(net, batch)
    if need <= budget.pass_bytes:
        return
    most = budget.pass_bytes // sample_bytes(net)
    if most < 1:
        raise _too_large(net, budget, field)
    raise SpecError.coded(field, "batch_too_large", batch=batch, need=megabytes(need),
                          most_bytes=megabytes(budget.pass_bytes), name=field, most=most)


def check_run(net: Network, batch: int, n_train: int, n_test: int, whole_train: bool,
              budget: Budget, data_field: str = "data.n_samples") -> None:
    """Refuse a run too large for the budget: its training step (``batch``), a
    pass over its data set longer than ``MAX_DATA_VALUES``, and, when
    ``whole_train`` (point data: the gradient picture's backward pass covers the
    whole training set at once), a training set whose pass exceeds the budget.
    SpecError naming ``batch_size`` or ``data_field``."""
    check_batch(net, batch, budget)
    per = values_per_sample(net)
    n = n_train + n_test
    if n * per > MAX_DATA_VALUES:
        raise SpecError.coded(data_field, "data_too_many_values", samples=n,
                              values=f"{n * per:,}", max=f"{MAX_DATA_VALUES:,}",
                              most=MAX_DATA_VALUES // per)
    need = pass_bytes(net, n_train)
    if whole_train and need > budget.pass_bytes:
        most = budget.pass_bytes // sample_bytes(net)
        share = n_train / n
        raise SpecError.coded(data_field, "data_too_large", samples=n_train,
                              need=megabytes(need), most_bytes=megabytes(budget.pass_bytes),
                              most=int(most / share))


def check_sample(net: Network, budget: Budget, field: str) -> None:
    """Refuse a pass of one sample through ``net`` (e.g. a probe's image at another
    size) over the budget; SpecError naming ``field``."""
    need = pass_bytes(net, 1)
    if need > budget.pass_bytes:
        raise SpecError.coded(field, "sample_too_large", need=megabytes(need),
                              most_bytes=megabytes(budget.pass_bytes))


@dataclass(frozen=True)
class MapShape:
    """What a run's maps are made of: ``units`` hidden units (one map each),
    ``outputs`` output values per grid point, on grids of ``dims`` dimensions."""

    units: int
    outputs: int
    dims: int


def map_values(shape: MapShape, output_grid: int, unit_grid: int) -> int:
    """Values of the maps at these grid sides: outputs x G_o^d + units x G_u^d."""
    return shape.outputs * output_grid ** shape.dims + shape.units * unit_grid ** shape.dims


def _largest_side(room: int, per_point: int, dims: int, low: int) -> int:
    """The largest side g >= low - 1 with per_point x g^dims <= room (low - 1 when
    not even ``low`` fits)."""
    if room < per_point * low ** dims:
        return low - 1
    side = int((room / per_point) ** (1 / dims))  # then exact, past rounding
    while per_point * side ** dims > room:
        side -= 1
    while per_point * (side + 1) ** dims <= room:
        side += 1
    return side


def check_maps(shape: MapShape, output_grid: int, unit_grid: int, budget: Budget,
               fields: tuple[str, str] = ("output_grid", "unit_grid"),
               low: int = 2) -> None:
    """Refuse grid sides whose maps exceed the budget's ``map_values``: SpecError
    naming the unit grid's field (``fields[1]``) with the largest side that fits
    beside this output grid, or the output grid's (``fields[0]``) when not even
    unit maps of side ``low`` fit beside it."""
    total = map_values(shape, output_grid, unit_grid)
    if total <= budget.map_values:
        return
    out_field, unit_field = fields
    square = "^2" if shape.dims == 2 else ""
    limit = {"max": f"{budget.map_values:,}", "out_field": out_field,
             "unit_field": unit_field, "square": square, "units": shape.units,
             "unit_grid": unit_grid, "total": f"{total:,}"}
    output = shape.outputs * output_grid ** shape.dims
    side = _largest_side(budget.map_values - output, max(shape.units, 1), shape.dims, low)
    if side >= low:
        raise SpecError.coded(unit_field, "maps_too_large", **limit, field=unit_field, most=side)
    room = budget.map_values - shape.units * low ** shape.dims
    side = _largest_side(room, shape.outputs, shape.dims, low)
    if side >= low:
        raise SpecError.coded(out_field, "maps_too_large", **limit, field=out_field, most=side)
    raise SpecError.coded(out_field, "maps_too_many_units", **limit)


def fit_grids(shape: MapShape, output_grid: int, unit_grid: int,
              budget: Budget, low: int = 2) -> tuple[int, int]:
    """The grid sides to draw, lowered if needed so the maps fit the budget: the
    unit grid first (down to ``low``), then the output grid; (``low``, ``low``) if
    nothing larger fits."""
    if map_values(shape, output_grid, unit_grid) <= budget.map_values:
        return output_grid, unit_grid
    output = shape.outputs * output_grid ** shape.dims
    side = _largest_side(budget.map_values - output, max(shape.units, 1), shape.dims, low)
    if side >= low:
        return output_grid, side
    room = budget.map_values - shape.units * low ** shape.dims
    return max(low, min(output_grid, _largest_side(room, shape.outputs, shape.dims, low))), low
