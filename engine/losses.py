"""Losses: a value for metrics and a gradient for training.

All losses average over the n samples of a batch, so learning rates do not depend
on batch size. ``grad`` also takes a cohort's stacked batches (C, n, n_out) (see
:mod:`engine.cohort`): it works on the last two axes, the same way for each run.

* ``mse``: L = (1/n) sum_i 1/2 ||o_i - t_i||^2 on the raw output (the notes: no
  output activation with squared error); dL/do = (o - t) / n.
* ``bce``: binary cross-entropy on one logit z with target t in {0, 1}, fused with
  the sigmoid: L = mean(softplus(z) - t z), computed stably with logaddexp;
  dL/dz = (sigmoid(z) - t) / n.
* ``softmax_ce``: cross-entropy of softmax(z) against the class, fused:
  L = mean(logsumexp(z) - z_y); dL/dz = (softmax(z) - onehot(y)) / n.

Targets are prepared once per dataset by :meth:`Loss.targets` into the float array
the gradient needs, so a step does no label conversion.
"""

from __future__ import annotations

import numpy as np


class Loss:
    """Base class. ``targets`` maps labels to the array ``grad`` compares against."""

    name = "loss"

    def targets(self, y: np.ndarray, n_out: int, dtype: np.dtype) -> np.ndarray:
        """y: (n,) int labels or (n, k) values -> t: (n, n_out) float."""
        raise NotImplementedError

    def value(self, out: np.ndarray, t: np.ndarray) -> float:
        """out, t: (n, n_out) -> mean loss."""
        raise NotImplementedError

    def values(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        """A cohort's stacked out, t: (C, n, n_out) -> each run's :meth:`value`, (C,)."""
        raise NotImplementedError

    def grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        """out, t: (n, n_out) -> dL/dout, (n, n_out); or stacked (C, n, n_out)."""
        raise NotImplementedError

    def predict(self, out: np.ndarray) -> np.ndarray:
        """Network output (n, n_out) -> what is shown: probability of class 1 (n, 1),
        class probabilities (n, k), or the regression value (n, n_out)."""
        return out

    def classify(self, out: np.ndarray) -> np.ndarray:
        """Network output (n, n_out) -> predicted class per row, int (n,) (stacked:
        (C, n, n_out) -> (C, n))."""
        if out.shape[-1] > 1:
            return out.argmax(axis=-1)
        return (self.predict(out)[..., 0] > 0.5).astype(np.int64)

    def labels(self, t: np.ndarray) -> np.ndarray:
        """Prepared targets (n, n_out) -> the class per row, int (n,) (stacked as
        :meth:`classify`)."""
        if t.shape[-1] > 1:
            return t.argmax(axis=-1)
        return (self.predict(t)[..., 0] > 0.5).astype(np.int64)


class MSE(Loss):
    """Half squared error, averaged over samples. For classification the targets are
    0/1 (one-hot for several classes), or -1/+1 with ``signed`` (for a tanh output)."""

    name = "mse"

    def __init__(self, signed: bool = False) -> None:
        self.signed = signed

    def targets(self, y, n_out, dtype):
        if y.ndim == 2:
            return np.ascontiguousarray(y, dtype=dtype)
        if n_out == 1:
            t = y.astype(dtype).reshape(-1, 1)
        else:
            t = np.zeros((y.shape[0], n_out), dtype=dtype)
            t[np.arange(y.shape[0]), y] = 1.0
        return 2.0 * t - 1.0 if self.signed else t

    def value(self, out, t):
        d = out - t
        return float(0.5 * np.vdot(d, d) / out.shape[0])

    def values(self, out, t):
        d = out - t
        return np.array([0.5 * np.vdot(row, row) / out.shape[1] for row in d])

    def grad(self, out, t):
        d = out - t
        d *= 1.0 / out.shape[-2]
        return d

    def predict(self, out):
        if self.signed:
            return out * 0.5 + 0.5
        return out


class BCEWithLogits(Loss):
    """Binary cross-entropy on a single logit per sample.

    Targets are kept as signs s = 2t - 1 in {-1, +1}, which makes both formulas
    short: L = mean(softplus(-s z)), and since sigmoid(z) - t = (tanh(z/2) - s) / 2,
    dL/dz = (tanh(z/2) - s) / (2n): four NumPy calls for the whole gradient.
    """

    name = "bce"

    def targets(self, y, n_out, dtype):
        return (2.0 * y.astype(dtype) - 1.0).reshape(-1, 1)

    def value(self, out, t):
        return float(self.values(out, t))

    def values(self, out, t):
        return np.mean(np.logaddexp(0.0, -t * out), axis=(-2, -1))

    def grad(self, out, t):
        s = np.tanh(out * 0.5)
        s -= t
        s *= 0.5 / out.shape[-2]
        return s

    def predict(self, out):
        return 0.5 * (1.0 + np.tanh(0.5 * out))

    def labels(self, t):
        return (t[..., 0] > 0).astype(np.int64)


class SoftmaxCrossEntropy(Loss):
    """Softmax over k logits fused with cross-entropy against integer classes."""

    name = "softmax_ce"

    def targets(self, y, n_out, dtype):
        t = np.zeros((y.shape[0], n_out), dtype=dtype)
        t[np.arange(y.shape[0]), y] = 1.0
        return t

    @staticmethod
    def softmax(z: np.ndarray) -> np.ndarray:
        """z: (n, k) (or stacked, (C, n, k)) -> row-wise softmax, shifted by the row
        max for stability."""
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def value(self, out, t):
        return float(self.values(out, t))

    def values(self, out, t):
        zmax = out.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(out - zmax).sum(axis=-1)) + zmax[..., 0]
        return np.mean(lse - (out * t).sum(axis=-1), axis=-1)

    def grad(self, out, t):
        p = self.softmax(out)
        p -= t
        p *= 1.0 / out.shape[-2]
        return p

    def predict(self, out):
        return self.softmax(out)


LOSSES: dict[str, type[Loss]] = {cls.name: cls for cls in (MSE, BCEWithLogits, SoftmaxCrossEntropy)}
