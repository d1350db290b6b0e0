"""Saved-model records as an earlier nnplay wrote them, for the tests of opening
them (engine.checkpoint, the saved-model routes): batch norm and PReLU after a
convolution kept one value per position then, (C, H, W), where they now keep one
per channel, (C,)."""

from __future__ import annotations

import copy

import numpy as np

CONV_SPEC = {"data": {"name": "shapes", "n_samples": 40, "size": 8}, "seed": 3,
             "layers": [{"type": "conv2d", "filters": 3, "padding": 1},
                        {"type": "batchnorm"}, {"type": "activation", "name": "prelu"},
                        {"type": "pool2d"}, {"type": "flatten"}]}
PER_CHANNEL = [("params", "1", "gamma"), ("params", "1", "beta"), ("state", "1", "running_mean"),
               ("state", "1", "running_var"), ("params", "2", "alpha")]
"""The arrays that an earlier nnplay kept per position after a convolution."""


def per_position(record: dict) -> dict:
    """The record as an earlier nnplay wrote it: every per-channel array of batch norm
    and PReLU after the convolution spread over the (3, 8, 8) positions."""
    old = copy.deepcopy(record)
    for part, path, name in PER_CHANNEL:
        values = np.asarray(old[part][path][name])
        old[part][path][name] = np.broadcast_to(values[:, None, None], (3, 8, 8)).tolist()
    return old
