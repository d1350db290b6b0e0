"""Input features: what the network actually sees of each point.

As in TensorFlow Playground, a 2-D point (x1, x2) can be fed to the network as
any selection of x1, x2, x1^2, x2^2, x1*x2, sin(x1) and sin(x2). With x1*x2 alone
a single neuron solves XOR; with x1 and x2 alone it cannot. 1-D data has the one
feature "x".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from engine.errors import SpecError

Feature = Callable[[np.ndarray], np.ndarray]

#: 2-D features: name -> function of points (n, 2) giving one column (n,).
FEATURES: dict[str, Feature] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] ** 2,
    "x2^2": lambda p: p[:, 1] ** 2,
    "x1*x2": lambda p: p[:, 0] * p[:, 1],
    "sin(x1)": lambda p: np.sin(p[:, 0]),
    "sin(x2)": lambda p: np.sin(p[:, 1]),
}

#: 1-D features: name -> function of points (n, 1) giving one column (n,).
FEATURES_1D: dict[str, Feature] = {
    "x": lambda p: p[:, 0],
}


def registry(dims: int) -> dict[str, Feature]:
    """The feature registry for data of input dimension ``dims`` (1 or 2)."""
    return FEATURES_1D if dims == 1 else FEATURES


def check_names(names: Sequence[str], dims: int) -> tuple[str, ...]:
    """Validate a feature selection for ``dims``-dimensional data.

    Raises ``SpecError("data.features", ...)`` for an empty selection and
    ``SpecError("data.features.<i>", ...)`` for an entry that is not a string, is
    unknown, or repeats an earlier one. Returns the names as a tuple.
    """
    known = registry(dims)
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise SpecError.coded("data.features", "features_not_list")
    if len(names) == 0:
        raise SpecError.coded("data.features", "no_features")
    seen: set[str] = set()
    for i, name in enumerate(names):
        field = f"data.features.{i}"
        if not isinstance(name, str):
            raise SpecError.coded(field, "feature_not_text")
        if name not in known:
            choices = ", ".join(known)
            raise SpecError.coded(field, "unknown_feature", name=name, dims=dims,
                                  choices=choices)
        if name in seen:
            raise SpecError.coded(field, "feature_twice", name=name)
        seen.add(name)
    return tuple(names)


def expand(points: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Map points (n, d), d = 1 or 2, to the feature matrix (n, k), k = len(names).

    Returns a new C-contiguous float64 array whose column j is feature names[j].
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] not in (1, 2):
        raise ValueError(f"points must have shape (n, 1) or (n, 2), got {pts.shape}")
    chosen = check_names(names, pts.shape[1])
    known = registry(pts.shape[1])
    out = np.empty((pts.shape[0], len(chosen)), dtype=np.float64)
    for j, name in enumerate(chosen):
        out[:, j] = known[name](pts)
    return out
