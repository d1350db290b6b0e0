"""Everything a frame shows, computed on request (never on every training step).

:func:`snapshot` returns, for a :class:`engine.trainer.Trainer`:

* step, epoch, status, and train/test loss and accuracy;
* every weight and bias;
* per dense layer, the norm of dL/dW and of the gradient reaching the layer's
  input (the vanishing-gradient picture), from one evaluation-mode forward and
  backward pass over the whole training set; the run's gradient buffer is left as
  it was;
* per hidden unit, the share of training inputs on which it passes no gradient
  (|f'(z)| <= the activation's tolerance: z <= 0 for a ReLU, saturated for
  sigmoid/tanh) and whether that holds for every input (a dead unit);
* batch-norm running statistics and learned scale and shift;
* the last dropout mask of each dropout layer;
* for image and text runs, instead of maps, a probe of one sample: every layer's
  output for it, the class scores and more (see :mod:`engine.probe`); their
  gradient picture covers convolution layers too, and a filter counts as one
  unit (inactive share over all samples and positions);
* for a binary classifier on 2-D points that is one dense unit over x1 and x2,
  its decision boundary as a line a x + b y + c = 0 (see :mod:`engine.boundary`);
* for 2-D inputs, every hidden unit's output on a G_u x G_u grid and the network's
  output on a G_o x G_o grid over the plotted plane; for 1-D inputs, curves over
  G_o and G_u points. Both grids go through one batched forward pass in float32
  (a mirror of the network), since the maps are quantised for display anyway,
  in chunks when the points would exceed the run's memory budget. The maps'
  size (outputs x G_o^2 + units x G_u^2 values) is bounded by the budget too
  (see :mod:`engine.budget`).
  A network of dense and activation layers only (the usual playground net)
  takes a lean pass instead: each layer written over one of two scratch
  buffers shared by every map maker of the thread, so a frame allocates (and the
  kernel zero-fills) no fresh megabytes.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine.blas_threads import one_blas_thread
from engine.boundary import boundary_line
from engine.budget import MapShape, check_maps, fit_grids, samples_per_pass
from engine.build import build_network
from engine.compute import check_grid, largest_grid
from engine.data import grid, grid_1d
from engine.layers import (
    Act,
    BatchNorm,
    Conv1D,
    Conv2D,
    Dense,
    Dropout,
    PReLU,
    Residual,
    RReLU,
)
from engine.network import Network
from engine.probe import ProbeRequest, probe
from engine.trainer import Trainer
from engine.validate import as_int

ACTIVATION_LAYERS = (Act, PReLU, RReLU)
WEIGHT_LAYERS = (Dense, Conv1D, Conv2D)
GRADIENT_SAMPLES = 64
"""Image and text runs take their gradient picture (a forward and a backward pass
through convolutions) on the first this many training samples: the norms by depth
of a few dozen samples tell the same story, for a third of the cost of a lab
frame's full pass."""


@dataclass
class FrameParts:
    """The parts of a point run's frame that its passes over the data sets give,
    when computed elsewhere (a cohort's, :mod:`engine.cohort.frames`):
    ``picture`` and ``train_out`` as :func:`gradient_picture` returns them,
    ``activity`` as :func:`unit_activity`, ``test_out`` the evaluation-mode
    output on the test set (n_test, n_out); and perhaps the maps."""

    picture: dict[str, dict[str, float]]
    train_out: np.ndarray
    activity: dict[str, dict[str, np.ndarray]]
    test_out: np.ndarray
    maps: dict[str, Any] | None = None
    """The maps as :meth:`MapMaker.maps` draws them, on the grid sides ``grids``."""
    grids: tuple[int, int] | None = None
    evaluated: tuple[tuple, tuple] | None = None
    """(loss, accuracy) of the training and the test set, as
    :meth:`engine.trainer.Trainer.evaluate` gives them."""


def hidden_activations(net: Network) -> list[tuple[str, Any]]:
    """(path, layer) of every activation leaf before the output dense layer."""
    last_dense = max(i for i, (_, leaf) in enumerate(net.leaves) if isinstance(leaf, Dense))
    return [(p, leaf) for i, (p, leaf) in enumerate(net.leaves)
            if i < last_dense and isinstance(leaf, ACTIVATION_LAYERS)]


@one_blas_thread
def gradient_picture(trainer: Trainer) -> tuple[dict[str, dict[str, float]], np.ndarray]:
    """{dense or conv path: {"weight_grad_norm", "input_grad_norm"}} from an
    evaluation-mode pass over the training set, and that pass's output
    (n_train, n_out), which :meth:`engine.trainer.Trainer.metrics` reuses.

    Point runs take the backward pass over the whole training set. Image and text
    runs with more than ``GRADIENT_SAMPLES`` training samples (or more than one
    evaluation chunk, see :func:`engine.budget.samples_per_pass`) take it over the first
    ones: the rest of the set goes forward first, then the first samples, whose
    layer caches the backward pass uses.

    Also leaves each activation layer's z and a for the samples of the backward
    pass (read by :func:`unit_activity`). The run's gradient buffer is restored
    afterwards.
    """
    net = trainer.net
    saved = net.grads.copy()
    limit = min(GRADIENT_SAMPLES, samples_per_pass(net, trainer.budget))
    whole = trainer.data.modality == "points" or len(trainer.X_train) <= limit
    rest = None if whole else trainer.forward_all(trainer.X_train[limit:]).copy()
    X = trainer.X_train if whole else trainer.X_train[:limit]
    T = trainer.T_train if whole else trainer.T_train[:limit]
    out = net.forward(X, False).copy()
    # an image's own gradient is the costliest and least telling part: image and
    # text runs leave their first layer's input_grad_norm at 0
    net.backward(trainer.loss.grad(out, T), input_grad=trainer.data.modality == "points")
    picture = {}
    for path, leaf in net.leaves:
        if isinstance(leaf, WEIGHT_LAYERS):
            gi = leaf.grad_input
            picture[path] = {
                "weight_grad_norm": norm(leaf.grads["W"]),
                "input_grad_norm": norm(gi) if gi is not None else 0.0,
            }
    net.grads[...] = saved
    return picture, out if rest is None else np.concatenate([out, rest])


def norm(a: np.ndarray) -> float:
    """The Euclidean norm of all of a's values, as np.linalg.norm computes it
    (one dot product in memory order) without its checks."""
    flat = a.ravel(order="K")
    return math.sqrt(flat.dot(flat))


def unit_activity(net: Network) -> dict[str, dict[str, np.ndarray]]:
    """{activation path: {"inactive_share": (k,), "dead": (k,) bool}} from the last
    forward pass (call after :func:`gradient_picture`). A unit is one feature of a
    flat layer, or one channel (filter) of an image or sequence layer, taken over
    all samples and positions."""
    result = {}
    for path, leaf in hidden_activations(net):
        deriv = leaf.derivative()
        if deriv.ndim > 2:  # (n, C, *positions): a channel is a unit
            deriv = np.moveaxis(deriv, 1, 0).reshape(deriv.shape[1], -1).T
        inactive = np.abs(deriv) <= leaf.inactive_tol
        count = np.add.reduce(inactive, axis=0)  # inputs on which each unit passes none
        result[path] = {
            "inactive_share": count / len(inactive),
            "dead": count == len(inactive),
        }
    return result


def _eval_affine(leaf: BatchNorm | Dropout) -> tuple[Any, Any]:
    """A batch-norm or dropout leaf in evaluation mode as y = x * scale + shift on
    unit-major rows: (scale, shift) as (units, 1) float32 columns or scalars, None
    where the map leaves x as it is."""
    if isinstance(leaf, Dropout):
        return (None if leaf.mode == "inverted" else np.float32(1.0 - leaf.p)), None
    inv_std = 1.0 / np.sqrt(leaf.state["running_var"] + leaf.eps)
    scale = leaf.params["gamma"] * inv_std
    shift = leaf.params["beta"] - leaf.state["running_mean"] * scale
    return (scale.astype(np.float32)[:, None], shift.astype(np.float32)[:, None])


class _Scratch(threading.local):
    """Growing float32 buffers per thread, for the lean map pass: 0 and 1 alternate
    between layers, 2 + 2 d and 3 + 2 d hold a residual block's skip at depth d."""

    def __init__(self) -> None:
        self.buffers: list[np.ndarray] = []

    def take(self, which: int, rows: int, cols: int) -> np.ndarray:
        """A C-contiguous (rows, cols) view of buffer ``which``."""
        while len(self.buffers) <= which:
            self.buffers.append(np.empty(0, np.float32))
        if self.buffers[which].size < rows * cols:
            self.buffers[which] = np.empty(rows * cols, np.float32)
        return self.buffers[which][: rows * cols].reshape(rows, cols)


_SCRATCH = _Scratch()


def _lean_plan(layers: list, prefix: str) -> list | None:
    """The layers as the lean map pass runs them: (path, leaf) for dense,
    activation, batch-norm and dropout leaves (the last two are per-unit affine
    maps in evaluation mode), and (path, (branch plan, projection)) for a residual
    block over flat units whose projection, if any, is dense. None if any layer is
    of another kind (the pass then uses the network's own forward)."""
    plan: list = []
    for i, layer in enumerate(layers):
        path = f"{prefix}{i}"
        if type(layer) in (Dense, Act, BatchNorm, Dropout):
            plan.append((path, layer))
            continue
        if not isinstance(layer, Residual) or not isinstance(layer.projection, Dense | None):
            return None
        branch = _lean_plan(layer.branch.layers, f"{path}.0.")
        if branch is None:
            return None
        plan.append((path, (branch, layer.projection)))
    return plan


class MapMaker:
    """Evaluates a trainer's network on display grids through a float32 mirror.

    The grid points go through the mirror in chunks of
    :func:`engine.budget.samples_per_pass` points, so a map pass stays within the
    run's memory budget however fine the grids."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        spec = replace(trainer.spec, dtype="float32")
        self.mirror = build_network(spec, trainer.data.input_shape, trainer.data.vectors)
        self._grids: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._lean = _lean_plan(self.mirror.body.layers, "")
        self._hidden = {path for path, _ in hidden_activations(self.mirror)}

    def unit_counts(self) -> dict[str, int]:
        """{hidden activation path: its units}, in order."""
        return {path: leaf.out_shape[0] for path, leaf in hidden_activations(self.mirror)}

    def shape(self) -> MapShape:
        """What the maps are made of (hidden units, outputs, grid dimensions)."""
        return MapShape(sum(self.unit_counts().values()), self.mirror.out_shape[0],
                        len(self.trainer.data.extent) // 2)

    def _forward(self, key: tuple[int, int], n_out: int,
                 keep: tuple[str, int] | None = None) -> tuple[np.ndarray, dict]:
        """The grids of ``key`` through the mirror -> the output on the first n_out
        points (n_out, k) and each hidden activation's output on the other points,
        unit-major: {path: (units, n - n_out)} (only unit ``keep[1]`` of layer
        ``keep[0]`` if ``keep`` is given: {path: (1, n - n_out)}).

        The points go through in chunks that fit the run's budget (one chunk for
        the usual grids), each chunk's results copied out before the next.
        """
        inputs, inputs_t = self._grids[key][1:]
        n = len(inputs)
        step = samples_per_pass(self.mirror, self.trainer.budget)
        if n <= step:
            return self._forward_part(inputs, inputs_t, n_out, keep)
        outs: list[np.ndarray] = []
        parts: dict[str, list[np.ndarray]] = {}
        for start in range(0, n, step):
            end = min(start + step, n)
            part_out = min(max(n_out - start, 0), end - start)
            out, units = self._forward_part(inputs[start:end],
                                            np.ascontiguousarray(inputs_t[:, start:end]),
                                            part_out, keep)
            outs.append(out.copy())
            for path, values in units.items():
                parts.setdefault(path, []).append(values.copy())
        return (np.concatenate(outs),
                {path: np.concatenate(pieces, axis=1) for path, pieces in parts.items()})

    def _forward_part(self, inputs: np.ndarray, inputs_t: np.ndarray, n_out: int,
                      keep: tuple[str, int] | None) -> tuple[np.ndarray, dict]:
        """:meth:`_forward` on one chunk of points: inputs (n, d) and the same
        transposed (d, n). The results may be views of buffers the next pass reuses.

        The lean pass works unit-major throughout, z^T = W^T h^T: for a few units
        and many points that matmul is about twice as fast as x W, and adding the
        bias is one broadcast over long rows.
        """
        if self._lean is None:
            out = self.mirror.forward(inputs, False)
            units = {path: _kept(leaf.a[n_out:].T, keep[1] if keep else None)
                     for path, leaf in hidden_activations(self.mirror)
                     if keep is None or keep[0] == path}
            self.mirror.body.forget()
            return out[:n_out], units
        units: dict[str, np.ndarray] = {}
        h, _ = self._lean_pass(self._lean, inputs_t, 0, n_out, units, 0, inputs_t, keep)
        return h[:, :n_out].T, units

    def _lean_pass(self, plan: list, h: np.ndarray, which: int, n_out: int,
                   units: dict[str, np.ndarray], depth: int, grid: np.ndarray,
                   keep: tuple[str, int] | None = None) -> tuple[np.ndarray, int]:
        """Run ``plan`` (see :func:`_lean_plan`) on unit-major h (units, points),
        copying the hidden units' maps into ``units`` (those of ``keep`` only, if
        given: see :meth:`_forward`).

        The two alternating scratch buffers hold the layers' results: h never sits
        in buffer ``which``, where the next dense layer writes; layers that work in
        place copy the cached ``grid`` first. A residual block keeps its input in a
        buffer of its own depth for the skip. Returns the result and the next
        ``which``.
        """
        for path, leaf in plan:
            if isinstance(leaf, Dense):
                z = _SCRATCH.take(which, leaf.units, h.shape[1])
                np.matmul(leaf.params["W"].T, h, out=z)
                z += leaf.params["b"][:, None]
                h, which = z, 1 - which
                continue
            if isinstance(leaf, tuple):  # a residual block: (branch plan, projection)
                branch, projection = leaf
                skip = _SCRATCH.take(2 + 2 * depth, *h.shape)
                skip[...] = h
                if projection is not None:
                    moved = _SCRATCH.take(3 + 2 * depth, projection.units, h.shape[1])
                    np.matmul(projection.params["W"].T, skip, out=moved)
                    moved += projection.params["b"][:, None]
                    skip = moved
                h, which = self._lean_pass(branch, h, which, n_out, units, depth + 1, grid,
                                           keep)
                h += skip
                continue
            if h is grid:  # never write over the cached grid
                h = _SCRATCH.take(which, *h.shape)
                h[...] = grid
                which = 1 - which
            if isinstance(leaf, (BatchNorm, Dropout)):
                scale, shift = _eval_affine(leaf)
                if scale is not None:
                    h *= scale
                if shift is not None:
                    h += shift
            else:
                leaf.fn.value_into(h)
                if path in self._hidden and (keep is None or keep[0] == path):
                    units[path] = _kept(h[:, n_out:], keep[1] if keep else None).copy()
        return h, which

    def _inputs(self, g_out: int, g_units: int) -> tuple[int, int]:
        """Make (once) the grid points, as the network sees them (n, d) and
        transposed (d, n), for these grid sides; returns their key."""
        key = (g_out, g_units)
        if key not in self._grids:
            data = self.trainer.data
            make = grid if len(data.extent) == 4 else grid_1d
            points = np.concatenate([make(data.extent, g_out), make(data.extent, g_units)])
            inputs = data.transform(points).astype(np.float32)
            self._grids = {key: (points, inputs, np.ascontiguousarray(inputs.T))}
        return key

    @one_blas_thread
    def maps(self, g_out: int, g_units: int,
             keep: tuple[str, int] | None = None) -> dict[str, Any]:
        """Output map (g_out, g_out[, k]) and unit maps {path: (k, g_units, g_units)}
        (1-D: (g_out[, k]) and (k, g_units)); with ``keep`` (path, unit) only that
        unit's map, {path: (1, g_units, g_units)}."""
        net, mirror = self.trainer.net, self.mirror
        mirror.params[...] = net.params
        mirror.state[...] = net.state
        dims = len(self.trainer.data.extent) // 2
        n_out = g_out ** dims
        out, hidden = self._forward(self._inputs(g_out, g_units), n_out, keep)
        shown = self.trainer.loss.predict(out)
        output = shown.reshape(*(g_out,) * dims, -1)
        if output.shape[-1] == 1:
            output = output[..., 0]
        units = {path: np.ascontiguousarray(a.reshape(len(a), *(g_units,) * dims),
                                            dtype=np.float32)
                 for path, a in hidden.items()}
        return {"output": output.astype(np.float32), "units": units}


def _kept(rows: np.ndarray, unit: int | None) -> np.ndarray:
    """Unit-major maps (units, points), or only row ``unit`` of them (1, points)."""
    return rows if unit is None else rows[unit : unit + 1]


def frame_grids(maker: MapMaker, output_grid: int, unit_grid: int,
                fit: bool) -> tuple[int, int]:
    """The grid sides a point run's frame draws for the sides asked (see
    :func:`snapshot`'s ``fit``)."""
    trainer = maker.trainer
    dims = trainer.data.dims
    if fit:
        output_grid = largest_grid(trainer.net, dims, output_grid)
        unit_grid = largest_grid(trainer.net, dims, unit_grid)
        return fit_grids(maker.shape(), output_grid, unit_grid, trainer.budget)
    check_grid(trainer.net, dims, output_grid, "output_grid")
    check_grid(trainer.net, dims, unit_grid, "unit_grid")
    check_maps(maker.shape(), output_grid, unit_grid, trainer.budget)
    return output_grid, unit_grid


@one_blas_thread
def snapshot(trainer: Trainer, output_grid: int = 100, unit_grid: int = 50,
             maps: MapMaker | None = None, probe_request: ProbeRequest | None = None,
             fit: bool = False, parts: FrameParts | None = None) -> dict[str, Any]:
    """The content of one frame (see the module docstring).

    Args:
        output_grid: G_o, 2..200. unit_grid: G_u, 2..200.
        maps: a :class:`MapMaker` to reuse between frames (made here if None).
        probe_request: the sample an image or text run's probe shows (default:
            the first test sample).
        fit: each grid's pass must fit the arithmetic bound (see
            :mod:`engine.compute`) and the maps (output x G_o^d + units x G_u^d values)
            the run's budget (see :mod:`engine.budget`): when True the grids are
            lowered to fit, the unit grid first; else too large a grid is a SpecError
            naming ``unit_grid`` (or ``output_grid``) with the largest side that fits.
            A point run's frame says the sides drawn in ``grid``: {output, units}.
        parts: the passes over the data sets, already computed (for a point run
            in a cohort; see :class:`FrameParts`).
    """
    output_grid = as_int("output_grid", output_grid, 2, 200)
    unit_grid = as_int("unit_grid", unit_grid, 2, 200)
    maker = None
    if trainer.data.modality == "points":
        maker = maps if maps is not None else MapMaker(trainer)
        output_grid, unit_grid = frame_grids(maker, output_grid, unit_grid, fit)
    net = trainer.net
    if parts is None:
        gradients, train_out = gradient_picture(trainer)
        activity = unit_activity(net)
        frame: dict[str, Any] = dict(trainer.metrics(train_out=train_out))
    else:
        gradients, activity = parts.picture, parts.activity
        frame = dict(trainer.metrics_of(*parts.evaluated) if parts.evaluated
                     else trainer.metrics(train_out=parts.train_out, test_out=parts.test_out))
    layers = []
    for path, leaf in net.leaves:
        info: dict[str, Any] = {"path": path, **leaf.describe()}
        if leaf.params:
            info["params"] = {k: v.copy() for k, v in leaf.params.items()}
        info.update(gradients.get(path, {}))
        info.update(activity.get(path, {}))
        if isinstance(leaf, BatchNorm):
            info.update({k: v.copy() for k, v in leaf.state.items()})
        if isinstance(leaf, Dropout):
            info["mask"] = None if leaf.mask is None else leaf.mask.copy()
        layers.append(info)
    frame["layers"] = layers
    frame["hyper"] = trainer.hyper()
    if maker is None:
        frame["probe"] = probe(trainer, probe_request or ProbeRequest())
        return frame
    if parts is not None and parts.maps is not None and parts.grids == (output_grid, unit_grid):
        drawn = parts.maps
    else:
        drawn = maker.maps(output_grid, unit_grid)
    frame["output_map"] = drawn["output"]
    for info in layers:
        if info["path"] in drawn["units"]:
            info["unit_maps"] = drawn["units"][info["path"]]
    frame["extent"] = tuple(trainer.data.extent)
    line = boundary_line(trainer)
    if line is not None:
        frame["boundary_line"] = line
    frame["grid"] = {"output": output_grid, "units": unit_grid}
    return frame
