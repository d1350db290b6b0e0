"""Turn a :class:`engine.spec.Spec` into a network, a loss and an optimiser.

Registries map the spec's names to classes, so adding a layer type or an
activation is one entry, not another branch. :func:`build_network` also checks
that the layers fit the data's input shape, one layer at a time, so a mismatch
(a dense layer on images, a kernel larger than its input) is a
:class:`SpecError` naming the layer, and puts a flatten layer before the output
layer when the last hidden layer's output is not flat. Whether the net fits the
run's memory budget (its batch, its data set) is for :mod:`engine.budget`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.activations import FUNCTIONS, Activation
from engine.errors import SpecError
from engine.layers import (
    Act,
    BatchNorm,
    Conv1D,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalMaxPool,
    Layer,
    Pool2D,
    PReLU,
    Residual,
    RReLU,
    SpatialPyramidPool,
    TwoChannelEmbedding,
)
from engine.losses import LOSSES, MSE, Loss
from engine.network import Network
from engine.optimizers import OPTIMIZERS, Optimizer
from engine.spec import Spec

MAX_ACTIVATIONS = 200_000
"""Most values all layers together may output per sample (a size guard)."""
def make_function(name: str, options: dict) -> Activation:
    """An activation function object from its name and options (slope, alpha)."""
    cls = FUNCTIONS[name]
    kwargs = {k: options[k] for k in ("slope", "alpha") if k in options}
    return cls(**kwargs)


ACTIVATION_LAYERS: dict[str, Callable[[dict], Layer]] = {
    "prelu": lambda d: PReLU(d.get("init_slope", 0.25)),
    "rrelu": lambda d: RReLU(d.get("lower", 1 / 8), d.get("upper", 1 / 3)),
}


def _activation_layer(d: dict) -> Layer:
    maker = ACTIVATION_LAYERS.get(d["name"])
    return maker(d) if maker else Act(make_function(d["name"], d))


def _embedding(d: dict, vectors: np.ndarray | None) -> Layer:
    if vectors is None:
        raise SpecError.coded("type", "embedding_needs_text")
    if d["channels"] == "two_channel":
        return TwoChannelEmbedding(vectors)
    return Embedding(vectors, trainable=d["channels"] == "trained")


LAYER_BUILDERS: dict[str, Callable[[dict, np.ndarray | None], Layer]] = {
    "dense": lambda d, v: Dense(d["units"]),
    "activation": lambda d, v: _activation_layer(d),
    "dropout": lambda d, v: Dropout(d["p"], d["mode"]),
    "batchnorm": lambda d, v: BatchNorm(d.get("momentum", 0.1)),
    "residual": lambda d, v: Residual([build_layer(x, v) for x in d["layers"]]),
    "conv2d": lambda d, v: Conv2D(d["filters"], d["kernel"], d["stride"], d["padding"]),
    "conv1d": lambda d, v: Conv1D(d["filters"], d["kernel"], d["stride"], d["padding"]),
    "pool2d": lambda d, v: Pool2D(d["mode"], d["size"], d["stride"]),
    "spp": lambda d, v: SpatialPyramidPool(tuple(d["levels"]), d["mode"]),
    "global_max_pool": lambda d, v: GlobalMaxPool(),
    "flatten": lambda d, v: Flatten(),
    "embedding": _embedding,
}


def build_layer(d: dict, vectors: np.ndarray | None = None) -> Layer:
    """One layer from its explicit spec dict (``vectors``: the data set's word
    vectors (V, E), for embedding layers)."""
    return LAYER_BUILDERS[d["type"]](d, vectors)


def output_width(spec: Spec) -> int:
    """Units of the output layer: one logit/value, or one per class."""
    return spec.data.n_classes if spec.task == "multiclass" else 1


def build_network(spec: Spec, in_shape: int | tuple[int, ...],
                  vectors: np.ndarray | None = None) -> Network:
    """The network of ``spec`` (not initialised) for samples of shape ``in_shape``
    (an int n means (n,) features), with ``vectors`` (V, E) for embedding layers.

    Raises:
        SpecError: ``layers.<i>`` when layer i does not fit its input.
    """
    start = shape = (in_shape,) if isinstance(in_shape, int) else tuple(in_shape)
    layers: list[Layer] = []
    total = 0
    for i, d in enumerate(spec.layers):
        if d["type"] == "residual":  # a misfit inside the block names its inner layer
            _check_fit(d["layers"], shape, vectors, f"layers.{i}.layers")
        try:
            layer = build_layer(d, vectors)
            shape = layer.build(shape)
        except SpecError as err:
            raise _with_hint(err).nested(f"layers.{i}") from None
        except ValueError as err:
            raise SpecError.coded(f"layers.{i}", "layer_misfit", reason=str(err)) from None
        total += int(np.prod(shape))
        if total > MAX_ACTIVATIONS:
            raise SpecError.coded(f"layers.{i}", "too_many_activations", total=total,
                                  max=MAX_ACTIVATIONS)
        layers.append(layer)
    if len(shape) > 1:
        layers.append(Flatten())
    layers.append(Dense(output_width(spec)))
    if spec.output_activation != "linear":
        layers.append(Act(FUNCTIONS[spec.output_activation]()))
    return Network(layers, start, dtype=np.dtype(spec.dtype))


def _with_hint(err: SpecError) -> SpecError:
    """A dense layer on feature maps, told how to flatten them first."""
    if err.code == "dense_not_flat":
        return SpecError.coded(err.field, "dense_not_flat_hint", **err.params)
    return err


def _check_fit(layers: list[dict], shape: tuple[int, ...], vectors: np.ndarray | None,
               field: str) -> None:
    """Build ``layers`` one by one on ``shape`` (a residual block's branch), so a
    misfit names its own layer: SpecError ``<field>.<j>``."""
    for j, d in enumerate(layers):
        try:
            shape = build_layer(d, vectors).build(shape)
        except SpecError as err:
            raise _with_hint(err).nested(f"{field}.{j}") from None
        except ValueError as err:
            raise SpecError.coded(f"{field}.{j}", "layer_misfit", reason=str(err)) from None


def build_loss(spec: Spec) -> Loss:
    if spec.loss == "mse":
        return MSE(signed=spec.output_activation == "tanh")
    return LOSSES[spec.loss]()


def build_optimizer(spec: Spec, net: Network) -> Optimizer:
    options = {k: v for k, v in spec.optimizer.items() if k != "name"}
    cls = OPTIMIZERS[spec.optimizer["name"]]
    return cls(net.params.size, net.decay, l1=spec.l1, l2=spec.l2, dtype=net.dtype, **options)
