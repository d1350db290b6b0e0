"""Central-difference gradient checks for layers and whole networks.

A backward pass is only trusted once it agrees with the numbers. For a scalar
function L of an array x, the central difference

    dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

has an error of order eps^2, so in float64 with eps = 1e-6 an analytic gradient that
is right agrees with it to about 1e-8 relative error, and one that is wrong is off by
far more. :func:`rel_error` measures the disagreement.

* :func:`check_layer` turns one layer's output into a scalar with a fixed random
  projection r, L = sum(forward(x) * r), so dL/doutput = r and ``backward(r)``
  must give dL/dx and every parameter gradient.
* :func:`check_network` does the same for a :class:`engine.network.Network` with a
  real loss, over the flat parameter buffer and the input.

Noise: before every forward the check gives the layer (or network) a fresh
generator seeded with ``seed``, so random draws (RReLU slopes, dropout masks that
are not fixed) repeat exactly and the function being differentiated is
deterministic; the layers' own generators are put back afterwards. A dropout layer
with ``fixed_mask`` set uses that mask instead of drawing.

Batch norm in training mode updates its running statistics on every forward, so a
check moves them (many times). The training-mode output does not read them, so the
gradients checked are unaffected; only the state after the check differs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from engine.initializers import Initializer
from engine.layers.base import Layer, Shape, total_size, walk

if TYPE_CHECKING:
    from engine.losses import Loss
    from engine.network import Network

TINY = 1e-8
"""Floor of the denominator in :func:`rel_error`, so two (near) zeros compare as equal."""


def numeric_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``x``.

    ``f`` takes no arguments and must read ``x`` (or a view of it) when called. Each
    entry of ``x`` is moved by +eps and -eps in place and then restored exactly, so
    ``x`` is unchanged on return (any array, views included). Returns a float64
    array shaped like ``x``.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = float(f())
        x[i] = old - eps
        down = float(f())
        x[i] = old
        grad[i] = (up - down) / (2.0 * eps)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray, tiny: float = TINY) -> float:
    """max over entries of |a - b| / max(|a| + |b|, tiny); 0.0 for empty arrays."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), tiny)))


class Buffers(NamedTuple):
    """The flat float64 buffers a stand-alone layer is bound to."""

    params: np.ndarray
    grads: np.ndarray
    state: np.ndarray


def bind_layer(
    layer: Layer,
    in_shape: Shape,
    rng: np.random.Generator,
    init: Initializer | None = None,
    bias_init: float = 0.0,
    dtype: type = np.float64,
) -> Buffers:
    """Set up one layer without a network: build it for ``in_shape`` (per sample),
    allocate buffers of ``dtype`` (float64 for gradient checks) for its parameters
    and state, bind, initialise from ``rng`` with ``init`` (Xavier uniform by
    default) and give it ``rng`` for noise.
    """
    layer.build(tuple(in_shape))
    n_params = total_size(layer.param_specs())
    bufs = Buffers(
        np.zeros(n_params, dtype=dtype),
        np.zeros(n_params, dtype=dtype),
        np.zeros(total_size(layer.state_specs()), dtype=dtype),
    )
    layer.bind(*bufs)
    layer.init(rng, init if init is not None else Initializer(), bias_init)
    layer.set_rng(rng)
    return bufs


def _saved_rngs(layer: Layer) -> list[tuple[Layer, np.random.Generator | None]]:
    return [(leaf, leaf.rng) for _, leaf in walk(layer)] + [(layer, layer.rng)]


def _restore_rngs(saved: list[tuple[Layer, np.random.Generator | None]]) -> None:
    for leaf, rng in saved:
        leaf.rng = rng


def check_layer(
    layer: Layer, x: np.ndarray, train: bool = True, seed: int = 0, eps: float = 1e-6
) -> dict[str, float]:
    """Compare a built and bound layer's backward with central differences.

    x: (n, *in_shape), float64; it is perturbed in place and restored. The scalar is
    L = sum(forward(x, train) * r) with r ~ N(0, 1) drawn from ``seed``, shaped like
    the output. Returns {"input": error, <param name>: error, ...} with
    :func:`rel_error` of analytic against numeric gradients.
    """
    if x.dtype != np.float64:
        x = x.astype(np.float64)
    saved = _saved_rngs(layer)

    def forward() -> np.ndarray:
        layer.set_rng(np.random.default_rng(seed))
        return layer.forward(x, train)

    try:
        out = forward()
        r = np.random.default_rng(seed).standard_normal(out.shape)
        grad_in = layer.backward(r.copy())
        if grad_in is None:
            raise ValueError("backward returned no input gradient (need_input_grad is off)")
        analytic = {"input": np.array(grad_in, dtype=np.float64)}
        analytic.update({name: g.copy() for name, g in layer.grads.items()})

        def loss() -> float:
            return float(np.vdot(forward(), r))

        errors = {"input": rel_error(analytic["input"], numeric_grad(loss, x, eps))}
        for name, p in layer.params.items():
            errors[name] = rel_error(analytic[name], numeric_grad(loss, p, eps))
        return errors
    finally:
        _restore_rngs(saved)


def check_network(
    net: Network, x: np.ndarray, loss: Loss, t: np.ndarray, seed: int = 0, eps: float = 1e-6
) -> dict[str, float]:
    """Compare a network's backward with central differences of the real loss.

    Analytic: ``net.forward(x, True)``, ``loss.grad``, ``net.backward(g,
    input_grad=True)``. Numeric: ``loss.value(net.forward(x, True), t)`` differenced
    over every entry of the flat ``net.params`` and of ``x``. Returns
    {"params": error, "input": error}.
    """
    saved = [(leaf, leaf.rng) for _, leaf in net.leaves]

    def forward() -> np.ndarray:
        net.set_rng(np.random.default_rng(seed))
        return net.forward(x, True)

    try:
        out = forward()
        grad_in = net.backward(loss.grad(out, t), input_grad=True)
        analytic_in = np.array(grad_in, dtype=np.float64)
        analytic_params = net.grads.copy()

        def value() -> float:
            return loss.value(forward(), t)

        return {
            "params": rel_error(analytic_params, numeric_grad(value, net.params, eps)),
            "input": rel_error(analytic_in, numeric_grad(value, x, eps)),
        }
    finally:
        _restore_rngs(saved)
