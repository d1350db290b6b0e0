"""Your own points: the data set ``points``, whose rows come inside the spec.

A spec ``{"name": "points", "kind": "binary", "points": [[x1, x2, y], ...]}``
carries every point, so a run (and a saved model) made from it needs nothing else
to be rebuilt. This module checks such rows, guesses the task from the labels,
turns the rows into arrays and works out the plotted range around them.

Rules for the rows (each ``(x1, x2, y)``, kept as a tuple of floats):

- 4 to 5000 rows of three finite numbers, each of magnitude at most 1e6;
- ``binary``: y is 0 or 1;
- ``multiclass``: y is a whole number 0..K-1 with K = (largest label + 1)
  between 3 and 5, as for ``blobs`` and ``spirals``;
- ``regression``: y is any such number.

Errors are ``SpecError`` naming the field: ``data.kind``, ``data.points`` or the
row, ``data.points.12``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any, cast

import numpy as np

from engine.data.registry import MAX_CLASSES, MIN_CLASSES, DatasetInfo, Kind
from engine.errors import SpecError

POINTS = "points"
"""The data set name of inline points."""
KINDS: tuple[Kind, ...] = ("binary", "multiclass", "regression")
MIN_ROWS = 4
"""Fewest rows: enough for at least one training and one test point and some more."""
MAX_ROWS = 5000
"""Most rows, the same as the largest ``n_samples`` of a drawn data set."""
MAX_VALUE = 1e6
"""Largest magnitude of a coordinate or a target."""
MARGIN = 0.1
"""Share of the points' range added on each side of the plotted range."""
COLUMNS = ("x1", "x2", "label")

Row = tuple[float, float, float]


def _not_drawn(*args: Any, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    raise ValueError("the data set 'points' is not drawn: its points come with the spec "
                     "(data.points); use point_arrays")


def points_info(kind: Kind) -> DatasetInfo:
    """The catalogue-style entry of inline points of the given kind."""
    return DatasetInfo(POINTS, kind, 2, _not_drawn,
                       "Your own 2-D points, carried in the spec (data.points).", inline=True)


def check_kind(kind: Any) -> Kind:
    """``kind`` as one of ``KINDS``, or SpecError naming ``data.kind``."""
    if not isinstance(kind, str) or kind not in KINDS:
        if isinstance(kind, str):
            raise SpecError.coded("data.kind", "csv_bad_kind", kinds=", ".join(KINDS), kind=kind)
        raise SpecError.coded("data.kind", "kind_not_text", kinds=", ".join(KINDS),
                              got=repr(kind))
    return cast(Kind, kind)


def guess_kind(labels: Sequence[float]) -> Kind:
    """The task the labels look like: ``binary`` if every label is 0 or 1,
    ``multiclass`` if they are exactly the whole numbers 0..K-1 with K in 3..5,
    and ``regression`` otherwise."""
    seen = set(labels)
    if seen <= {0.0, 1.0}:
        return "binary"
    if seen == set(map(float, range(len(seen)))) and MIN_CLASSES <= len(seen) <= MAX_CLASSES:
        return "multiclass"
    return "regression"


def _number(field: str, column: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise SpecError.coded(field, "point_not_number", column=column,
                              got=type(value).__name__)
    number = float(value)
    if not math.isfinite(number):
        raise SpecError.coded(field, "point_not_finite", column=column, value=str(number))
    if abs(number) > MAX_VALUE:
        raise SpecError.coded(field, "point_out_of_range", column=column, low=-MAX_VALUE,
                              high=MAX_VALUE, value=number)
    return number


def check_label(field: str, label: float, kind: Kind) -> None:
    """SpecError naming ``field`` unless ``label`` fits ``kind`` (see the module)."""
    if kind == "binary" and label not in (0.0, 1.0):
        raise SpecError.coded(field, "label_not_binary", label=float(label))
    if kind == "multiclass" and (label != int(label) or not 0 <= label < MAX_CLASSES):
        raise SpecError.coded(field, "label_not_class", label=float(label), max=MAX_CLASSES - 1)


def check_points(points: Any, kind: Any = None) -> tuple[tuple[Row, ...], Kind]:
    """Validate rows ``[[x1, x2, y], ...]`` and their kind (guessed from the labels
    when ``kind`` is None); returns the rows as tuples of floats and the kind."""
    if isinstance(points, str | bytes) or not isinstance(points, Sequence):
        raise SpecError.coded("data.points", "points_not_list")
    if not MIN_ROWS <= len(points) <= MAX_ROWS:
        raise SpecError.coded("data.points", "points_row_count", min=MIN_ROWS, max=MAX_ROWS,
                              count=len(points))
    rows: list[Row] = []
    for i, row in enumerate(points):
        field = f"data.points.{i}"
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != 3:
            raise SpecError.coded(field, "point_not_row")
        x1, x2, y = (_number(field, c, v) for c, v in zip(COLUMNS, row, strict=True))
        rows.append((x1, x2, y))
    checked = guess_kind([r[2] for r in rows]) if kind is None else check_kind(kind)
    for i, row in enumerate(rows):
        check_label(f"data.points.{i}", row[2], checked)
    if checked == "multiclass" and class_count(checked, rows) < MIN_CLASSES:
        raise SpecError.coded("data.points", "points_too_few_classes", min=MIN_CLASSES,
                              max=MAX_CLASSES, top=MIN_CLASSES - 1)
    return tuple(rows), checked


def class_count(kind: Kind, rows: Sequence[Row]) -> int:
    """Classes the network predicts: 2 for binary, largest label + 1 for
    multiclass, 0 for regression."""
    if kind == "binary":
        return 2
    if kind == "multiclass":
        return int(max(r[2] for r in rows)) + 1
    return 0


def point_arrays(rows: Sequence[Row], kind: Kind) -> tuple[np.ndarray, np.ndarray]:
    """The rows as raw points X, float64 (n, 2), and targets y: int64 labels (n,)
    for classification, float64 (n,) for regression."""
    table = np.asarray(rows, dtype=np.float64).reshape(len(rows), 3)
    X = np.ascontiguousarray(table[:, :2])
    y = table[:, 2].copy() if kind == "regression" else table[:, 2].astype(np.int64)
    return X, y


def natural_extent(X: np.ndarray) -> tuple[float, float, float, float]:
    """The plotted range (xmin, xmax, ymin, ymax) around raw points X (n, 2): each
    axis spans the points plus ``MARGIN`` of their range on both sides (half a
    unit, or a tenth of the value, on an axis where all points agree)."""
    bounds: list[float] = []
    for column in (X[:, 0], X[:, 1]):
        lo, hi = float(column.min()), float(column.max())
        span = hi - lo
        pad = MARGIN * span if span > 0 else max(0.5, MARGIN * abs(lo))
        bounds += [lo - pad, hi + pad]
    return (bounds[0], bounds[1], bounds[2], bounds[3])
