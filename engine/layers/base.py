"""The layer contract and the container that chains layers.

Every layer follows one contract:

* ``forward(x, train)`` returns the output and keeps what ``backward`` needs;
* ``backward(grad_out)`` fills the layer's parameter gradients and returns the
  gradient with respect to its input.

A layer never owns its parameter memory. It declares its parameters with
:meth:`Layer.param_specs`; the network allocates one flat parameter buffer and one
flat gradient buffer for the whole model and hands each layer the contiguous slices
that belong to it (:meth:`Layer.bind`). Parameters are therefore views, and an
optimiser updates the whole model with a few operations on the flat buffers.
Non-learned state (batch-norm running statistics) lives in a third flat buffer in
the same way, so a checkpoint of a run is three array copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.initializers import Initializer

Shape = tuple[int, ...]


@dataclass(frozen=True)
class ParamSpec:
    """One named parameter of a layer.

    Attributes:
        name: name within the layer (``"W"``, ``"b"``, ``"gamma"`` ...).
        shape: array shape.
        decay: whether L1/L2 regularisation applies (weights yes, biases no).
    """

    name: str
    shape: Shape
    decay: bool = False

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


class Layer:
    """Base class: a layer with no parameters and no state.

    Subclasses set ``self.out_shape`` in :meth:`build` (per-sample shape, without the
    batch axis) and override what they need.
    """

    kind: str = "layer"
    cached: tuple[str, ...] = ()
    """Attributes holding what backward needs from the last forward (see :meth:`forget`)."""

    def __init__(self) -> None:
        self.in_shape: Shape = ()
        self.out_shape: Shape = ()
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.rng: np.random.Generator | None = None

    # -- construction -------------------------------------------------------------
    def build(self, in_shape: Shape) -> Shape:
        """Fix the input shape (per sample) and return the output shape."""
        self.in_shape = tuple(in_shape)
        self.out_shape = self.in_shape
        return self.out_shape

    def param_specs(self) -> list[ParamSpec]:
        """Parameters in memory order. Called after :meth:`build`."""
        return []

    def state_specs(self) -> list[ParamSpec]:
        """Non-learned state arrays in memory order. Called after :meth:`build`."""
        return []

    def bind(self, params: np.ndarray, grads: np.ndarray, state: np.ndarray) -> None:
        """Receive this layer's 1-D slices of the flat buffers and make named views."""
        self.params = _carve(params, self.param_specs())
        self.grads = _carve(grads, self.param_specs())
        self.state = _carve(state, self.state_specs())

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        """Fill the parameters (the buffers start as zeros)."""

    def set_rng(self, rng: np.random.Generator) -> None:
        """Give the layer the generator it draws training-time noise from."""
        self.rng = rng

    def children(self) -> list[Layer]:
        """Sub-layers, for containers; a leaf has none."""
        return []

    def forget(self) -> None:
        """Drop what the last forward kept for backward (inputs, masks), after a large
        evaluation pass, so a run holds half as much between frames. The outputs
        stay: their memory is reused by the next pass instead of being handed back
        to the system and faulted in again, which would cost more than the pass."""
        for name in self.cached:
            setattr(self, name, None)
        for child in self.children():
            child.forget()

    # -- computation ------------------------------------------------------------
    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """x: (n, *in_shape) -> (n, *out_shape)."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: (n, *out_shape) -> grad_in (n, *in_shape)."""
        raise NotImplementedError

    def describe(self) -> dict:
        """JSON-able description of the layer's settings (for snapshots and export)."""
        return {"type": self.kind}


def _carve(flat: np.ndarray, specs: list[ParamSpec]) -> dict[str, np.ndarray]:
    views: dict[str, np.ndarray] = {}
    offset = 0
    for spec in specs:
        views[spec.name] = flat[offset : offset + spec.size].reshape(spec.shape)
        offset += spec.size
    if offset != flat.size:
        raise ValueError(f"buffer of {flat.size} values for {offset} declared")
    return views


def total_size(specs: list[ParamSpec]) -> int:
    return sum(s.size for s in specs)


class Sequential(Layer):
    """Layers applied one after another; the network and residual branches use it."""

    kind = "sequential"

    def __init__(self, layers: list[Layer]) -> None:
        super().__init__()
        self.layers = list(layers)
        # bound methods, looked up once: a playground step is call-bound
        self._forwards = [layer.forward for layer in self.layers]
        self._backwards = [layer.backward for layer in reversed(self.layers)]

    def children(self) -> list[Layer]:
        return self.layers

    def build(self, in_shape: Shape) -> Shape:
        self.in_shape = tuple(in_shape)
        shape = self.in_shape
        for layer in self.layers:
            shape = layer.build(shape)
        self.out_shape = shape
        return shape

    def param_specs(self) -> list[ParamSpec]:
        return [
            ParamSpec(f"{i}.{s.name}", s.shape, s.decay)
            for i, layer in enumerate(self.layers)
            for s in layer.param_specs()
        ]

    def state_specs(self) -> list[ParamSpec]:
        return [
            ParamSpec(f"{i}.{s.name}", s.shape, s.decay)
            for i, layer in enumerate(self.layers)
            for s in layer.state_specs()
        ]

    def bind(self, params: np.ndarray, grads: np.ndarray, state: np.ndarray) -> None:
        super().bind(params, grads, state)
        p = g = s = 0
        for layer in self.layers:
            np_, ns = total_size(layer.param_specs()), total_size(layer.state_specs())
            layer.bind(params[p : p + np_], grads[g : g + np_], state[s : s + ns])
            p += np_
            g += np_
            s += ns

    def init(self, rng: np.random.Generator, init: Initializer, bias_init: float) -> None:
        for layer in self.layers:
            layer.init(rng, init, bias_init)

    def set_rng(self, rng: np.random.Generator) -> None:
        for layer in self.layers:
            layer.set_rng(rng)

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        for forward in self._forwards:
            x = forward(x, train)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        for backward in self._backwards:
            grad_out = backward(grad_out)
        return grad_out


def walk(layer: Layer, path: str = "") -> Iterator[tuple[str, Layer]]:
    """Yield ``(path, layer)`` for every leaf layer, depth first, in forward order.

    Paths are dotted child indices such as ``"3"`` or ``"4.0.2"``.
    """
    kids = layer.children()
    if not kids:
        yield path, layer
        return
    for i, child in enumerate(kids):
        yield from walk(child, f"{path}.{i}" if path else str(i))
