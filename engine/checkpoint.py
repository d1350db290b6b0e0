"""A run as a plain JSON-able record, and back.

``export_run`` writes what a user downloads as a saved model: the spec, every
parameter per layer as nested lists (readable, editable), the batch-norm state,
step, epoch and metrics. ``import_run`` rebuilds a trainer from such a record,
checking every array against the shapes the spec implies, so a hand-edited or
truncated file gets an error that names the field. Optimiser state (momentum,
Adam moments) is not kept: an imported run resumes with fresh optimiser state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.errors import SpecError
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
        raise SpecError("format", f"not an nnplay model (expected format {FORMAT!r})")
    if record.get("version") != VERSION:
        raise SpecError("version", f"unsupported version {record.get('version')!r}")
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
            raise SpecError(field, "missing")
        net.view(entry.path, entry.name)[...] = _array(field, layer[entry.name], entry.shape)
    states = as_mapping("state", record.get("state", {}),
                        {p for p, leaf in net.leaves if leaf.state})
    for path, leaf in net.leaves:
        for name, view in leaf.state.items():
            given = states.get(path, {})
            if isinstance(given, Mapping) and name in given:
                view[...] = _array(f"state.{path}.{name}", given[name], view.shape)
    trainer.step_count = as_int("step", record.get("step", 0), 0, 10**12)
    trainer.epoch = as_int("epoch", record.get("epoch", 0), 0, 10**12)
    return trainer


def _array(field: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(field, f"must be numbers of shape {list(shape)}") from None
    if arr.shape != tuple(shape):
        raise SpecError(field, f"has shape {list(arr.shape)}, expected {list(shape)}")
    if not np.isfinite(arr).all():
        raise SpecError(field, "must be finite numbers")
    return arr
