"""The data spec: a small, validated, JSON-round-tripping description of a data set.

A ``DataSpec`` says which toy data set to draw, how many points, how noisy, how to
split it into train and test, which input features the network sees, how to move
the points (offset and scale, for the input-normalisation lesson), whether to
standardise, and the seed. Every check raises ``SpecError`` with a field path
such as ``data.noise`` or ``data.offset.1``.

The data set ``points`` is not drawn: its rows come in the spec itself
(``points`` and ``kind``, see :mod:`engine.data.points`), so the task is known from
the spec alone (:attr:`DataSpec.task`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from engine.data.features import check_names
from engine.data.images import IMAGE_CLASSES
from engine.data.points import POINTS, Row, check_points, class_count, points_info
from engine.data.registry import DATASETS, MAX_CLASSES, MIN_CLASSES, DatasetInfo, Kind
from engine.errors import SpecError
from engine.validate import as_float as _float
from engine.validate import as_int as _int

MAX_SEED = 2**32 - 1
MIN_IMAGE_SIZE, MAX_IMAGE_SIZE = 8, 32
MIN_TENSOR_SAMPLES = 24
"""Fewest samples of an image or text data set (a few per class in each split)."""


@dataclass(frozen=True)
class DataSpec:
    """What data to draw and how to present it to the network.

    Attributes:
        name: a key of ``DATASETS``, or ``"points"`` for the points in ``points``.
        n_samples: points drawn, 4..5000 (ignored by ``xor-table`` and ``points``).
        noise: jitter in [0, 0.5]; 0.5 is heavy.
        train_fraction: share of points used for training, 0.1..0.9.
        classes: number of classes for ``blobs`` and ``spirals``, 3..5 (inline
            multiclass points have as many as their largest label + 1).
        features: input features (see ``features.FEATURES``); ``None`` picks the
            data set's default, ``("x1", "x2")`` in 2-D and ``("x",)`` in 1-D.
        offset: (dx, dy) added to every point after scaling; each |value| <= 1000.
            1-D sets use dx only.
        scale: factor applied to every point before the offset, 0.01..100.
        standardize: rescale each input column with the training mean and std.
        seed: 0..2**32-1; the same spec and seed give identical arrays.
        kind: ``points`` only: ``"binary"``, ``"multiclass"`` or ``"regression"``;
            ``None`` guesses it from the labels (see ``points.guess_kind``).
        points: ``points`` only: 4..5000 rows (x1, x2, label or target), kept as
            tuples of floats; empty for every other data set.
        size: image data only: the side S of the (1, S, S) images, 8..32.

    Image and text data sets (``shapes``, ``sentiment``) use n_samples (at least
    ``MIN_TENSOR_SAMPLES``), train_fraction and seed, images also noise and size;
    they have no input features.
    """

    name: str = "circle"
    n_samples: int = 400
    noise: float = 0.0
    train_fraction: float = 0.5
    classes: int = 3
    features: tuple[str, ...] | None = None
    offset: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0
    standardize: bool = False
    seed: int = 0
    kind: Kind | None = None
    points: tuple[Row, ...] = ()
    size: int = 16

    def __post_init__(self) -> None:
        put = object.__setattr__  # the dataclass is frozen
        if self.name == POINTS:
            rows, kind = check_points(self.points, self.kind)
            put(self, "points", rows)
            put(self, "kind", kind)
            info = points_info(kind)
        else:
            info = self._check_name(self.name)
            if self.kind is not None:
                raise SpecError.coded("data.kind", "only_for_points")
            if isinstance(self.points, str | bytes) or not isinstance(self.points, Sequence) \
                    or len(self.points) > 0:
                raise SpecError.coded("data.points", "only_for_points")
            put(self, "points", ())
        put(self, "n_samples", _int("data.n_samples", self.n_samples, 4, 5000))
        put(self, "noise", _float("data.noise", self.noise, 0.0, 0.5))
        put(self, "train_fraction", _float("data.train_fraction", self.train_fraction, 0.1, 0.9))
        put(self, "classes", _int("data.classes", self.classes, MIN_CLASSES, MAX_CLASSES))
        put(self, "size", _int("data.size", self.size, MIN_IMAGE_SIZE, MAX_IMAGE_SIZE))
        if info.modality != "image" and self.size != 16:
            raise SpecError.coded("data.size", "only_for_images")
        if info.modality == "points":
            features = info.default_features if self.features is None else self.features
            put(self, "features", check_names(features, info.dims))
        else:
            if self.features:
                raise SpecError.coded("data.features", "not_for_modality", modality=info.modality)
            put(self, "features", ())
            if self.n_samples < MIN_TENSOR_SAMPLES:
                raise SpecError.coded("data.n_samples", "too_few_samples", modality=info.modality,
                                      min=MIN_TENSOR_SAMPLES, count=self.n_samples)
        put(self, "offset", self._check_offset(self.offset))
        put(self, "scale", _float("data.scale", self.scale, 0.01, 100.0))
        if not isinstance(self.standardize, bool):
            raise SpecError.coded("data.standardize", "not_boolean")
        put(self, "seed", _int("data.seed", self.seed, 0, MAX_SEED))
        if info.modality != "points":
            self._check_unused(info.modality)

    def _check_unused(self, modality: str) -> None:
        """Image and text sets have no points to move or classes to choose: those
        fields (and noise, for text) must keep their defaults."""
        unused = {"offset": self.offset != (0.0, 0.0), "scale": self.scale != 1.0,
                  "standardize": self.standardize is not False, "classes": self.classes != 3,
                  "noise": modality == "text" and self.noise != 0.0}
        for name, changed in unused.items():
            if changed:
                raise SpecError.coded(f"data.{name}", "not_for_modality", modality=modality)

    @staticmethod
    def _check_name(name: Any) -> DatasetInfo:
        """The catalogue entry of a drawn data set ``name``, or SpecError naming
        ``data.name``."""
        if not isinstance(name, str):
            raise SpecError.coded("data.name", "dataset_not_text")
        if name not in DATASETS:
            choices = ", ".join(DATASETS)
            raise SpecError.coded("data.name", "unknown_dataset_upload" if name == "upload"
                                  else "unknown_dataset", name=name, choices=choices)
        return DATASETS[name]

    @staticmethod
    def _check_offset(offset: Any) -> tuple[float, float]:
        if isinstance(offset, str | bytes) or not isinstance(offset, Sequence):
            raise SpecError.coded("data.offset", "offset_not_pair")
        if len(offset) != 2:
            raise SpecError.coded("data.offset", "offset_count", count=len(offset))
        dx = _float("data.offset.0", offset[0], -1000.0, 1000.0)
        dy = _float("data.offset.1", offset[1], -1000.0, 1000.0)
        return (dx, dy)

    @property
    def info(self) -> DatasetInfo:
        """The catalogue entry of this spec's data set (for ``points``, one made
        for its kind)."""
        if self.name == POINTS:
            return points_info(self.task)
        return DATASETS[self.name]

    @property
    def task(self) -> Kind:
        """``"binary"``, ``"multiclass"`` or ``"regression"``, known from the spec alone."""
        if self.name == POINTS:
            assert self.kind is not None  # set by __post_init__
            return self.kind
        return DATASETS[self.name].kind

    @property
    def n_classes(self) -> int:
        """Classes the network tells apart: 2 for binary, ``classes`` (or, for
        ``points``, the largest label + 1) for multiclass, 0 for regression."""
        if self.name == POINTS:
            return class_count(self.task, self.points)
        if self.info.modality == "image":
            return len(IMAGE_CLASSES)
        return {"binary": 2, "multiclass": self.classes, "regression": 0}[self.task]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DataSpec:
        """Build and validate a spec from a JSON-like mapping; missing keys take
        their defaults. Raises SpecError naming the first bad field, e.g.
        ``data.offset.1``, or ``data.<key>`` with "unknown field"."""
        if not isinstance(d, Mapping):
            raise SpecError.coded("data", "not_object")
        known = {f.name for f in fields(cls)}
        for key in d:
            if key not in known:
                raise SpecError.coded(f"data.{key}", "unknown_field")
        kwargs = dict(d)
        # JSON gives lists; the spec keeps tuples so it stays hashable.
        feats = kwargs.get("features")
        if isinstance(feats, list):
            kwargs["features"] = tuple(feats)
        elif feats is not None and not isinstance(feats, tuple):
            raise SpecError.coded("data.features", "features_not_list")
        if isinstance(kwargs.get("offset"), list):
            kwargs["offset"] = tuple(kwargs["offset"])
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict that ``from_dict`` turns back into an equal spec
        (``kind`` and ``points`` only appear for the data set ``points``)."""
        inline = {"kind": self.kind, "points": [list(row) for row in self.points]}
        return {
            "name": self.name,
            "n_samples": self.n_samples,
            "noise": self.noise,
            "train_fraction": self.train_fraction,
            "classes": self.classes,
            "features": list(self.features or ()),
            "offset": list(self.offset),
            "scale": self.scale,
            "standardize": self.standardize,
            "seed": self.seed,
            **(inline if self.name == POINTS else {}),
            **({"size": self.size} if self.info.modality == "image" else {}),
        }
