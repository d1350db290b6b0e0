"""The catalogue of data sets: which generator makes each one, what kind of task it
poses, its input dimension, and a one-line description for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from engine.data import generators as gen
from engine.data.features import registry as feature_registry

Kind = Literal["binary", "multiclass", "regression"]
Modality = Literal["points", "image", "text"]

MIN_CLASSES = 3
"""Fewest classes of a multiclass data set (``data.classes`` of blobs and spirals)."""
MAX_CLASSES = 5
"""Most classes of a multiclass data set."""


@dataclass(frozen=True)
class DatasetInfo:
    """One entry of the catalogue.

    Attributes:
        name: the name used in specs, e.g. ``"circle"``.
        kind: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        dims: input dimension of the raw points, 1 or 2.
        generator: ``fn(n, noise, rng, **params) -> (X, y)`` from ``generators``.
        description: one plain-English line.
        fixed: True for a fixed set of points (``xor-table``) that ignores
            n_samples, noise, train_fraction and seed.
        inline: True for ``points``, whose points come inside the spec
            (``data.points``) instead of from the generator; it ignores
            n_samples, noise and classes. Such a set is not in ``DATASETS``.
        modality: ``"points"`` (1-D or 2-D points, the playground's sets),
            ``"image"`` (grey images (1, S, S), see ``engine.data.images``) or
            ``"text"`` (padded word ids, see ``engine.data.text``); the last two
            have no generator and ``dims`` 0.
    """

    name: str
    kind: Kind
    dims: int
    generator: gen.Generator | None
    description: str
    fixed: bool = False
    inline: bool = False
    modality: Modality = "points"

    @property
    def default_features(self) -> tuple[str, ...]:
        """The feature selection used when a spec gives none."""
        if self.modality != "points":
            return ()
        return ("x",) if self.dims == 1 else ("x1", "x2")

    @property
    def settings(self) -> tuple[str, ...]:
        """Names of the DataSpec fields that change this data set."""
        names = ["n_samples", "noise", "train_fraction"]
        if self.kind == "multiclass":
            names.append("classes")
        names += ["features", "offset", "scale", "standardize", "seed"]
        if self.modality == "image":
            return ("n_samples", "noise", "train_fraction", "size", "seed")
        if self.modality == "text":
            return ("n_samples", "train_fraction", "seed")
        if self.fixed:
            names = [s for s in names if s not in {"n_samples", "noise", "train_fraction", "seed"}]
        if self.inline:
            names = ["points", "kind", *(s for s in names
                                         if s not in {"n_samples", "noise", "classes"})]
        return tuple(names)


# fmt: off
_ENTRIES = [
    DatasetInfo(
        "circle", "binary", 2, gen.circle,
        "A disk of one class inside a ring of the other.",
    ),
    DatasetInfo(
        "xor", "binary", 2, gen.xor,
        "Four quadrants; the class is whether x1 and x2 differ in sign.",
    ),
    DatasetInfo(
        "gauss", "binary", 2, gen.gauss,
        "Two Gaussian blobs, easy to split with a straight line.",
    ),
    DatasetInfo(
        "spiral", "binary", 2, gen.spiral,
        "Two interleaved spirals; needs a deep or wide network.",
    ),
    DatasetInfo(
        "moons", "binary", 2, gen.moons,
        "Two interleaved half moons.",
    ),
    DatasetInfo(
        "blobs", "multiclass", 2, gen.blobs,
        "Three to five Gaussian blobs on a circle, one class each.",
    ),
    DatasetInfo(
        "spirals", "multiclass", 2, gen.spirals,
        "Three to five interleaved spiral arms, one class each.",
    ),
    DatasetInfo(
        "plane", "regression", 2, gen.plane,
        "A tilted plane: the target is linear in x1 and x2.",
    ),
    DatasetInfo(
        "multi-gaussian", "regression", 2, gen.multi_gaussian,
        "Hills and valleys: a sum of signed Gaussian bumps.",
    ),
    DatasetInfo(
        "sine", "regression", 1, gen.sine,
        "One and a half periods of a sine wave.",
    ),
    DatasetInfo(
        "abs", "regression", 1, gen.absolute,
        "The V shape y = |x|, scaled to [0, 1].",
    ),
    DatasetInfo(
        "step", "regression", 1, gen.step,
        "A step from 0 to 1 at x = 0.",
    ),
    DatasetInfo(
        "xor-table", "binary", 2, gen.xor_table,
        "Exactly the four XOR points (0,0), (0,1), (1,0), (1,1).", fixed=True,
    ),
    DatasetInfo(
        "shapes", "multiclass", 0, None,
        "Grey images of six shapes and textures (square, ring, cross, stripes, "
        "checker, diagonal) at random places on backgrounds of random brightness.",
        modality="image",
    ),
    DatasetInfo(
        "sentiment", "binary", 0, None,
        "Short reviews, positive or negative, where 'not' turns the meaning around; "
        "with word vectors learned beforehand from unlabelled text.",
        modality="text",
    ),
]
# fmt: on

#: name -> DatasetInfo for every data set the playground offers.
DATASETS: dict[str, DatasetInfo] = {info.name: info for info in _ENTRIES}


def list_datasets() -> list[dict[str, Any]]:
    """JSON-able descriptions of every data set that can be drawn, in catalogue order.

    The data set ``points`` (your own points, carried in ``data.points``; see
    ``engine.data.points``) is not listed: it has nothing to draw without them.

    Each item has ``name``, ``kind``, ``dims``, ``description``, ``settings`` (the
    spec fields that apply), ``features`` (the feature names that may be chosen)
    and ``default_features``.
    """
    return [
        {
            "name": info.name,
            "kind": info.kind,
            "dims": info.dims,
            "modality": info.modality,
            "description": info.description,
            "settings": list(info.settings),
            "features": list(feature_registry(info.dims)) if info.modality == "points" else [],
            "default_features": list(info.default_features),
        }
        for info in DATASETS.values()
    ]
