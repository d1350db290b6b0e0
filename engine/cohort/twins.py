"""Stacked twins of the layers: one layer's forward and backward for a whole cohort.

A twin does what its layer does (:mod:`engine.layers`) on a cohort's stacked
arrays: inputs (C, n, *in_shape) for C runs of the same shape, its parameters as
views (C, *shape) into the cohort's stacked flat buffers (C, size). Each NumPy
call is the one the layer makes, with a leading axis: a batched matmul does, per
run, the BLAS call the layer's matmul does, and element-wise work takes the route
one run's array would take (``value_as``, ``grad_as``), so every run's numbers are
bit for bit those it gets alone. The tests of :mod:`engine.cohort` hold this to
every layer kind a cohort takes (:func:`stackable`).

Randomness stays per run: a dropout twin draws each run's mask from that run's
own generator, in the order the run would draw it alone.

Twins run in training mode (a cohort's steps) and in evaluation mode (a frame's
passes over the data sets, :mod:`engine.cohort.frames`), for batches of up to
the dense layer's cached rows (``_CACHE_ROWS``; larger ones take another route).
"""

from __future__ import annotations

import numpy as np

from engine.activations import LARGE
from engine.layers import Act, BatchNorm, Dense, Dropout, Layer, Residual, Sequential
from engine.layers.dropout import scale_of
from engine.network import Network


def flat_offset(view: np.ndarray, flat: np.ndarray) -> int:
    """Where ``view`` starts in ``flat`` (a network's flat buffer), in elements."""
    start = view.__array_interface__["data"][0] - flat.__array_interface__["data"][0]
    return start // flat.itemsize


def _rows(stack: np.ndarray, template: np.ndarray, flat: np.ndarray,
          count: int = 1) -> np.ndarray:
    """The stacked view (C, count * template.size) of the slice of a run's flat
    buffer that starts where ``template`` (a view into ``flat``) starts: the same
    slice of every run's buffer, one row per run."""
    start = flat_offset(template, flat)
    return stack[:, start : start + count * template.size]


class Twin:
    """Base: forward (C, n, *in) -> (C, n, *out) and backward, as its layer."""

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        raise NotImplementedError

    def backward(self, g: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError


class DenseTwin(Twin):
    """z = [x | 1] Wb per run: x (C, n, n_in), Wb (C, n_in + 1, units).

    Attributes:
        dW: the weights' gradients, (C, n_in, units) (a view of the stacked grads).
        grad_input: dL/dx of the last backward, (C, n, n_in), or None.
    """

    def __init__(self, layer: Dense, net: Network, stacks: tuple, batch: int,
                 input_grad: bool) -> None:
        P, G, _ = stacks
        n_in, units = layer.in_shape[0], layer.units
        count = len(P)
        self.Wb = _rows(P, layer._Wb, net.params).reshape(count, n_in + 1, units)
        self.dWb = _rows(G, layer._dWb, net.grads).reshape(count, n_in + 1, units)
        self.WT = self.Wb[:, :-1, :].transpose(0, 2, 1)
        self.dW = self.dWb[:, :-1, :]
        self.grad_input: np.ndarray | None = None
        self.xa = np.ones((count, batch, n_in + 1), dtype=net.dtype)
        self.xaT = self.xa.transpose(0, 2, 1)
        self.inputs = self.xa[:, :, :-1]
        self.input_grad = input_grad

    def forward(self, x, train):
        self.inputs[...] = x
        return np.matmul(self.xa, self.Wb)

    def backward(self, g):
        np.matmul(self.xaT, g, out=self.dWb)
        self.grad_input = np.matmul(g, self.WT) if self.input_grad else None
        return self.grad_input


class ActTwin(Twin):
    """a = f(z) element-wise, by the route one run's (n, units) array takes."""

    def __init__(self, layer: Act, batch: int) -> None:
        self.fn = layer.fn
        self.size = batch * int(np.prod(layer.in_shape))
        self.z = self.a = None

    def forward(self, x, train):
        self.z = x
        if self.size < LARGE:
            self.a = self.fn.value_as(x, self.size)
        else:
            self.a = self.fn.value_large(x)
        return self.a

    def backward(self, g):
        return self.fn.grad_as(g, self.z, self.a, self.size)


class DropoutTwin(Twin):
    """Each run's keep mask from its own generator: y = x * mask * scale."""

    def __init__(self, layers: list[Dropout]) -> None:
        self.layers = layers
        first = layers[0]
        self.p = first.p
        self.keep_scale = 1.0 / (1.0 - first.p) if first.mode == "inverted" else 1.0
        self.classic = first.mode == "classic"
        self.scale = None
        self.skip: frozenset[int] = frozenset()
        """Members not in this step (they step alone): no draw from their generators."""

    def forward(self, x, train):
        if not train:
            self.scale = 1.0 - self.p if self.classic else 1.0
            return x * self.scale if self.classic else x
        draws = np.ones(x.shape, dtype=np.float64)
        skip = self.skip
        for i, (layer, rows) in enumerate(zip(self.layers, draws, strict=True)):
            if i not in skip:
                layer.rng.random(out=rows)
        mask = draws >= self.p
        for i, (layer, rows) in enumerate(zip(self.layers, mask, strict=True)):
            if i not in skip:
                layer.mask = rows  # what a frame shows as the run's last mask
        self.scale = scale_of(mask, self.keep_scale, x.dtype)
        return x * self.scale

    def backward(self, g):
        return g * self.scale


class BatchNormTwin(Twin):
    """Per-unit batch statistics of each run's batch (flat input only)."""

    def __init__(self, layer: BatchNorm, net: Network, stacks: tuple) -> None:
        P, G, S = stacks
        count, units = len(P), layer.units
        self.momentum, self.eps = layer.momentum, layer.eps
        self.layer = layer
        self.gamma_beta = _rows(P, layer._gamma, net.params, 2).reshape(count, 2, units)
        self.gamma = self.gamma_beta[:, 0:1, :]
        self.beta = self.gamma_beta[:, 1:2, :]
        self.grad_rows = _rows(G, layer._grad_rows, net.grads).reshape(count, 2, units)
        self.running = _rows(S, layer._running_rows, net.state).reshape(count, 2, units)

    def forward(self, x, train):
        self.train = train
        if train:
            mean_row, _, mix = self.layer._weights(x.shape[1], x.dtype)
            stats = np.empty((x.shape[0], 2, x.shape[2]), x.dtype)
            np.matmul(mean_row, x, out=stats[:, 0])
            xc = x - stats[:, 0:1]
            np.matmul(mean_row, xc * xc, out=stats[:, 1])
            running = self.running
            running *= 1.0 - self.momentum
            running += stats * mix
            var = stats[:, 1:2]
        else:
            xc = x - self.running[:, 0:1]
            var = self.running[:, 1:2]
        self.inv_std = (var + self.eps) ** -0.5
        xc *= self.inv_std
        self.xhat = xc
        out = xc * self.gamma
        out += self.beta
        return out

    def backward(self, g):
        _, sum_row, _ = self.layer._weights(g.shape[1], g.dtype)
        rows = self.grad_rows
        np.matmul(sum_row, g * self.xhat, out=rows[:, 0])
        np.matmul(sum_row, g, out=rows[:, 1])
        k = self.gamma * self.inv_std
        dx = g * k
        if self.train:
            means = rows * (k * (1.0 / g.shape[1]))
            dx -= means[:, 1:2]
            dx -= self.xhat * means[:, 0:1]
        return dx


class ResidualTwin(Twin):
    """h = f(x) + P x (P the identity, or a dense projection)."""

    def __init__(self, branch: SequenceTwin, projection: DenseTwin | None) -> None:
        self.branch, self.projection = branch, projection

    def forward(self, x, train):
        skip = self.projection.forward(x, train) if self.projection else x
        return self.branch.forward(x, train) + skip

    def backward(self, g):
        grad_in = self.branch.backward(g)
        if self.projection:
            return grad_in + self.projection.backward(g)
        return grad_in + g


class SequenceTwin(Twin):
    """Twins one after another, as :class:`engine.layers.Sequential`."""

    def __init__(self, twins: list[Twin]) -> None:
        self.twins = twins

    def forward(self, x, train):
        for twin in self.twins:
            x = twin.forward(x, train)
        return x

    def backward(self, g):
        for twin in reversed(self.twins):
            g = twin.backward(g)
        return g


def stackable(layer: Layer) -> bool:
    """Whether a layer (and all inside it) has a twin: dense, activation (a fixed
    function), dropout, batch norm over flat inputs, residual blocks of these; a
    net with any other layer trains alone."""
    if isinstance(layer, Sequential):
        return all(stackable(child) for child in layer.layers)
    if isinstance(layer, Residual):
        return stackable(layer.branch) and isinstance(layer.projection, Dense | None)
    if isinstance(layer, BatchNorm):
        return not layer.per_channel
    if isinstance(layer, Dropout):
        return layer.fixed_mask is None
    return type(layer) in (Dense, Act)


class Twins:
    """The twin of a cohort's network (``body``), its dropout twins (the layers
    that draw noise) and every leaf twin by the path of its layer (as
    :func:`engine.layers.walk` names them)."""

    def __init__(self, body: SequenceTwin, noisy: list[DropoutTwin],
                 leaves: dict[str, Twin]) -> None:
        self.body, self.noisy, self.leaves = body, noisy, leaves


def build_twins(nets: list[Network], stacks: tuple, batch: int,
                input_grad: bool = False) -> Twins:
    """The twins of the cohort's network: ``nets`` the members' networks (the first
    one's layers serve as the template), ``stacks`` the stacked flat buffers
    (params, grads, state), each (C, size), ``batch`` the rows of each run's
    batch; ``input_grad``: the first dense layer computes dL/dx too (as
    :meth:`engine.network.Network.backward` with ``input_grad``)."""
    template = nets[0]
    noisy: list[DropoutTwin] = []
    leaves: dict[str, Twin] = {}

    def twin_of(layers: list[Layer], first: bool, path: str) -> Twin:
        layer = layers[0]
        if isinstance(layer, Sequential):
            return SequenceTwin([
                twin_of([m.layers[i] for m in layers], first and i == 0,
                        f"{path}.{i}" if path else str(i))
                for i in range(len(layer.layers))])
        if isinstance(layer, Residual):
            branch = twin_of([m.branch for m in layers], False, f"{path}.0")
            projection = None
            if layer.projection:
                projection = leaves[f"{path}.1"] = DenseTwin(layer.projection, template,
                                                             stacks, batch, True)
            return ResidualTwin(branch, projection)
        if isinstance(layer, Dense):
            twin: Twin = DenseTwin(layer, template, stacks, batch,
                                   input_grad=input_grad or not first)
        elif isinstance(layer, Act):
            twin = ActTwin(layer, batch)
        elif isinstance(layer, Dropout):
            twin = DropoutTwin(layers)
            noisy.append(twin)
        elif isinstance(layer, BatchNorm):
            twin = BatchNormTwin(layer, template, stacks)
        else:
            raise TypeError(f"no stacked twin for {type(layer).__name__}")
        leaves[path] = twin
        return twin

    body = twin_of([net.body for net in nets], True, "")
    return Twins(body, noisy, leaves)
