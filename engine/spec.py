"""The declarative network spec: JSON in, a validated, frozen description out.

A spec names the data, the hidden layers, the output activation, the loss, the
initialiser, the optimiser and the training settings. Hidden layers come in one of
two forms:

* widths: ``{"hidden": [8, 8], "activation": "tanh"}`` (``activation`` may be a
  list, one per layer), with the switches ``batch_norm``, ``dropout`` (a rate),
  ``dropout_mode`` and ``residual`` applied to every hidden layer, as on a
  playground page;
* layers: ``{"layers": [{"type": "dense", "units": 8}, {"type": "activation",
  "name": "relu"}, ...]}`` for full control: dense, activation, dropout,
  batchnorm, residual with its own ``layers``, and the convolution, pooling and
  embedding layers of :mod:`engine.spec_layers`.

On image data the widths form is an MLP on the pixels (a flatten layer comes
first); text data need the layers form, starting with an embedding.

Either way :func:`parse_spec` stores the explicit layer list, so ``to_dict`` gives a
spec that parses back to an equal one. The output layer (a dense layer as wide as
the task needs, then ``output_activation``) is always added by the builder.
Every error is a :class:`SpecError` naming the field, e.g. ``layers.2.units``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.budget import Budget
from engine.data import DataSpec
from engine.errors import SpecError
from engine.initializers import DEFAULT_SCALE, INITIALIZERS
from engine.layers.dropout import MODES
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from engine.spec_layers import (
    ACTIVATION_OPTIONS,
    activation_layer,
    count_weight_layers,
    has_batch_norm,
    parse_layers,
)
from engine.validate import as_bool, as_choice, as_float, as_int, as_list, as_mapping

OUTPUT_ACTIVATIONS = ("linear", "sigmoid", "tanh")
MAX_SEED = 2**32 - 1

OPTIMIZER_OPTIONS = {  # option: (default, low, high)
    "lr": (0.03, 1e-7, 10.0),
    "momentum": (0.9, 0.0, 0.999),
    "rho": (0.9, 0.0, 0.9999),
    "beta1": (0.9, 0.0, 0.9999),
    "beta2": (0.999, 0.0, 0.99999),
    "eps": (1e-8, 1e-12, 1.0),
}
OPTIMIZER_KEYS = {
    "sgd": ("lr",),
    "momentum": ("lr", "momentum", "nesterov"),
    "rmsprop": ("lr", "rho", "eps"),
    "adam": ("lr", "beta1", "beta2", "eps"),
}
TASK_LOSSES = {
    "binary": ("bce", "mse"),
    "multiclass": ("softmax_ce", "mse"),
    "regression": ("mse",),
}


@dataclass(frozen=True)
class Limits:
    """Size limits a spec must respect (the server may tighten them), and the memory
    budget of a run made from it (see :mod:`engine.budget`)."""

    max_hidden_layers: int = 10
    max_units: int = 64
    max_filters: int = 32
    max_batch_size: int = 5000
    budget: Budget = field(default_factory=Budget)


@dataclass(frozen=True)
class Spec:
    """A validated network and training spec. Build one with :func:`parse_spec`.

    Attributes:
        data: the data spec.
        layers: explicit hidden layers (dicts as in the module docstring).
        output_activation: ``linear``, ``sigmoid`` or ``tanh``.
        loss: ``mse``, ``bce`` or ``softmax_ce``.
        init: initialiser name; init_scale its scale; bias_init the bias start.
        optimizer: dict with ``name`` and its options (``lr`` always).
        batch_size: mini-batch size (capped at the training set size when run); at
            least 2 in a net with batch normalisation.
        l1, l2: regularisation strengths on weights.
        seed: seeds initialisation, batch order and training noise.
        dtype: ``float64`` or ``float32``.
    """

    data: DataSpec = field(default_factory=DataSpec)
    layers: tuple[dict, ...] = ()
    output_activation: str = "linear"
    loss: str = "bce"
    init: str = "xavier_uniform"
    init_scale: float = 1.0
    bias_init: float = 0.0
    optimizer: dict = field(default_factory=lambda: {"name": "sgd", "lr": 0.03})
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    seed: int = 0
    dtype: str = "float64"

    @property
    def task(self) -> str:
        """``binary``, ``multiclass`` or ``regression``: the data spec's task."""
        return self.data.task

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict in the explicit-layers form; parses back to an equal spec."""
        return {
            "data": self.data.to_dict(),
            "layers": [dict(layer) for layer in self.layers],
            "output_activation": self.output_activation,
            "loss": self.loss,
            "init": {"name": self.init, "scale": self.init_scale},
            "bias_init": self.bias_init,
            "optimizer": dict(self.optimizer),
            "batch_size": self.batch_size,
            "l1": self.l1,
            "l2": self.l2,
            "seed": self.seed,
            "dtype": self.dtype,
        }


WIDTH_KEYS = ("hidden", "activation", "activation_options", "batch_norm", "dropout",
              "dropout_mode", "residual")
TOP_KEYS = (*WIDTH_KEYS, "data", "layers", "output_activation", "loss", "init", "bias_init",
            "optimizer", "batch_size", "l1", "l2", "seed", "dtype")


def parse_spec(d: Mapping[str, Any], limits: Limits = Limits()) -> Spec:
    """Validate a JSON-like spec and return a :class:`Spec`.

    Raises:
        SpecError: naming the first bad field.
    """
    if not isinstance(d, Mapping):
        raise SpecError.coded("spec", "not_object")
    as_mapping("", d, TOP_KEYS)
    data = DataSpec.from_dict(d.get("data", {}))
    if "layers" in d and "hidden" in d:
        raise SpecError.coded("layers", "layers_and_hidden")
    if "layers" in d:
        extra = [k for k in WIDTH_KEYS if k in d]
        if extra:
            raise SpecError.coded(extra[0], "only_with_hidden")
        layers = parse_layers("layers", d["layers"], limits)
    else:
        layers = _expand_widths(d, limits)
        modality = data.info.modality
        if modality == "image":  # an MLP on the pixels
            layers = [{"type": "flatten"}, *layers]
        elif modality == "text":
            raise SpecError.coded("hidden", "text_needs_layers")
    if count_weight_layers(layers) > limits.max_hidden_layers:
        raise SpecError.coded("hidden" if "hidden" in d else "layers", "too_many_layers",
                              max=limits.max_hidden_layers)
    task = data.task
    out_act = as_choice("output_activation", d.get("output_activation", "linear"),
                        OUTPUT_ACTIVATIONS, "output activation")
    loss = as_choice("loss", d.get("loss", TASK_LOSSES[task][0]), LOSSES, "loss")
    if loss not in TASK_LOSSES[task]:
        raise SpecError.coded("loss", "loss_wrong_task", loss=loss, task=task,
                              choices=", ".join(TASK_LOSSES[task]))
    if loss != "mse" and out_act != "linear":
        raise SpecError.coded("output_activation", "loss_needs_linear", loss=loss)
    init, init_scale = _init(d.get("init", "xavier_uniform"))
    batch_size = as_int("batch_size", d.get("batch_size", 10), 1, limits.max_batch_size)
    if batch_size == 1 and has_batch_norm(layers):
        raise SpecError.coded("batch_size", "batch_norm_batch")
    return Spec(
        data=data,
        layers=tuple(layers),
        output_activation=out_act,
        loss=loss,
        init=init,
        init_scale=init_scale,
        bias_init=as_float("bias_init", d.get("bias_init", 0.0), -10.0, 10.0),
        optimizer=_optimizer(d.get("optimizer", "sgd")),
        batch_size=batch_size,
        l1=as_float("l1", d.get("l1", 0.0), 0.0, 1.0),
        l2=as_float("l2", d.get("l2", 0.0), 0.0, 1.0),
        seed=as_int("seed", d.get("seed", 0), 0, MAX_SEED),
        dtype=as_choice("dtype", d.get("dtype", "float64"), ("float64", "float32"), "dtype"),
    )


def _init(value: Any) -> tuple[str, float]:
    if isinstance(value, str):
        value = {"name": value}
    as_mapping("init", value, ("name", "scale"))
    name = as_choice("init.name", value.get("name"), INITIALIZERS, "initialiser")
    scale = as_float("init.scale", value.get("scale", DEFAULT_SCALE.get(name, 1.0)), -100, 100)
    return name, scale


def optimizer_defaults(name: str) -> dict[str, Any]:
    """The optimiser a spec gets from ``name`` alone, every option at its default:
    ``optimizer_defaults("adam")`` is {"name": "adam", "lr": 0.01, "beta1": 0.9,
    "beta2": 0.999, "eps": 1e-8} (a spec's rmsprop and adam start at lr 0.01)."""
    return _optimizer(name)


def _optimizer(value: Any) -> dict:
    if isinstance(value, str):
        value = {"name": value}
    as_mapping("optimizer", value, ("name", *OPTIMIZER_OPTIONS, "nesterov"))
    name = as_choice("optimizer.name", value.get("name", "sgd"), OPTIMIZERS, "optimiser")
    out: dict[str, Any] = {"name": name}
    for key in value:
        if key != "name" and key not in OPTIMIZER_KEYS[name]:
            raise SpecError.coded(f"optimizer.{key}", "not_for_optimiser", name=name)
    for key in OPTIMIZER_KEYS[name]:
        if key == "nesterov":
            out[key] = as_bool("optimizer.nesterov", value.get("nesterov", False))
            continue
        default, low, high = OPTIMIZER_OPTIONS[key]
        if key == "lr" and name in ("rmsprop", "adam"):
            default = 0.01
        out[key] = as_float(f"optimizer.{key}", value.get(key, default), low, high)
    return out


def _expand_widths(d: Mapping[str, Any], limits: Limits) -> list[dict]:
    widths = as_list("hidden", d.get("hidden", [8, 8]), limits.max_hidden_layers)
    widths = [as_int(f"hidden.{i}", w, 1, limits.max_units) for i, w in enumerate(widths)]
    acts = d.get("activation", "tanh")
    if isinstance(acts, list | tuple):
        if len(acts) != len(widths):
            raise SpecError.coded("activation", "one_activation_per_layer", count=len(widths))
        names = [(f"activation.{i}", a) for i, a in enumerate(acts)]
    else:
        names = [("activation", acts)] * len(widths)
    options = as_mapping("activation_options", d.get("activation_options", {}),
                         ACTIVATION_OPTIONS)
    batch_norm = as_bool("batch_norm", d.get("batch_norm", False))
    rate = as_float("dropout", d.get("dropout", 0.0), 0.0, 0.95)
    mode = as_choice("dropout_mode", d.get("dropout_mode", "inverted"), MODES, "dropout mode")
    residual = as_bool("residual", d.get("residual", False))

    def unit(i: int) -> list[dict]:
        group: list[dict] = [{"type": "dense", "units": widths[i]}]
        if batch_norm:
            group.append({"type": "batchnorm", "momentum": 0.1})
        group.append(activation_layer(names[i][0], names[i][1], options))
        if rate > 0:
            group.append({"type": "dropout", "p": rate, "mode": mode})
        return group

    layers: list[dict] = []
    i = 0
    while i < len(widths):
        if residual and i > 0 and i + 1 < len(widths):
            layers.append({"type": "residual", "layers": unit(i) + unit(i + 1)})
            i += 2
        else:
            layers += unit(i)
            i += 1
    return layers
