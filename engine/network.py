"""A network: layers in sequence over three flat buffers.

All learnable parameters live in one flat array ``params`` and all their gradients
in one flat array ``grads`` of the same layout; non-learned state (batch-norm running
statistics) lives in ``state``. Each layer holds views into these, so an optimiser
step, a checkpoint or a save is a few operations on three arrays, whatever the
depth. ``entries`` maps every parameter to its place in ``params`` for addressing a
single weight ("layer 2, W, row 0, column 3") from a page or the API.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.initializers import Initializer
from engine.layers import Layer, Sequential, walk
from engine.layers.base import ParamSpec, Shape, total_size


@dataclass(frozen=True)
class Entry:
    """Where one parameter array lives.

    Attributes:
        path: dotted path of the leaf layer (``"0"``, ``"2.0.1"``).
        name: parameter name within the layer (``"W"``, ``"b"``, ``"gamma"``).
        offset: start in the flat buffer.
        shape: array shape.
        decay: whether regularisation applies.
    """

    path: str
    name: str
    offset: int
    shape: Shape
    decay: bool

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


class Network:
    """Layers applied in order to inputs of a fixed per-sample shape.

    Args:
        layers: the layers, output layer last.
        in_shape: per-sample input shape, e.g. (2,).
        dtype: float64 (default, exact gradient checks) or float32.
    """

    def __init__(self, layers: list[Layer], in_shape: Shape, dtype=np.float64) -> None:
        self.body = Sequential(layers)
        self.in_shape = tuple(in_shape)
        self.dtype = np.dtype(dtype)
        self.out_shape = self.body.build(self.in_shape)
        specs = self.body.param_specs()
        self.params = np.zeros(total_size(specs), dtype=self.dtype)
        self.grads = np.zeros_like(self.params)
        self.state = np.zeros(total_size(self.body.state_specs()), dtype=self.dtype)
        self.body.bind(self.params, self.grads, self.state)
        self.entries = self._index(specs)
        self.decay = np.zeros(self.params.size, dtype=bool)
        for e in self.entries:
            if e.decay:
                self.decay[e.offset : e.offset + e.size] = True
        self.leaves = list(walk(self.body))
        first = self.layers[0] if self.layers else None
        # a first dense or conv layer skips dL/dx during training
        self._first_weights = first if hasattr(first, "need_input_grad") else None

    def _index(self, specs: list[ParamSpec]) -> list[Entry]:
        entries, offset = [], 0
        for spec in specs:
            path, _, name = spec.name.rpartition(".")
            entries.append(Entry(path, name, offset, spec.shape, spec.decay))
            offset += spec.size
        return entries

    @property
    def layers(self) -> list[Layer]:
        return self.body.layers

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float = 0.0) -> None:
        """Draw all parameters from ``rng`` and reset state."""
        self.params[...] = 0.0
        self.state[...] = 0.0
        self.body.init(rng, init, bias_init)

    def set_rng(self, rng: np.random.Generator) -> None:
        """Generator for training-time noise (dropout masks, RReLU slopes)."""
        self.body.set_rng(rng)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x: (n, *in_shape) -> output (n, *out_shape).

        The result may be a buffer reused by the next call with the same batch size;
        copy it to keep it (:meth:`predict` does).
        """
        return self.body.forward(x, train)

    @one_blas_thread
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Evaluation-mode output as a fresh array, (n, *out_shape)."""
        return np.array(self.body.forward(np.asarray(x, dtype=self.dtype), False))

    def backward(self, grad_out: np.ndarray, input_grad: bool = False) -> np.ndarray | None:
        """Fill ``grads`` from dL/doutput (n, *out_shape) after a forward.

        With ``input_grad`` False the first dense or conv layer skips dL/dx, which
        nobody needs during training; returns dL/dx (n, *in_shape) otherwise.
        """
        if self._first_weights is not None:
            self._first_weights.need_input_grad = input_grad
        return self.body.backward(grad_out)

    # -- addressing single parameters ---------------------------------------------
    def entry(self, path: str, name: str) -> Entry:
        for e in self.entries:
            if e.path == path and e.name == name:
                return e
        raise KeyError(f"no parameter {name!r} in layer {path!r}")

    def view(self, path: str, name: str) -> np.ndarray:
        """The parameter array (a view into ``params``)."""
        e = self.entry(path, name)
        return self.params[e.offset : e.offset + e.size].reshape(e.shape)

    def grad_view(self, path: str, name: str) -> np.ndarray:
        e = self.entry(path, name)
        return self.grads[e.offset : e.offset + e.size].reshape(e.shape)

    def weights(self) -> dict[str, dict[str, np.ndarray]]:
        """{layer path: {name: copy of the array}} for every parameter."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for e in self.entries:
            out.setdefault(e.path, {})[e.name] = self.view(e.path, e.name).copy()
        return out

    def layer(self, path: str) -> Layer:
        for p, leaf in self.leaves:
            if p == path:
                return leaf
        raise KeyError(f"no layer {path!r}")

    def describe(self) -> list[dict]:
        """JSON-able layer list with paths (for snapshots and saved models)."""
        return [{"path": p, **leaf.describe()} for p, leaf in self.leaves]
