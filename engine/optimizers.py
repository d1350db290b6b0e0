"""Optimisers over the flat parameter and gradient buffers, simplest first.

Each works on the whole model at once: ``step(params, grads)`` updates the flat
parameter array in place with a handful of NumPy calls. The learning rate and the
regularisation strengths are plain attributes and may change between steps.

Regularisation is added to the gradient before the update, on weights only (the
``decay`` mask is 1 on weights, 0 on biases and other parameters):
L2 adds l2 * w (the gradient of l2/2 ||w||^2), L1 adds l1 * sign(w).

Each update's arithmetic is a static ``apply`` whose arrays may also be a cohort's
stacked rows (C, size) with the per-run numbers as columns (C, 1) (see
:mod:`engine.cohort`): the same calls in the same order, so a run's numbers are
the same alone or in a cohort.
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
            add_l2(params, grads, self.decay, self.l2, self._tmp)
        if self.l1:
            add_l1(params, grads, self.decay, self.l1, self._tmp)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` (flat) in place from ``grads`` (flat)."""
        if self.l1 or self.l2:
            self.regularise(params, grads)
        self.t += 1
        self.update(params, grads)

    def update(self, params: np.ndarray, grads: np.ndarray) -> None:
        self.apply(params, grads, self._tmp, self.lr)

    @staticmethod
    def apply(params, grads, tmp, lr) -> None:
        np.multiply(grads, lr, out=tmp)
        params -= tmp

    def coefficients(self) -> tuple:
        """What :meth:`apply` takes after ``tmp`` for this step (after ``t`` was
        counted): the learning rate, the slot arrays, the constants."""
        return (self.lr,)

    def stacked_coefficients(self, lr, t, slots: dict[str, np.ndarray]) -> tuple:
        """:meth:`coefficients` for a cohort of runs with this one's constants: ``lr``
        their learning rates (a number, or a float64 column (C, 1)), ``t`` their
        step counts (an int, or an int array (C,)), ``slots`` their stacked slot
        arrays (C, size). Numbers that differ come back as float64 columns."""
        return (lr,)

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
        self.apply(params, grads, self._tmp, self.lr, self.v, self.momentum, self.nesterov)

    @staticmethod
    def apply(params, grads, tmp, lr, v, momentum, nesterov) -> None:
        v *= momentum
        v += grads
        if nesterov:
            np.multiply(v, momentum, out=tmp)
            tmp += grads
            tmp *= lr
        else:
            np.multiply(v, lr, out=tmp)
        params -= tmp

    def coefficients(self) -> tuple:
        return (self.lr, self.v, self.momentum, self.nesterov)

    def stacked_coefficients(self, lr, t, slots):
        return (lr, slots["v"], self.momentum, self.nesterov)


class RMSprop(Optimizer):
    """s <- rho s + (1 - rho) g^2; w <- w - lr g / (sqrt(s) + eps)."""

    name = "rmsprop"
    slots = ("s",)

    def __init__(self, size, decay, lr=0.001, l1=0.0, l2=0.0, dtype=np.float64,
                 rho: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(size, decay, lr, l1, l2, dtype)
        self.rho, self.eps = float(rho), float(eps)

    def update(self, params, grads):
        self.apply(params, grads, self._tmp, self.lr, self.s, self.rho, self.eps)

    @staticmethod
    def apply(params, grads, tmp, lr, s, rho, eps) -> None:
        s *= rho
        np.multiply(grads, grads, out=tmp)
        tmp *= 1.0 - rho
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += eps
        np.divide(grads, tmp, out=tmp)
        tmp *= lr
        params -= tmp

    def coefficients(self) -> tuple:
        return (self.lr, self.s, self.rho, self.eps)

    def stacked_coefficients(self, lr, t, slots):
        return (lr, slots["s"], self.rho, self.eps)


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
        self.apply(params, grads, self._tmp, *self.coefficients())

    def coefficients(self) -> tuple:
        """Both bias corrections are folded into the step size and eps."""
        root_c2, c1 = self.corrections(self.t)
        return (self.m, self.v, self.beta1, self.beta2, self.eps * root_c2,
                self.lr * root_c2 / c1)

    def corrections(self, t: int) -> tuple[float, float]:
        """(sqrt(1 - beta2^t), 1 - beta1^t) at step t."""
        return (1.0 - self.beta2**t) ** 0.5, 1.0 - self.beta1**t

    def stacked_coefficients(self, lr, t, slots):
        if isinstance(t, int | np.integer):
            root_c2, c1 = self.corrections(int(t))
        else:  # per run, each from the same float arithmetic as alone
            known = {int(step): self.corrections(int(step)) for step in np.unique(t)}
            root_c2 = np.array([known[int(step)][0] for step in t]).reshape(-1, 1)
            c1 = np.array([known[int(step)][1] for step in t]).reshape(-1, 1)
        return (slots["m"], slots["v"], self.beta1, self.beta2, self.eps * root_c2,
                lr * root_c2 / c1)

    @staticmethod
    def apply(params, grads, tmp, m, v, b1, b2, eps_t, lr_t) -> None:
        m *= b1
        np.multiply(grads, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(grads, grads, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += eps_t
        np.divide(m, tmp, out=tmp)
        tmp *= lr_t
        params -= tmp


def add_l2(params, grads, decay, l2, tmp) -> None:
    """grads += l2 * w on the decayed entries (arrays flat, or stacked rows with l2
    a column)."""
    np.multiply(params, decay, out=tmp)
    tmp *= l2
    grads += tmp


def add_l1(params, grads, decay, l1, tmp) -> None:
    """grads += l1 * sign(w) on the decayed entries."""
    np.sign(params, out=tmp)
    tmp *= decay
    tmp *= l1
    grads += tmp


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (Optimizer, Momentum, RMSprop, Adam)
}
