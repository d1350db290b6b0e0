"""A run as a plain JSON-able record, and back.

``export_run`` writes what a user downloads as a saved model: the spec, every
parameter per layer as nested lists (readable, editable), the batch-norm state,
step, epoch and metrics. ``import_run`` rebuilds a trainer from such a record,
checking every array against the shapes the spec implies, so a hand-edited or
truncated file gets an error that names the field. Optimiser state (momentum,
Adam moments) is not kept: an imported run resumes with fresh optimiser state.

Records made before batch norm and PReLU after a convolution kept one value per
channel (they kept one per position then: gamma, beta, the running statistics
and the slopes shaped (C, *positions)) still open when that is exact: when every
position of a channel holds the same value (a model saved before it trained,
say), the channel's value is taken. Otherwise the layer computed another
function than it can now, and the record is refused with a ``SpecError`` naming
the array; the record itself is never changed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.errors import SpecError
from engine.layers import BatchNorm, Layer, PReLU
from engine.spec import Limits, parse_spec
from engine.trainer import Trainer
from engine.validate import as_int, as_mapping

FORMAT = "nnplay-model"
VERSION = 1


def export_run(trainer: Trainer) -> dict[str, Any]:
    """The record of a run: JSON-able, with no NaN (non-finite metrics become None)."""
    net = trainer.net
    state: dict[str, dict[str, list]] = {}
    for path, leaf in net.leaves:
        if leaf.state:
            state[path] = {k: v.tolist() for k, v in leaf.state.items()}
    metrics = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
               for k, v in trainer.metrics().items()}
    return {
        "format": FORMAT,
        "version": VERSION,
        "spec": trainer.spec.to_dict(),
        "params": {path: {k: v.tolist() for k, v in arrays.items()}
                   for path, arrays in net.weights().items()},
        "state": state,
        "step": trainer.step_count,
        "epoch": trainer.epoch,
        "metrics": metrics,
    }


def import_run(record: Mapping[str, Any], limits: Limits | None = None) -> Trainer:
    """A trainer with the record's spec, parameters, state, step and epoch, within
    ``limits`` (its spec's sizes, and the memory budget: a record whose batch or data
    set would exceed it is refused as a fresh spec would be, ``spec.batch_size``)."""
    as_mapping("record", record,
               ("format", "version", "spec", "params", "state", "step", "epoch", "metrics"))
    if record.get("format") != FORMAT:
        raise SpecError.coded("format", "model_file_bad_format", format=FORMAT)
    if record.get("version") != VERSION:
        raise SpecError.coded("version", "model_file_bad_version",
                              version=repr(record.get("version")))
    limits = limits or Limits()
    try:
        spec = parse_spec(record.get("spec", {}), limits)
        trainer = Trainer(spec, limits)
    except SpecError as err:
        raise err.nested("spec") from None
    net = trainer.net
    params = as_mapping("params", record.get("params", {}),
                        {e.path for e in net.entries})
    for entry in net.entries:
        field = f"params.{entry.path}.{entry.name}"
        layer = params.get(entry.path)
        if not isinstance(layer, Mapping) or entry.name not in layer:
            raise SpecError.coded(field, "model_file_missing")
        net.view(entry.path, entry.name)[...] = _array(field, layer[entry.name], entry.shape,
                                                       net.layer(entry.path))
    states = as_mapping("state", record.get("state", {}),
                        {p for p, leaf in net.leaves if leaf.state})
    for path, leaf in net.leaves:
        for name, view in leaf.state.items():
            given = states.get(path, {})
            if isinstance(given, Mapping) and name in given:
                view[...] = _array(f"state.{path}.{name}", given[name], view.shape, leaf)
    trainer.step_count = as_int("step", record.get("step", 0), 0, 10**12)
    trainer.epoch = as_int("epoch", record.get("epoch", 0), 0, 10**12)
    return trainer


def _array(field: str, value: Any, shape: tuple[int, ...], leaf: Layer) -> np.ndarray:
    """The record's array for ``leaf``'s parameter or state of ``shape``, as float64
    (an older per-position array converted, see :func:`_per_channel`)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError.coded(field, "model_file_not_numbers", shape=list(shape)) from None
    if not np.isfinite(arr).all():
        raise SpecError.coded(field, "model_file_not_finite")
    if arr.shape != tuple(shape) and arr.shape == _per_position_shape(leaf):
        return _per_channel(field, arr, leaf)
    if arr.shape != tuple(shape):
        raise SpecError.coded(field, "model_file_bad_shape", shape=list(arr.shape),
                               expected=list(shape))
    return arr


def _per_position_shape(leaf: Layer) -> tuple[int, ...] | None:
    """The shape an earlier nnplay gave this layer's arrays when it kept one value
    per position: batch norm or PReLU on feature maps (C, *positions); else None."""
    if isinstance(leaf, BatchNorm | PReLU) and len(leaf.in_shape) > 1:
        return leaf.in_shape
    return None


def _per_channel(field: str, arr: np.ndarray, leaf: Layer) -> np.ndarray:
    """(C,) from an older per-position array (C, *positions) whose positions all
    hold their channel's value; SpecError naming ``field`` when they differ (no
    per-channel value gives the same outputs)."""
    rows = arr.reshape(len(arr), -1)
    if (rows == rows[:, :1]).all():
        return rows[:, 0].copy()
    what = "batch norm" if isinstance(leaf, BatchNorm) else "PReLU"
    raise SpecError.coded(field, "model_file_per_position", shape=list(arr.shape), layer=what,
                          channels=len(arr))
