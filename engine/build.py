"""Turn a :class:`engine.spec.Spec` into a network, a loss and an optimiser.

Registries map the spec's names to classes, so adding a layer type or an
activation is one entry, not another branch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.activations import FUNCTIONS, Activation
from engine.layers import Act, BatchNorm, Dense, Dropout, Layer, PReLU, Residual, RReLU
from engine.losses import LOSSES, MSE, Loss
from engine.network import Network
from engine.optimizers import OPTIMIZERS, Optimizer
from engine.spec import Spec


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


LAYER_BUILDERS: dict[str, Callable[[dict], Layer]] = {
    "dense": lambda d: Dense(d["units"]),
    "activation": _activation_layer,
    "dropout": lambda d: Dropout(d["p"], d["mode"]),
    "batchnorm": lambda d: BatchNorm(d.get("momentum", 0.1)),
    "residual": lambda d: Residual([build_layer(x) for x in d["layers"]]),
}


def build_layer(d: dict) -> Layer:
    """One layer from its explicit spec dict."""
    return LAYER_BUILDERS[d["type"]](d)


def output_width(spec: Spec) -> int:
    """Units of the output layer: one logit/value, or one per class."""
    return spec.data.n_classes if spec.task == "multiclass" else 1


def build_network(spec: Spec, n_inputs: int) -> Network:
    """The network of ``spec`` for inputs of ``n_inputs`` features (not initialised)."""
    layers = [build_layer(d) for d in spec.layers]
    layers.append(Dense(output_width(spec)))
    if spec.output_activation != "linear":
        layers.append(Act(FUNCTIONS[spec.output_activation]()))
    return Network(layers, (n_inputs,), dtype=np.dtype(spec.dtype))


def build_loss(spec: Spec) -> Loss:
    if spec.loss == "mse":
        return MSE(signed=spec.output_activation == "tanh")
    return LOSSES[spec.loss]()


def build_optimizer(spec: Spec, net: Network) -> Optimizer:
    options = {k: v for k, v in spec.optimizer.items() if k != "name"}
    cls = OPTIMIZERS[spec.optimizer["name"]]
    return cls(net.params.size, net.decay, l1=spec.l1, l2=spec.l2, dtype=net.dtype, **options)
