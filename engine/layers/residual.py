"""Residual block: h(x) = f(x) + P x (He et al., 2016).

f is a branch of layers (e.g. dense, activation, dense, activation); P is the
identity when f keeps the shape, otherwise a learned projection without activation:
a dense layer when f changes a flat width, a 1x1 convolution (a per-pixel dense map
between channels) when f maps feature maps (C, H, W) to (C', H, W). The branch
only has to learn the residual h(x) - x, so an added block can always fall back to
the identity, and in backward the gradient reaches x straight through the skip:
dL/dx = f'(x)^T g + P^T g.
"""

from __future__ import annotations

import numpy as np

from engine.errors import SpecError
from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec, Sequential, Shape
from engine.layers.conv import Conv2D
from engine.layers.dense import Dense


class Residual(Layer):
    """Attributes:
    branch: the :class:`Sequential` f.
    projection: P when shapes differ (a :class:`Dense` for flat widths, a 1x1
        :class:`Conv2D` for channels of feature maps), else None.
    """

    kind = "residual"

    def __init__(self, layers: list[Layer]) -> None:
        super().__init__()
        self.branch = Sequential(layers)
        self.projection: Dense | Conv2D | None = None

    def children(self) -> list[Layer]:
        return [self.branch] + ([self.projection] if self.projection else [])

    def build(self, in_shape: Shape) -> Shape:
        self.in_shape = tuple(in_shape)
        self.out_shape = self.branch.build(self.in_shape)
        if self.out_shape != self.in_shape:
            self.projection = self._projection(self.in_shape, self.out_shape)
            self.projection.build(self.in_shape)
        return self.out_shape

    @staticmethod
    def _projection(in_shape: Shape, out_shape: Shape) -> Dense | Conv2D:
        if len(in_shape) == 1 and len(out_shape) == 1:
            return Dense(out_shape[0])
        if len(in_shape) == 3 and len(out_shape) == 3 and in_shape[1:] == out_shape[1:]:
            return Conv2D(out_shape[0], 1)
        raise SpecError.coded("", "residual_projection", shape=str(in_shape),
                              out=str(out_shape))

    def param_specs(self) -> list[ParamSpec]:
        parts = [self.branch] + ([self.projection] if self.projection else [])
        return [
            ParamSpec(f"{i}.{s.name}", s.shape, s.decay)
            for i, part in enumerate(parts)
            for s in part.param_specs()
        ]

    def state_specs(self) -> list[ParamSpec]:
        return [ParamSpec(f"0.{s.name}", s.shape) for s in self.branch.state_specs()]

    def bind(self, params, grads, state) -> None:
        super().bind(params, grads, state)
        nb = sum(s.size for s in self.branch.param_specs())
        self.branch.bind(params[:nb], grads[:nb], state)
        if self.projection:
            self.projection.bind(params[nb:], grads[nb:], state[:0])

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        self.branch.init(rng, init, bias_init)
        if self.projection:
            self.projection.init(rng, init, 0.0)

    def set_rng(self, rng: np.random.Generator) -> None:
        self.branch.set_rng(rng)

    def forward(self, x, train):
        skip = self.projection.forward(x, train) if self.projection else x
        return self.branch.forward(x, train) + skip

    def backward(self, grad_out):
        grad_in = self.branch.backward(grad_out)
        if self.projection:
            return grad_in + self.projection.backward(grad_out)
        return grad_in + grad_out

    def describe(self) -> dict:
        return {
            "type": self.kind,
            "layers": [layer.describe() for layer in self.branch.layers],
            "projection": self.projection is not None,
        }
