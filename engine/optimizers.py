"""Optimisers over the flat parameter and gradient buffers, simplest first.

Each works on the whole model at once: ``step(params, grads)`` updates the flat
parameter array in place with a handful of NumPy calls. The learning rate and the
regularisation strengths are plain attributes and may change between steps.

Regularisation is added to the gradient before the update, on weights only (the
``decay`` mask is 1 on weights, 0 on biases and other parameters):
L2 adds l2 * w (the gradient of l2/2 ||w||^2), L1 adds l1 * sign(w).
"""

from __future__ import annotations

import numpy as np


class Optimizer:
    """Plain SGD: w <- w - lr * g.

    Attributes:
        lr: learning rate. l1, l2: regularisation strengths.
        decay: flat 0/1 mask of the parameters regularisation applies to.
        slots: names of the per-parameter state arrays (for checkpoints).
    """

    name = "sgd"
    slots: tuple[str, ...] = ()

    def __init__(self, size: int, decay: np.ndarray, lr: float = 0.03, l1: float = 0.0,
                 l2: float = 0.0, dtype: np.dtype = np.float64) -> None:
        self.lr, self.l1, self.l2 = float(lr), float(l1), float(l2)
        self.decay = decay.astype(dtype)
        self.t = 0
        self._tmp = np.empty(size, dtype=dtype)
        for slot in self.slots:
            setattr(self, slot, np.zeros(size, dtype=dtype))

    def regularise(self, params: np.ndarray, grads: np.ndarray) -> None:
        """grads += l2 * w + l1 * sign(w) on the decayed entries."""
        if self.l2:
            np.multiply(params, self.decay, out=self._tmp)
            self._tmp *= self.l2
            grads += self._tmp
        if self.l1:
            np.sign(params, out=self._tmp)
            self._tmp *= self.decay
            self._tmp *= self.l1
            grads += self._tmp

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` (flat) in place from ``grads`` (flat)."""
        if self.l1 or self.l2:
            self.regularise(params, grads)
        self.t += 1
        self.update(params, grads)

    def update(self, params: np.ndarray, grads: np.ndarray) -> None:
        np.multiply(grads, self.lr, out=self._tmp)
        params -= self._tmp

    def state(self) -> dict[str, np.ndarray | int]:
        """Copies of the optimiser state (for checkpoints and saved models)."""
        return {"t": self.t, **{s: getattr(self, s).copy() for s in self.slots}}

    def load_state(self, state: dict) -> None:
        self.t = int(state["t"])
        for s in self.slots:
            getattr(self, s)[...] = state[s]


class Momentum(Optimizer):
    """Heavy-ball momentum: v <- mu v + g; w <- w - lr v.
    Nesterov looks ahead: w <- w - lr (g + mu v) (with the new v).

    The velocity v adds up gradients only, and the learning rate scales it at
    each step, so a learning rate changed mid-run takes effect at the next step
    (PyTorch's form; the other common form, v <- mu v - lr g and w <- w + v, keeps
    the old rate inside v for about 1 / (1 - mu) steps). With a constant rate the
    two forms take the same steps."""

    name = "momentum"
    slots = ("v",)

    def __init__(self, size, decay, lr=0.03, l1=0.0, l2=0.0, dtype=np.float64,
                 momentum: float = 0.9, nesterov: bool = False) -> None:
        super().__init__(size, decay, lr, l1, l2, dtype)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def update(self, params, grads):
        v, tmp = self.v, self._tmp
        v *= self.momentum
        v += grads
        if self.nesterov:
            np.multiply(v, self.momentum, out=tmp)
            tmp += grads
            tmp *= self.lr
        else:
            np.multiply(v, self.lr, out=tmp)
        params -= tmp


class RMSprop(Optimizer):
    """s <- rho s + (1 - rho) g^2; w <- w - lr g / (sqrt(s) + eps)."""

    name = "rmsprop"
    slots = ("s",)

    def __init__(self, size, decay, lr=0.001, l1=0.0, l2=0.0, dtype=np.float64,
                 rho: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(size, decay, lr, l1, l2, dtype)
        self.rho, self.eps = float(rho), float(eps)

    def update(self, params, grads):
        s, tmp = self.s, self._tmp
        s *= self.rho
        np.multiply(grads, grads, out=tmp)
        tmp *= 1.0 - self.rho
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(grads, tmp, out=tmp)
        tmp *= self.lr
        params -= tmp


class Adam(Optimizer):
    """m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;
    w <- w - lr * mhat / (sqrt(vhat) + eps) with the bias corrections
    mhat = m / (1 - b1^t), vhat = v / (1 - b2^t) (Kingma and Ba, 2015)."""

    name = "adam"
    slots = ("m", "v")

    def __init__(self, size, decay, lr=0.001, l1=0.0, l2=0.0, dtype=np.float64,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(size, decay, lr, l1, l2, dtype)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def update(self, params, grads):
        m, v, tmp = self.m, self.v, self._tmp
        b1, b2 = self.beta1, self.beta2
        m *= b1
        np.multiply(grads, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(grads, grads, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        # fold both bias corrections into the step size and eps
        c1, c2 = 1.0 - b1**self.t, 1.0 - b2**self.t
        np.sqrt(v, out=tmp)
        tmp += self.eps * c2**0.5
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr * c2**0.5 / c1
        params -= tmp


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (Optimizer, Momentum, RMSprop, Adam)
}
