"""Validation of the explicit layer list of a spec (``"layers": [...]``).

Each layer is a dict with a ``type`` and that type's settings; :func:`parse_layers`
checks every field, fills defaults and returns plain dicts that build a network
(see :mod:`engine.build`). Errors are :class:`SpecError` naming the field, e.g.
``layers.2.units`` or ``layers.4.layers.0.kernel``.

Types and their settings:

* ``dense`` (units), ``activation`` (name and its options), ``dropout`` (p, mode),
  ``batchnorm`` (momentum), ``residual`` (its own ``layers``, not nested);
* for images (n, C, H, W): ``conv2d`` (filters, kernel, stride, padding),
  ``pool2d`` (mode max or mean, size, stride: a stride below the size overlaps
  the windows), ``spp`` (spatial pyramid pooling: levels such as [1, 2, 4], mode);
* for sequences (n, C, L): ``conv1d`` (filters, kernel, stride, padding);
* ``embedding`` (channels: ``static`` keeps the data set's pre-trained word
  vectors frozen, ``trained`` fine-tunes them, ``two_channel`` has both);
* ``global_max_pool`` (max over all positions) and ``flatten``.

Whether the shapes fit together is only known with the data's input shape, so
it is checked when the network is built (:func:`engine.build.build_network`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.activations import FUNCTIONS
from engine.errors import SpecError
from engine.layers.dropout import MODES
from engine.validate import as_choice, as_float, as_int, as_list, as_mapping

if TYPE_CHECKING:
    from engine.spec import Limits

ACTIVATION_NAMES = (*FUNCTIONS, "prelu", "rrelu")
ACTIVATION_OPTIONS = {  # option: (default, low, high, the activations it applies to)
    "slope": (0.01, 0.0, 1.0, ("leaky_relu",)),
    "alpha": (1.0, 0.01, 10.0, ("elu",)),
    "init_slope": (0.25, 0.0, 1.0, ("prelu",)),
    "lower": (1 / 8, 0.0, 1.0, ("rrelu",)),
    "upper": (1 / 3, 0.0, 1.0, ("rrelu",)),
}
POOL_MODES = ("max", "mean")
EMBEDDING_CHANNELS = ("static", "trained", "two_channel")
MAX_KERNEL = 7
MAX_STRIDE = 4
MAX_PADDING = 3
MAX_POOL = 8
MAX_LEVELS = 4

LAYER_KEYS: dict[str, tuple[str, ...]] = {
    "dense": ("type", "units"),
    "activation": ("type", "name", *ACTIVATION_OPTIONS),
    "dropout": ("type", "p", "mode"),
    "batchnorm": ("type", "momentum"),
    "residual": ("type", "layers"),
    "conv2d": ("type", "filters", "kernel", "stride", "padding"),
    "conv1d": ("type", "filters", "kernel", "stride", "padding"),
    "pool2d": ("type", "mode", "size", "stride"),
    "spp": ("type", "levels", "mode"),
    "global_max_pool": ("type",),
    "flatten": ("type",),
    "embedding": ("type", "channels"),
}
LAYER_TYPES = tuple(LAYER_KEYS)
WEIGHT_LAYERS = ("dense", "conv2d", "conv1d")
"""Layer types that count towards ``Limits.max_hidden_layers``."""


def activation_layer(field: str, name: Any, options: Mapping[str, Any]) -> dict:
    """An explicit activation layer dict from a name and (shared) options; option
    errors name ``activation_options.<key>``."""
    name = as_choice(field, name, ACTIVATION_NAMES, "activation")
    layer: dict[str, Any] = {"type": "activation", "name": name}
    for key, (default, low, high, applies) in ACTIVATION_OPTIONS.items():
        if name in applies:
            layer[key] = as_float(f"activation_options.{key}", options.get(key, default), low, high)
    if name == "rrelu" and layer["lower"] > layer["upper"]:
        raise SpecError.coded("activation_options.lower", "lower_above_upper")
    return layer


def parse_layers(field: str, value: Any, limits: Limits, depth: int = 0) -> list[dict]:
    """Check a list of layer dicts; returns them with every default filled in."""
    items = as_list(field, value, 4 * limits.max_hidden_layers + 8)
    return [_layer(f"{field}.{i}", item, limits, depth) for i, item in enumerate(items)]


def count_weight_layers(layers: list[dict]) -> int:
    """Dense and convolution layers, those inside residual blocks included."""
    return sum(count_weight_layers(x["layers"]) if x["type"] == "residual"
               else x["type"] in WEIGHT_LAYERS for x in layers)


def has_batch_norm(layers: list[dict]) -> bool:
    """Whether any layer is batch normalisation, those inside residual blocks included."""
    return any(has_batch_norm(x["layers"]) if x["type"] == "residual"
               else x["type"] == "batchnorm" for x in layers)


BATCH_NORM_BATCH = ("batch norm needs at least 2 samples in every batch: with one, each "
                    "unit's batch variance is 0 and its running variance decays towards "
                    "0; use 2 or more, or leave batch norm out")
"""The message for a batch size of one in a net with batch normalisation."""


def _layer(field: str, item: Any, limits: Limits, depth: int) -> dict:
    if not isinstance(item, Mapping):
        raise SpecError.coded(field, "layer_not_object")
    kind = as_choice(f"{field}.type", item.get("type"), LAYER_TYPES, "layer type")
    as_mapping(field, item, LAYER_KEYS[kind])
    if kind == "residual":
        return _residual(field, item, limits, depth)
    if kind == "activation":
        try:
            return activation_layer(f"{field}.name", item.get("name"), item)
        except SpecError as err:
            if err.field.startswith("activation_options."):
                raise err.moved(f"{field}.{err.field.split('.', 1)[1]}") from None
            raise
    return {"type": kind, **_SETTINGS[kind](field, item, limits)}


def _residual(field: str, item: Mapping[str, Any], limits: Limits, depth: int) -> dict:
    if depth > 0:
        raise SpecError.coded(field, "residual_nested")
    inner = parse_layers(f"{field}.layers", item.get("layers"), limits, depth + 1)
    if not any(layer["type"] in WEIGHT_LAYERS for layer in inner):
        raise SpecError.coded(f"{field}.layers", "residual_no_weights")
    return {"type": "residual", "layers": inner}


def _dense(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    return {"units": as_int(f"{field}.units", item.get("units"), 1, limits.max_units)}


def _dropout(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    return {"p": as_float(f"{field}.p", item.get("p", 0.5), 0.0, 0.95),
            "mode": as_choice(f"{field}.mode", item.get("mode", "inverted"), MODES,
                              "dropout mode")}


def _batchnorm(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    return {"momentum": as_float(f"{field}.momentum", item.get("momentum", 0.1), 0.0, 1.0)}


def _conv(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    return {
        "filters": as_int(f"{field}.filters", item.get("filters", 8), 1, limits.max_filters),
        "kernel": as_int(f"{field}.kernel", item.get("kernel", 3), 1, MAX_KERNEL),
        "stride": as_int(f"{field}.stride", item.get("stride", 1), 1, MAX_STRIDE),
        "padding": as_int(f"{field}.padding", item.get("padding", 0), 0, MAX_PADDING),
    }


def _pool(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    size = as_int(f"{field}.size", item.get("size", 2), 1, MAX_POOL)
    return {
        "mode": as_choice(f"{field}.mode", item.get("mode", "max"), POOL_MODES, "pooling mode"),
        "size": size,
        "stride": as_int(f"{field}.stride", item.get("stride", size), 1, MAX_POOL),
    }


def _spp(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    levels = as_list(f"{field}.levels", item.get("levels", [1, 2, 4]), MAX_LEVELS)
    if not levels:
        raise SpecError.coded(f"{field}.levels", "spp_no_levels")
    levels = [as_int(f"{field}.levels.{i}", v, 1, MAX_POOL) for i, v in enumerate(levels)]
    if len(set(levels)) != len(levels):
        raise SpecError.coded(f"{field}.levels", "spp_levels_repeat")
    return {"levels": levels,
            "mode": as_choice(f"{field}.mode", item.get("mode", "max"), POOL_MODES,
                              "pooling mode")}


def _embedding(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    return {"channels": as_choice(f"{field}.channels", item.get("channels", "two_channel"),
                                  EMBEDDING_CHANNELS, "embedding channels")}


def _nothing(field: str, item: Mapping[str, Any], limits: Limits) -> dict:
    return {}


_SETTINGS = {
    "dense": _dense,
    "dropout": _dropout,
    "batchnorm": _batchnorm,
    "conv2d": _conv,
    "conv1d": _conv,
    "pool2d": _pool,
    "spp": _spp,
    "embedding": _embedding,
    "global_max_pool": _nothing,
    "flatten": _nothing,
}
