"""Embedding layers: token ids in, word vectors out, channels first.

An embedding is a table T (V, E): row i is the vector of word i. The input is a
batch of token ids (n, L), given as floats because a network's inputs are float
arrays; the layer rounds them and checks they are whole numbers in 0..V-1. The
output is (n, E, L): for sample k and position l, out[k, :, l] = T[ids[k, l]], so
a 1-D convolution with E input channels can slide over the L positions.

Padding (id 0) is "no word": its positions output zeros whatever row 0 holds, and
row 0 never gets a gradient. Backward scatters the output gradient into the rows
of the words that were used, adding up repeats:

    dT[i] = sum over (k, l) with ids[k, l] = i (and i != 0) of grad_out[k, :, l]

Token ids have no gradient (moving an id by a little does not move the output),
so backward returns zeros shaped like the input; that is also what central
differences give, as the ids are rounded.

* :class:`Embedding` with ``trainable=True`` keeps T as a parameter (no weight
  decay), fine-tuned by the optimiser. With ``trainable=False`` T lives in the
  layer's state instead, which optimisers never touch: the vectors stay frozen.
* :class:`TwoChannelEmbedding` outputs both at once, (n, 2E, L): channels 0..E-1
  read a frozen copy (state "static"), channels E..2E-1 a trained copy (parameter
  "table"), both starting as the same pre-trained vectors, as in Kim's (2014)
  two-channel text CNN.

Both layers start from the given ``vectors`` and ignore the initialiser.
"""

from __future__ import annotations

import numpy as np

from engine.errors import SpecError
from engine.initializers import Initializer
from engine.layers.base import Layer, ParamSpec, Shape

ROUNDING = 1e-3
"""Largest distance of an input from a whole number still taken as a token id."""


def token_ids(x: np.ndarray, vocab: int) -> np.ndarray:
    """Ids int64 (n, L) from float ids (n, L); ValueError unless every entry is
    within ROUNDING of a whole number in 0..vocab-1."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"embedding needs token ids of shape (n, L), got {x.shape}")
    if x.dtype.kind in "iu":
        ids = x.astype(np.int64)
    else:
        if not np.all(np.isfinite(x)):
            raise ValueError("token ids must be finite")
        ids = np.rint(x).astype(np.int64)
        if x.size and np.max(np.abs(x - ids)) > ROUNDING:
            raise ValueError("token ids must be whole numbers")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab):
        bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
        raise ValueError(f"token id {bad} out of range 0..{vocab - 1} (vocabulary of {vocab})")
    return ids


def gather(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """table (V, E), ids (n, L) -> (n, E, L) C-contiguous, zeros at PAD positions."""
    out = np.ascontiguousarray(table[ids].transpose(0, 2, 1))
    pad = ids == 0
    if pad.any():
        out.transpose(0, 2, 1)[pad] = 0.0
    return out


def scatter(grad_out: np.ndarray, ids: np.ndarray, vocab: int) -> np.ndarray:
    """Table gradient float64 (V, E) from grad_out (n, E, L): each row sums the
    gradient at the positions of its word; row 0 (PAD) stays zero."""
    E = grad_out.shape[1]
    flat = ids[:, None, :] * E + np.arange(E)[None, :, None]  # (n, E, L) like grad_out
    dT = np.bincount(flat.ravel(), weights=grad_out.ravel(), minlength=vocab * E)
    dT = dT.reshape(vocab, E)
    dT[0] = 0.0
    return dT


class _TableLayer(Layer):
    """Shared parts: the vectors, the shapes and the id check."""

    cached = ("_ids",)

    def __init__(self, vectors: np.ndarray) -> None:
        super().__init__()
        vectors = np.array(vectors, dtype=np.float64)
        if vectors.ndim != 2 or vectors.shape[0] < 2 or vectors.shape[1] < 1:
            raise ValueError(f"vectors must be (V, E) with V >= 2, got {vectors.shape}")
        vectors.flags.writeable = False
        self.vectors = vectors
        self.vocab, self.dims = vectors.shape
        self._ids: np.ndarray | None = None
        self._dtype = np.dtype(np.float64)

    def build(self, in_shape: Shape) -> Shape:
        if len(in_shape) != 1:
            raise SpecError.coded("", "embedding_input_shape", shape=str(in_shape))
        self.in_shape = tuple(in_shape)
        self.out_shape = (self.channels, self.in_shape[0])
        return self.out_shape

    @property
    def channels(self) -> int:
        return self.dims

    def _read(self, x: np.ndarray) -> np.ndarray:
        """Check and keep the ids of a forward input (and its dtype for backward)."""
        x = np.asarray(x)
        self._dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        self._ids = token_ids(x, self.vocab)
        return self._ids

    def _input_grad(self) -> np.ndarray:
        return np.zeros(self._ids.shape, dtype=self._dtype)


class Embedding(_TableLayer):
    """Look up one table (V, E) of word vectors.

    Args:
        vectors: starting vectors (V, E); copied.
        trainable: True -> parameter "table" (fine-tuned, decay off);
            False -> state "table" (frozen: no parameters at all).
    """

    kind = "embedding"

    def __init__(self, vectors: np.ndarray, trainable: bool = True) -> None:
        super().__init__(vectors)
        self.trainable = bool(trainable)

    def param_specs(self) -> list[ParamSpec]:
        return [ParamSpec("table", (self.vocab, self.dims))] if self.trainable else []

    def state_specs(self) -> list[ParamSpec]:
        return [] if self.trainable else [ParamSpec("table", (self.vocab, self.dims))]

    @property
    def table(self) -> np.ndarray:
        return self.params["table"] if self.trainable else self.state["table"]

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        self.table[...] = self.vectors

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: float ids (n, L) -> (n, E, L)."""
        return gather(self.table, self._read(x))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out (n, E, L) -> zeros (n, L); fills grads["table"] when trainable."""
        if self.trainable:
            self.grads["table"][...] = scatter(grad_out, self._ids, self.vocab)
        return self._input_grad()

    def describe(self) -> dict:
        return {"type": self.kind, "vocab": self.vocab, "dims": self.dims,
                "trainable": self.trainable}


class TwoChannelEmbedding(_TableLayer):
    """A frozen and a trained copy of the same vectors, stacked: (n, 2E, L).

    State "static" (V, E) feeds channels 0..E-1; parameter "table" (V, E, decay
    off) feeds channels E..2E-1. Both start equal to ``vectors``.
    """

    kind = "two_channel_embedding"

    def param_specs(self) -> list[ParamSpec]:
        return [ParamSpec("table", (self.vocab, self.dims))]

    def state_specs(self) -> list[ParamSpec]:
        return [ParamSpec("static", (self.vocab, self.dims))]

    @property
    def channels(self) -> int:
        return 2 * self.dims

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        self.state["static"][...] = self.vectors
        self.params["table"][...] = self.vectors

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: float ids (n, L) -> (n, 2E, L), frozen channels first."""
        ids = self._read(x)
        return np.concatenate([gather(self.state["static"], ids),
                               gather(self.params["table"], ids)], axis=1)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out (n, 2E, L) -> zeros (n, L); the trained half fills grads["table"]."""
        self.grads["table"][...] = scatter(grad_out[:, self.dims :], self._ids, self.vocab)
        return self._input_grad()

    def describe(self) -> dict:
        return {"type": self.kind, "vocab": self.vocab, "dims": self.dims, "channels": 2}
