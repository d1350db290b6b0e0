"""A run's weights and biases, per layer, as nested lists (``GET /api/runs/{id}/params``).

The parameters come from the run's engine worker like everything else about a
run, in one request (``params``): the layer list, which gives each layer's
position and kind, and the arrays by layer path, with the step and epoch they
belong to.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.frames import clean
from app.registry import RunSlot

NAMES = {"W": "weights", "b": "biases"}
"""The engine's parameter names that get a field of their own."""


def layer_params(index: int, layer: dict[str, Any],
                 arrays: dict[str, list[Any]]) -> dict[str, Any]:
    """One layer's entry: ``index``, ``path``, ``kind``, ``weights``/``biases`` and
    their shapes (None where the layer has none), and ``others`` by name."""
    entry: dict[str, Any] = {"index": index, "path": layer["path"], "kind": layer["type"]}
    others: dict[str, Any] = {}
    for name, values in arrays.items():
        shape = list(np.shape(values))
        if name in NAMES:
            entry[NAMES[name]] = values
            entry[f"{NAMES[name]}_shape"] = shape
        else:
            others[name] = {"shape": shape, "values": values}
    for field in NAMES.values():
        entry.setdefault(field, None)
        entry.setdefault(f"{field}_shape", None)
    return {**entry, "others": others}


def run_params(slot: RunSlot) -> dict[str, Any]:
    """``{"run", "step", "epoch", "layers"}``: every layer that has parameters."""
    answer = slot.call("params")
    params = answer["params"]
    return clean({"run": slot.id, "step": answer["step"], "epoch": answer["epoch"],
                  "layers": [layer_params(i, layer, params[layer["path"]])
                             for i, layer in enumerate(answer["layers"])
                             if layer["path"] in params]})
