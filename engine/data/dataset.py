"""Build a ready-to-train data set from a ``DataSpec``.

``build_dataset`` draws the raw points with the spec's seed, moves them
(``moved = raw * scale + offset``), shuffles and splits them into train and test,
turns the moved points into network inputs (features, then optional
standardisation with statistics from the training split only), and shapes the
targets for the task. ``Dataset.transform`` applies exactly the same input mapping
to any other points, such as an evaluation grid for the decision boundary.
The data set ``points`` is not drawn: its rows come from the spec, and its
plotted range is fitted around them (see :mod:`engine.data.points`).

This module also re-exports the spec, the catalogue and the grids, so
``from engine.data.dataset import DataSpec, DATASETS, grid`` works.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.data.features import expand
from engine.data.grid import grid, grid_1d
from engine.data.points import natural_extent, point_arrays
from engine.data.registry import DATASETS, DatasetInfo, Kind, list_datasets
from engine.data.spec import DataSpec
from engine.data.tensor_sets import tensor_fields

__all__ = [
    "DATASETS",
    "DataSpec",
    "Dataset",
    "DatasetInfo",
    "build_dataset",
    "grid",
    "grid_1d",
    "list_datasets",
]

#: Natural plotted ranges before the move: the playground square, the [0, 1]
#: square of the XOR table with a margin, and the x range of the 1-D sets.
_PLANE_EXTENT = (-6.0, 6.0, -6.0, 6.0)
_TABLE_EXTENT = (-0.5, 1.5, -0.5, 1.5)
_LINE_EXTENT = (-3.0, 3.0)


@dataclass(eq=False)
class Dataset:
    """A drawn, split and preprocessed data set (build it with ``build_dataset``).

    With d = input dimension (1 or 2), k = number of features, and n_train,
    n_test the split sizes:

    Attributes:
        spec: the spec it was built from.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        n_classes: 2 for binary, k for multiclass, 0 for regression.
        points_train, points_test: moved raw points, float64 (n, d); what the page plots.
        X_train, X_test: network inputs, float64 C-contiguous (n, k).
        y_train, y_test: int64 labels (n,) for classification, float64 (n, 1)
            targets for regression.
        extent: the plotted range, (xmin, xmax, ymin, ymax) in 2-D or
            (xmin, xmax) in 1-D, already moved by offset and scale.
        feature_names: the k feature names, in column order.
        mean, std: float64 (k,) training-split statistics used to standardise,
            or None when standardisation is off.
        modality: ``"points"``, or ``"image"`` / ``"text"`` for the lab's sets
            (see :mod:`engine.data.tensor_sets`), whose X are (n, 1, S, S) images
            or (n, L) word ids, with no points, features or extent.
        class_names: label names of image and text sets (empty for points).
        vocab, vectors: text only: the words in id order and their pre-trained
            vectors (V, E).
        texts_train, texts_test: text only: the sentences.
    """

    spec: DataSpec
    task: Kind
    n_classes: int
    points_train: np.ndarray = field(repr=False)
    points_test: np.ndarray = field(repr=False)
    X_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    extent: tuple[float, ...]
    feature_names: tuple[str, ...]
    mean: np.ndarray | None = field(default=None, repr=False)
    std: np.ndarray | None = field(default=None, repr=False)
    modality: str = "points"
    class_names: tuple[str, ...] = ()
    vocab: tuple[str, ...] = field(default=(), repr=False)
    vectors: np.ndarray | None = field(default=None, repr=False)
    texts_train: tuple[str, ...] = field(default=(), repr=False)
    texts_test: tuple[str, ...] = field(default=(), repr=False)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one network input: (k,) features, (1, S, S) or (L,)."""
        return tuple(self.X_train.shape[1:])

    @property
    def dims(self) -> int:
        """Input dimension d of the raw points, 1 or 2."""
        return int(self.points_train.shape[1])

    @property
    def n_features(self) -> int:
        """Number k of network inputs."""
        return len(self.feature_names)

    def transform(self, points: np.ndarray) -> np.ndarray:
        """Map moved raw points (m, d) to network inputs (m, k), float64,
        C-contiguous: the features, then standardisation with the training
        statistics when it is on. ``transform(points_train)`` equals ``X_train``."""
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim != 2 or pts.shape[1] != self.dims:
            raise ValueError(f"points must have shape (m, {self.dims}), got {pts.shape}")
        X = expand(pts, self.feature_names)
        if self.mean is not None and self.std is not None:
            X -= self.mean
            X /= self.std
        return X

    def grid(self, g: int) -> np.ndarray:
        """Evaluation points over ``extent``: (g*g, 2) in image order for 2-D
        data, (g, 1) for 1-D data (see ``engine.data.grid``)."""
        return grid(self.extent, g) if self.dims == 2 else grid_1d(self.extent, g)


def _move_extent(info: DatasetInfo, spec: DataSpec, raw: np.ndarray) -> tuple[float, ...]:
    """The natural plotted range of ``info`` (for inline points, fitted around the
    raw points (n, 2)) moved by the spec's scale and offset."""
    dx, dy = spec.offset
    s = spec.scale
    if info.dims == 1:
        lo, hi = _LINE_EXTENT
        return (lo * s + dx, hi * s + dx)
    if info.inline:
        x0, x1, y0, y1 = natural_extent(raw)
    else:
        x0, x1, y0, y1 = _TABLE_EXTENT if info.fixed else _PLANE_EXTENT
    return (x0 * s + dx, x1 * s + dx, y0 * s + dy, y1 * s + dy)


def _split_sizes(n: int, train_fraction: float) -> int:
    """Number of training points: round(train_fraction * n), at least 1 and
    leaving at least 1 for testing."""
    return min(max(round(train_fraction * n), 1), n - 1)


def build_dataset(spec: DataSpec) -> Dataset:
    """Draw, move, split and preprocess the data described by ``spec``.

    Deterministic: the same spec gives bit-identical arrays. The training set is
    the first round(train_fraction * n) points of a seeded shuffle; for
    ``xor-table`` both sets are the four points, in table order. For ``points``
    the rows of the spec are shuffled and split the same way.
    """
    info = spec.info
    if info.modality != "points":
        return Dataset(spec=spec, task=info.kind, n_classes=spec.n_classes,
                       **tensor_fields(spec))
    rng = np.random.default_rng(spec.seed)
    if info.inline:
        raw, target = point_arrays(spec.points, info.kind)
    else:
        params = {"classes": spec.classes} if info.kind == "multiclass" else {}
        raw, target = info.generator(spec.n_samples, spec.noise, rng, **params)

    if info.fixed:
        train_idx = test_idx = np.arange(raw.shape[0])
    else:
        order = rng.permutation(raw.shape[0])
        n_train = _split_sizes(raw.shape[0], spec.train_fraction)
        train_idx, test_idx = order[:n_train], order[n_train:]

    shift = np.asarray(spec.offset[: info.dims], dtype=np.float64)
    moved = raw * spec.scale + shift  # (n, d)
    points_train = np.ascontiguousarray(moved[train_idx])
    points_test = np.ascontiguousarray(moved[test_idx])

    if info.kind == "regression":
        y_all = np.asarray(target, dtype=np.float64).reshape(-1, 1)
    else:
        y_all = np.asarray(target, dtype=np.int64)
    n_classes = spec.n_classes

    features = tuple(spec.features or info.default_features)
    mean = std = None
    if spec.standardize:
        raw_train = expand(points_train, features)
        mean = raw_train.mean(axis=0)
        std = raw_train.std(axis=0)
        std[std < 1e-12] = 1.0  # a constant column is centred but not blown up

    data = Dataset(
        spec=spec,
        task=info.kind,
        n_classes=n_classes,
        points_train=points_train,
        points_test=points_test,
        X_train=np.empty((0, len(features))),
        X_test=np.empty((0, len(features))),
        y_train=np.ascontiguousarray(y_all[train_idx]),
        y_test=np.ascontiguousarray(y_all[test_idx]),
        extent=_move_extent(info, spec, raw),
        feature_names=features,
        mean=mean,
        std=std,
    )
    data.X_train = data.transform(points_train)
    data.X_test = data.transform(points_test)
    return data
