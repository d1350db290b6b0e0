"""The decision boundary of a net that is one neuron: a straight line in the plane.

A net whose only layer is one dense unit over the inputs x1 and x2 (each at most
once, optionally standardised) computes z = w . x + b, affine in the plotted
plane, so the points where it decides "half way" (a predicted probability of
0.5) form a line. The page draws that line from these coefficients rather than
from the output map: when the weights shrink towards 0 (one neuron on XOR ends
with |w| near 1e-16) the map is a uniform 0.5 to the last bit, yet the line
w . x + b = 0 is still there, and it is the best the neuron can do.

:func:`boundary_line` gives (a, b, c) with a x + b y + c = 0 in plotted
coordinates (the frame's ``extent``), or None for any other net.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from engine.layers import Act, Dense
from engine.losses import MSE

if TYPE_CHECKING:
    from engine.trainer import Trainer

PLANE_FEATURES = ("x1", "x2")
"""Inputs that are linear in the plotted plane: x1 is its x axis, x2 its y axis."""


def decision_level(trainer: Trainer) -> float:
    """The net's output at which the prediction is 0.5: 0 for a logit (cross-entropy)
    or a signed target (tanh output), 0.5 for squared error on 0/1 targets."""
    loss = trainer.loss
    return 0.5 if isinstance(loss, MSE) and not loss.signed else 0.0


def _before(name: str, level: float) -> float | None:
    """The input z of output activation ``name`` whose value is ``level`` (None
    where there is none)."""
    if name == "linear":
        return level
    if name == "sigmoid" and 0.0 < level < 1.0:
        return math.log(level / (1.0 - level))
    if name == "tanh" and -1.0 < level < 1.0:
        return math.atanh(level)
    return None


def boundary_line(trainer: Trainer) -> tuple[float, float, float] | None:
    """(a, b, c) such that the net's prediction is 0.5 exactly on a x + b y + c = 0
    (x, y plotted coordinates), for a binary classifier on 2-D points that is one
    dense unit over x1 and x2 (with or without an output activation); None for
    any other net.

    With W (k, 1) and b (1,) of that unit, inputs x_i = (f_i(x, y) - m_i) / s_i
    (m, s the training mean and std when standardising, else 0 and 1) and f_i
    either x or y: z = sum_i W_i (f_i - m_i) / s_i + b, so a = sum of W_i / s_i
    over the inputs x1, b the same over x2, and c = b - sum_i W_i m_i / s_i -
    the decision level (before the output activation, if any). Computed in
    float64 from the live weights, so a line of weights near 1e-16 is as exact as
    one of weights near 1.
    """
    data = trainer.data
    if data.modality != "points" or data.dims != 2 or trainer.spec.task != "binary":
        return None
    layers = [leaf for _, leaf in trainer.net.leaves]
    if not layers or not isinstance(layers[0], Dense) or len(layers) > 2:
        return None
    level: float | None = decision_level(trainer)
    if len(layers) == 2:  # an output activation: the level it reaches from z
        if not isinstance(layers[1], Act):
            return None
        level = _before(layers[1].fn.name, level)
        if level is None:
            return None
    names = tuple(data.feature_names)
    if not set(names) <= set(PLANE_FEATURES) or len(set(names)) != len(names):
        return None
    dense = layers[0]
    W, bias = dense.params["W"], dense.params["b"]  # (k, 1), (1,)
    if W.shape != (len(names), 1):
        return None
    mean = data.mean if data.mean is not None else [0.0] * len(names)
    std = data.std if data.std is not None else [1.0] * len(names)
    coef = {"x1": 0.0, "x2": 0.0}
    c = float(bias[0]) - level
    for i, name in enumerate(names):
        slope = float(W[i, 0]) / float(std[i])
        coef[name] += slope
        c -= slope * float(mean[i])
    return coef["x1"], coef["x2"], c
