"""Toy data sets for the playground: point generators, input features, the data
spec, train/test splitting with optional standardisation, and evaluation grids.

Typical use::

    from engine.data import DataSpec, build_dataset

    data = build_dataset(DataSpec.from_dict({"name": "xor", "noise": 0.1, "seed": 3}))
    data.X_train.shape  # (200, 2)
"""

from __future__ import annotations

from engine.data.dataset import Dataset, build_dataset
from engine.data.features import FEATURES, FEATURES_1D, expand
from engine.data.grid import grid, grid_1d
from engine.data.registry import DATASETS, DatasetInfo, list_datasets
from engine.data.spec import DataSpec

__all__ = [
    "DATASETS",
    "FEATURES",
    "FEATURES_1D",
    "DataSpec",
    "Dataset",
    "DatasetInfo",
    "build_dataset",
    "expand",
    "grid",
    "grid_1d",
    "list_datasets",
]
