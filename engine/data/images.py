"""Small synthetic grey images for the convolutional-network lessons.

The engine draws every image itself (nothing is downloaded). Images are float64
in [0, 1], channels-first: a batch has shape ``(n, 1, S, S)`` with the side S
between 8 and 64 (default 16); the helpers for single pictures return ``(S, S)``.

There are six classes, ``IMAGE_CLASSES``: three shapes (a filled square, a ring
and a cross) and three textures (horizontal stripes, a checkerboard and diagonal
lines, each filling a square patch). Each image shows one figure, brighter than
its background, at a random position and of random size (textures also get a
random period and phase), on a background of random brightness, with a random
contrast and optional Gaussian pixel noise. Because the figure moves, a network
has to learn local features; because the background level varies far more than
the small differences in how much of the image each kind covers, the mean
brightness of an image says next to nothing about its class.

Main entry points:

- ``image_set(n, rng, size, noise, classes)`` -> images (n, 1, S, S), labels (n,);
- ``build_image_data(n_samples, seed, ...)`` -> an ``ImageData`` train/test split;
- ``draw(kind, size, center, scale, background, foreground)`` -> one (S, S) image;
- ``image_of_size(kind, size, rng)`` -> one random (S, S) image of a kind;
- ``shift(images, dy, dx, fill)`` -> images moved by whole pixels;
- ``texture_on_background`` and ``flat_background`` -> (S, S) images for the
  pooling lesson.

The drawing primitives, ``shift``, ``background_level`` and the pooling-lesson
pictures live in :mod:`engine.data.image_parts` and are re-exported here. All randomness
comes from the ``numpy.random.Generator`` passed in (or the seed), so a seed fixes
every number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.data.image_parts import (
    DETAIL,
    EXTENT,
    KINDS,
    MAX_SIZE,
    MIN_SIZE,
    SHAPES,
    TEXTURES,
    Figures,
    background_level,
    check_kind,
    check_size,
    clamp_detail,
    coverage_mask,
    flat_background,
    sample_figures,
    shift,
    texture_on_background,
)

__all__ = [
    "IMAGE_CLASSES",
    "MAX_SIZE",
    "MIN_SIZE",
    "SHAPES",
    "TEXTURES",
    "ImageData",
    "background_level",
    "build_image_data",
    "draw",
    "flat_background",
    "image_of_size",
    "image_set",
    "shift",
    "texture_on_background",
]

#: Class names, in label order: label k is ``IMAGE_CLASSES[k]``.
IMAGE_CLASSES: tuple[str, ...] = KINDS
#: Largest allowed per-pixel noise standard deviation.
MAX_NOISE = 0.5
#: Background brightness is uniform in this range.
BACKGROUND = (0.0, 0.5)
#: Contrast (figure brightness minus background) is uniform in this range.
CONTRAST = (0.3, 0.5)


def _check_noise(noise: float) -> float:
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE}, got {noise}")
    return float(noise)


def _class_names(classes: Sequence[str] | int | None) -> tuple[str, ...]:
    """The chosen class names: all for None, the first k for an int k, or the
    given names (at least two, no repeats, each in ``IMAGE_CLASSES``)."""
    if classes is None:
        return IMAGE_CLASSES
    if isinstance(classes, int | np.integer) and not isinstance(classes, bool):
        if not 2 <= classes <= len(IMAGE_CLASSES):
            raise ValueError(f"classes must be between 2 and {len(IMAGE_CLASSES)}, got {classes}")
        return IMAGE_CLASSES[: int(classes)]
    if isinstance(classes, str):
        raise ValueError("classes must be a sequence of class names, not one string")
    names = tuple(check_kind(c) for c in classes)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"classes must name at least two different classes, got {names}")
    return names


def _finish(
    masks: np.ndarray,
    background: np.ndarray,
    contrast: np.ndarray,
    noise: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Paint masks (m, S, S) as ``background + contrast * mask`` with per-image
    levels (m,), add Gaussian noise of standard deviation ``noise`` and clip to
    [0, 1]. Works in place on ``masks`` and returns it."""
    masks *= contrast[:, None, None]
    masks += background[:, None, None]
    if noise > 0:
        masks += rng.normal(0.0, noise, size=masks.shape)
    return np.clip(masks, 0.0, 1.0, out=masks)


def image_set(
    n: int,
    rng: np.random.Generator,
    size: int = 16,
    noise: float = 0.05,
    classes: Sequence[str] | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` random images shared out evenly over the classes.

    Args:
        n: number of images, >= 1.
        rng: the source of all randomness.
        size: image side S, 8..64.
        noise: standard deviation of the Gaussian pixel noise, 0..0.5.
        classes: None for all of ``IMAGE_CLASSES``, an int k for the first k,
            or a sequence of class names; label j means the j-th chosen name.

    Returns:
        ``(images, labels)``: images float64 (n, 1, S, S) in [0, 1]; labels int64
        (n,), in blocks by class (first all label 0, then label 1, ...), with
        class counts differing by at most one.

    Each image has its own background level (uniform in ``BACKGROUND``) and
    contrast (uniform in ``CONTRAST``), and its figure its own position and size.
    """
    size = check_size(size)
    noise = _check_noise(noise)
    names = _class_names(classes)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    k = len(names)
    labels = (np.arange(n, dtype=np.int64) * k) // n
    background = rng.uniform(*BACKGROUND, size=n)
    contrast = rng.uniform(*CONTRAST, size=n)
    masks = np.empty((n, size, size))
    bounds = np.searchsorted(labels, np.arange(k + 1))  # block j is bounds[j]:bounds[j+1]
    for j, name in enumerate(names):
        lo, hi = int(bounds[j]), int(bounds[j + 1])
        if hi > lo:
            masks[lo:hi] = coverage_mask(name, size, sample_figures(name, hi - lo, size, rng))
    images = _finish(masks, background, contrast, noise, rng)
    return images[:, None, :, :], labels


@dataclass(eq=False)
class ImageData:
    """A drawn image data set split into training and test parts.

    Attributes:
        X_train, X_test: images, float64 C-contiguous (n_train, 1, S, S) and
            (n_test, 1, S, S), values in [0, 1].
        y_train, y_test: int64 labels (n_train,) and (n_test,).
        class_names: name of each label, in label order.
        size: the image side S.
        seed: the seed it was drawn with.
    """

    X_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    class_names: tuple[str, ...]
    size: int
    seed: int

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)


def build_image_data(
    n_samples: int,
    seed: int,
    size: int = 16,
    noise: float = 0.05,
    train_fraction: float = 0.8,
    classes: Sequence[str] | int | None = None,
) -> ImageData:
    """Draw ``n_samples`` images with ``image_set`` and split them, class by
    class, into training and test sets.

    Each class gives round(train_fraction * its count) images to training (at
    least one, and leaving at least one for testing), so both sets stay
    balanced; each set is then shuffled. The same arguments always give
    bit-identical arrays.

    Args:
        n_samples: total number of images, at least two per class.
        seed: seed of the random generator.
        size: image side S, 8..64.
        noise: pixel noise standard deviation, 0..0.5.
        train_fraction: share of each class used for training, 0.1..0.9.
        classes: as for ``image_set``.
    """
    names = _class_names(classes)
    if n_samples < 2 * len(names):
        raise ValueError(
            f"n_samples must be at least {2 * len(names)} (two per class), got {n_samples}"
        )
    if not 0.1 <= train_fraction <= 0.9:
        raise ValueError(f"train_fraction must be between 0.1 and 0.9, got {train_fraction}")
    rng = np.random.default_rng(seed)
    images, labels = image_set(n_samples, rng, size=size, noise=noise, classes=names)
    train_parts, test_parts = [], []
    for j in range(len(names)):
        members = rng.permutation(np.flatnonzero(labels == j))
        n_train = min(max(round(train_fraction * members.size), 1), members.size - 1)
        train_parts.append(members[:n_train])
        test_parts.append(members[n_train:])
    train_idx = rng.permutation(np.concatenate(train_parts))
    test_idx = rng.permutation(np.concatenate(test_parts))
    return ImageData(
        X_train=np.ascontiguousarray(images[train_idx]),
        X_test=np.ascontiguousarray(images[test_idx]),
        y_train=labels[train_idx],
        y_test=labels[test_idx],
        class_names=names,
        size=int(size),
        seed=int(seed),
    )


# ----------------------------------------------------------- single pictures


def draw(
    kind: str,
    size: int = 16,
    center: tuple[float, float] | None = None,
    scale: float | None = None,
    background: float = 0.2,
    foreground: float = 0.8,
) -> np.ndarray:
    """One noise-free image of ``kind``: float64 (S, S) in [0, 1].

    Args:
        kind: a name from ``IMAGE_CLASSES``.
        size: image side S, 8..64.
        center: figure centre as (row, column) in pixels, where pixel (i, j)
            has its centre at (i + 0.5, j + 0.5); None for the image middle
            (S/2, S/2). The figure may run off the canvas.
        scale: figure's full width (square side, ring diameter, cross span,
            texture patch side) as a fraction of S; None for the middle of the
            range used by ``image_set``.
        background, foreground: brightness outside and inside the figure, both
            in [0, 1]; the foreground may be the darker one.

    The detail (ring thickness, bar width, texture period) is the middle of the
    range used by ``image_set``; a texture has a bright band through the centre.
    """
    check_kind(kind)
    size = check_size(size)
    for name, level in (("background", background), ("foreground", foreground)):
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {level}")
    if scale is None:
        scale = float(np.mean(EXTENT[kind]))
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    cy, cx = (size / 2, size / 2) if center is None else center
    detail = clamp_detail(kind, np.array([np.mean(DETAIL[kind]) * size]))
    fig = Figures(
        cy=np.array([float(cy)]),
        cx=np.array([float(cx)]),
        extent=np.array([float(scale) * size]),
        detail=detail,
        phase=np.zeros((1, 2)),
    )
    mask = coverage_mask(kind, size, fig)[0]
    return background + (foreground - background) * mask


def image_of_size(kind: str, size: int, rng: np.random.Generator, noise: float = 0.0) -> np.ndarray:
    """One random image of ``kind`` drawn as in ``image_set``: float64 (S, S).

    The figure's geometry is drawn as fractions of S, so generators with the same
    seed give the same picture at every size, only finer or coarser (apart from
    minimum line widths on small canvases); this serves inputs of different sizes,
    e.g. 12, 16 and 24, for spatial pyramid pooling. Use ``image[None, None]``
    for a (1, 1, S, S) batch.
    """
    check_kind(kind)
    size = check_size(size)
    noise = _check_noise(noise)
    background = rng.uniform(*BACKGROUND, size=1)
    contrast = rng.uniform(*CONTRAST, size=1)
    masks = coverage_mask(kind, size, sample_figures(kind, 1, size, rng))
    return _finish(masks, background, contrast, noise, rng)[0]
