"""How much arithmetic a net's steps and passes take, and the most one may take.

A server shares its cores between a class's runs by time slices (many short
requests, one after another), but a single training step, or a single pass over
the data or a display grid, cannot be cut: while it runs, every other run on that
core waits. So the arithmetic of each such unit is bounded here, counted in
multiply-adds (MACs) from the net's shapes alone, so that the same spec is
accepted or refused on every machine:

- a training step (forward and backward over a mini-batch, about three forward
  passes): ``3 x batch x macs_per_sample`` at most ``MAX_STEP_MACS``;
- a pass over the data set (the metrics every frame shows):
  ``samples x macs_per_sample`` at most ``MAX_PASS_MACS``;
- a pass over a display grid (the output map, the unit maps) or over points to
  predict: at most ``MAX_GRID_MACS``. Only point data have grids, and their nets
  are dense layers, whose multiply-adds on thousands of rows at once go about
  five times faster than a convolution's (measured: a 10 x 64 net's 40 million
  in 4 ms, the convolution lesson's 4.7 million a step in 1 to 9 ms).

The lessons' heaviest net (the lab's pooling lesson) takes 4.7 million MACs a
step and 35 million a pass over its data; on one core of a small laptop a pass
of ``MAX_PASS_MACS`` takes a few tens of milliseconds.
"""

from __future__ import annotations

import math

from engine.errors import SpecError
from engine.layers.conv import Conv1D, Conv2D
from engine.layers.dense import Dense
from engine.network import Network

MAX_STEP_MACS = 10_000_000
"""Most multiply-adds one training step may take (about 3 x batch x per sample)."""

MAX_PASS_MACS = 40_000_000
"""Most multiply-adds one evaluation pass over the data set may take."""

MAX_GRID_MACS = 200_000_000
"""Most multiply-adds one pass over a display grid or points to predict may take."""

TRAINING_PASSES = 3
"""A step's forward and backward cost about three forward passes."""


def macs_per_sample(net: Network) -> int:
    """Multiply-adds of one sample's forward pass: a dense layer's inputs x units, a
    convolution's weights x output positions, and one per value any other layer
    outputs (activations, pooling, normalisation)."""
    total = 0
    for _, leaf in net.leaves:
        if isinstance(leaf, Dense):
            total += leaf.in_shape[0] * leaf.units
        elif isinstance(leaf, Conv1D | Conv2D):
            weights = leaf.filters * leaf.in_shape[0] * leaf.kernel ** leaf.ndim
            total += weights * math.prod(leaf.out_shape[1:])
        else:
            total += math.prod(leaf.out_shape)
    return max(1, total)


def step_macs(net: Network, batch: int) -> int:
    """Multiply-adds of one training step on a mini-batch of ``batch`` samples."""
    return TRAINING_PASSES * batch * macs_per_sample(net)


def check_step(net: Network, batch: int, field: str = "batch_size") -> None:
    """SpecError naming ``field`` if a step on ``batch`` samples is above
    ``MAX_STEP_MACS``, saying the largest batch that fits."""
    if step_macs(net, batch) > MAX_STEP_MACS:
        most = max(1, MAX_STEP_MACS // (TRAINING_PASSES * macs_per_sample(net)))
        raise SpecError.coded(field, "step_too_long", batch=batch,
                              macs=f"{step_macs(net, batch):,}", max=f"{MAX_STEP_MACS:,}",
                              most=most)


def check_pass(net: Network, samples: int, field: str, what: str = "samples",
               most: int | None = None) -> None:
    """SpecError naming ``field`` if a pass over ``samples`` samples is above
    ``most`` multiply-adds (default ``MAX_PASS_MACS``), saying how many fit."""
    most = MAX_PASS_MACS if most is None else most
    per = macs_per_sample(net)
    if samples * per > most:
        raise SpecError.coded(field, "pass_too_long", samples=samples, what=what,
                              macs=f"{samples * per:,}", max=f"{most:,}",
                              most=max(1, most // per))


def largest_grid(net: Network, dims: int, side: int) -> int:
    """The largest grid side up to ``side`` whose ``side ** dims`` points fit in one
    grid pass (at least 2): what a live frame draws when the viewer asks for more."""
    per = macs_per_sample(net)
    fits = int((MAX_GRID_MACS / per) ** (1 / dims)) if dims else side
    while fits > 2 and fits ** dims * per > MAX_GRID_MACS:  # the root's rounding
        fits -= 1
    return max(2, min(side, fits))


def check_grid(net: Network, dims: int, side: int, field: str) -> None:
    """SpecError naming ``field`` if a display grid of ``side`` points a side over
    ``dims`` input axes is more than one pass may take, saying the largest side."""
    points, per = side ** dims, macs_per_sample(net)
    if points * per > MAX_GRID_MACS:
        raise SpecError.coded(field, "grid_too_large", side=side, points=f"{points:,}",
                              macs=f"{points * per:,}", max=f"{MAX_GRID_MACS:,}",
                              most=largest_grid(net, dims, side))
