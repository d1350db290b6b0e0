"""Layers sharing one forward/backward contract (see :mod:`engine.layers.base`)."""

from engine.layers.activation import Act, PReLU, RReLU
from engine.layers.base import Layer, ParamSpec, Sequential, walk
from engine.layers.batchnorm import BatchNorm
from engine.layers.conv import Conv1D, Conv2D
from engine.layers.dense import Dense
from engine.layers.dropout import Dropout
from engine.layers.embedding import Embedding, TwoChannelEmbedding
from engine.layers.pooling import GlobalMaxPool, Pool2D
from engine.layers.pyramid import SpatialPyramidPool
from engine.layers.residual import Residual
from engine.layers.shape import Flatten

__all__ = [
    "Act",
    "BatchNorm",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GlobalMaxPool",
    "Layer",
    "PReLU",
    "ParamSpec",
    "Pool2D",
    "RReLU",
    "Residual",
    "Sequential",
    "SpatialPyramidPool",
    "TwoChannelEmbedding",
    "walk",
]
