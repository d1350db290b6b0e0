"""Batch normalisation (Ioffe and Szegedy, 2015), per unit.

Training: each unit j is normalised with the mean and variance of the mini-batch,
xhat = (x - mu_B) / sqrt(var_B + eps), then scaled and shifted by learnable
gamma_j and beta_j (so the layer can undo the normalisation if that helps, e.g.
move a sigmoid's input out of its nearly linear middle). Running averages
r <- (1 - m) r + m * batch_stat are kept for evaluation, where there is no batch.

Backward in training mode (the batch statistics depend on every row):
dxhat = g * gamma,
dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var_B + eps).
In evaluation mode the map is affine and dx = g * gamma / sqrt(r_var + eps).
"""

from __future__ import annotations

import numpy as np

from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec


class BatchNorm(Layer):
    """Attributes:
    momentum: weight m of the newest batch in the running averages.
    eps: added to the variance.
    """

    kind = "batchnorm"
    cached = ("_xhat", "_inv_std")

    def __init__(self, momentum: float = 0.1, eps: float = 1e-5) -> None:
        super().__init__()
        self.momentum, self.eps = float(momentum), float(eps)

    def param_specs(self) -> list[ParamSpec]:
        return [ParamSpec("gamma", self.in_shape), ParamSpec("beta", self.in_shape)]

    def state_specs(self) -> list[ParamSpec]:
        return [ParamSpec("running_mean", self.in_shape), ParamSpec("running_var", self.in_shape)]

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        self.params["gamma"][...] = 1.0
        self.params["beta"][...] = 0.0
        self.state["running_mean"][...] = 0.0
        self.state["running_var"][...] = 1.0

    def forward(self, x, train):
        """x: (n, units) -> (n, units)."""
        if train:
            n = x.shape[0]
            mu = x.sum(axis=0)
            mu *= 1.0 / n
            xc = x - mu
            var = (xc * xc).sum(axis=0)
            var *= 1.0 / n
            self._train = True
            m = self.momentum
            rm, rv = self.state["running_mean"], self.state["running_var"]
            rm += m * (mu - rm)
            rv += m * ((var * (n / (n - 1)) if n > 1 else var) - rv)
        else:
            xc = x - self.state["running_mean"]
            var = self.state["running_var"]
            self._train = False
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._xhat = xc * self._inv_std
        return self._xhat * self.params["gamma"] + self.params["beta"]

    def backward(self, grad_out):
        g = grad_out
        xhat = self._xhat
        g.sum(axis=0, out=self.grads["beta"])
        (g * xhat).sum(axis=0, out=self.grads["gamma"])
        dxhat = g * self.params["gamma"]
        if not self._train:
            return dxhat * self._inv_std
        n = g.shape[0]
        mean_dxhat = dxhat.sum(axis=0)
        mean_dxhat *= 1.0 / n
        mean_dxhat_xhat = self.grads["gamma"] * (self.params["gamma"] / n)
        dxhat -= mean_dxhat
        dxhat -= xhat * mean_dxhat_xhat
        dxhat *= self._inv_std
        return dxhat

    def describe(self) -> dict:
        return {"type": self.kind, "momentum": self.momentum, "eps": self.eps}
