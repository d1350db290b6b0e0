"""Which runs may train together: a cohort's key.

Runs on one worker whose networks have the same layers (kinds, sizes and
settings), input shape, dtype, batch size, loss and optimiser (with its
constants) can be stacked and stepped as one (:mod:`engine.cohort.train`). What
stays per run is not in the key: data, seeds, learning rate, L1 and L2, step,
epoch, and every weight.
"""

from __future__ import annotations

import json
from collections.abc import Hashable

import numpy as np

from engine.cohort.twins import stackable
from engine.layers.dense import _CACHE_ROWS
from engine.trainer import Trainer

PER_RUN = ("lr", "l1", "l2", "t", "decay")
"""Optimiser attributes that may differ between members (vectors over the cohort)."""


def optimizer_constants(trainer: Trainer) -> tuple:
    """The optimiser's class and its fixed settings (momentum, betas, eps ...):
    (name, ((attribute, value), ...)), sorted."""
    opt = trainer.opt
    fixed = sorted((name, value) for name, value in vars(opt).items()
                   if name not in PER_RUN and not name.startswith("_")
                   and not isinstance(value, np.ndarray))
    return type(opt).__name__, tuple(fixed)


def cohort_key(trainer: Trainer) -> Hashable | None:
    """A hashable key equal for runs that can train together, or None for a run
    that trains alone: a layer without a stacked twin (convolutions, pooling,
    embeddings, PReLU, RReLU, batch norm over feature maps), or a batch too large
    for a dense layer's cached input (then it computes the bias another way)."""
    net = trainer.net
    if not stackable(net.body) or trainer.batch_size > _CACHE_ROWS:
        return None
    loss = trainer.loss
    return (json.dumps(net.describe(), sort_keys=True), net.in_shape, net.dtype.str,
            trainer.X_train.dtype.str, trainer.T_train.shape[1:], trainer.batch_size,
            type(loss).__name__, getattr(loss, "signed", None),
            optimizer_constants(trainer))
