"""Layers sharing one forward/backward contract (see :mod:`engine.layers.base`)."""

from engine.layers.activation import Act, PReLU, RReLU
from engine.layers.base import Layer, ParamSpec, Sequential, walk
from engine.layers.batchnorm import BatchNorm
from engine.layers.dense import Dense
from engine.layers.dropout import Dropout
from engine.layers.residual import Residual

__all__ = [
    "Act",
    "BatchNorm",
    "Dense",
    "Dropout",
    "Layer",
    "PReLU",
    "ParamSpec",
    "RReLU",
    "Residual",
    "Sequential",
    "walk",
]
