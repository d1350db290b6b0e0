"""Drawing primitives and whole-pixel image operations for the synthetic grey
images of :mod:`engine.data.images` (which re-exports the public ones).

Every primitive draws a whole batch at once with NumPy index grids, never with a
loop over pixels. Pixel ``(i, j)`` of an S x S image has its centre at the
continuous point ``(y, x) = (i + 0.5, j + 0.5)``, so an image covers the square
[0, S] x [0, S] and its middle is ``(S / 2, S / 2)``.

A batch of m figures of one kind is described by a :class:`Figures` record of
per-image parameters, each a float64 array of shape (m,) (the phases (m, 2)),
all in pixels. :func:`coverage_mask` turns it into a coverage mask, float64 of
shape (m, S, S) in [0, 1]: 1 inside the figure, 0 outside, with a linear ramp one
pixel wide across each edge so that sub-pixel positions and sizes still show.

Figures are written as signed distances (negative inside, in pixels) that turn
into coverage with ``clip(0.5 - distance, 0, 1)``.

The kinds are the shapes ``square`` (filled square), ``ring`` and ``cross`` (a
plus sign), and the textures ``stripes`` (horizontal), ``checker``
(checkerboard) and ``diagonal`` (parallel lines at 45 degrees). A texture fills a
square patch whose position, size and pattern phase vary.

Besides the figures this module holds the helpers that act on finished images of
any shape (..., S, S): ``background_level`` and ``shift`` (translation by whole
pixels), and the fixed (S, S) pictures of the pooling lesson,
``flat_background`` and ``texture_on_background``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Allowed image sides.
MIN_SIZE = 8
MAX_SIZE = 64

#: Every kind of figure, shapes first, then textures.
KINDS: tuple[str, ...] = ("square", "ring", "cross", "stripes", "checker", "diagonal")
SHAPES: tuple[str, ...] = ("square", "ring", "cross")
TEXTURES: tuple[str, ...] = ("stripes", "checker", "diagonal")

#: Range of the figure's full width (square side, ring diameter, cross span,
#: texture patch side) as a fraction of the image side S. The ranges are chosen
#: so every kind covers on average about 15-18 % of the image, which keeps the
#: mean brightness of an image from telling its kind.
EXTENT: dict[str, tuple[float, float]] = {
    "square": (0.30, 0.50),
    "ring": (0.45, 0.70),
    "cross": (0.45, 0.70),
    "stripes": (0.45, 0.70),
    "checker": (0.45, 0.70),
    "diagonal": (0.45, 0.70),
}

#: Range of the figure's detail as a fraction of S: the ring's line thickness,
#: the cross's bar width, and the full period of a texture (one bright and one
#: dark band; for the checkerboard, two cells). Unused for the square.
DETAIL: dict[str, tuple[float, float]] = {
    "square": (0.0, 0.0),
    "ring": (0.10, 0.15),
    "cross": (0.12, 0.18),
    "stripes": (0.20, 0.30),
    "checker": (0.26, 0.36),
    "diagonal": (0.20, 0.30),
}

#: Smallest detail in pixels, so thin parts stay visible on small canvases.
MIN_DETAIL: dict[str, float] = {
    "square": 0.0,
    "ring": 1.2,
    "cross": 1.2,
    "stripes": 2.5,
    "checker": 3.0,
    "diagonal": 2.5,
}


@dataclass(frozen=True)
class Figures:
    """Parameters of m figures of one kind, all in pixels.

    Attributes:
        cy, cx: centre row and column, float64 (m,).
        extent: full width of the figure, float64 (m,).
        detail: line thickness, bar width or texture period, float64 (m,).
        phase: texture offset along (y, x) as a fraction of the period in
            [0, 1), float64 (m, 2); ignored by the shapes.
    """

    cy: np.ndarray
    cx: np.ndarray
    extent: np.ndarray
    detail: np.ndarray
    phase: np.ndarray

    @property
    def count(self) -> int:
        """Number m of figures."""
        return int(self.cy.shape[0])


def check_size(size: int) -> int:
    """Return ``size`` as an int if it is a whole number in MIN_SIZE..MAX_SIZE,
    else raise ValueError."""
    if isinstance(size, bool) or not isinstance(size, int | np.integer):
        raise ValueError(f"size must be an integer, got {size!r}")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must be between {MIN_SIZE} and {MAX_SIZE}, got {size}")
    return int(size)


def check_kind(kind: str) -> str:
    """Return ``kind`` if it is one of ``KINDS``, else raise ValueError."""
    if kind not in KINDS:
        raise ValueError(f"unknown image kind {kind!r}; expected one of {', '.join(KINDS)}")
    return kind


def clamp_detail(kind: str, detail: np.ndarray) -> np.ndarray:
    """Detail (m,) in pixels, raised to the kind's minimum ``MIN_DETAIL``."""
    return np.maximum(detail, MIN_DETAIL[kind])


def sample_figures(kind: str, m: int, size: int, rng: np.random.Generator) -> Figures:
    """Draw m random figures of ``kind`` for S = ``size``.

    Width, detail and centre are drawn as fractions of S and then scaled, so the
    same random numbers give the same picture at every size (up to the minimum
    detail of ``MIN_DETAIL``). The centre is uniform over the places where the
    whole figure fits inside the image. Draw order: width, detail, centre row,
    centre column, phases.
    """
    lo, hi = EXTENT[kind]
    extent = rng.uniform(lo, hi, size=m) * size
    dlo, dhi = DETAIL[kind]
    detail = clamp_detail(kind, rng.uniform(dlo, dhi, size=m) * size)
    room = size - extent  # free span along each axis, >= 0
    cy = extent / 2 + rng.uniform(0.0, 1.0, size=m) * room
    cx = extent / 2 + rng.uniform(0.0, 1.0, size=m) * room
    phase = rng.uniform(0.0, 1.0, size=(m, 2))
    return Figures(cy=cy, cx=cx, extent=extent, detail=detail, phase=phase)


def _offsets(size: int, fig: Figures) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offsets of every pixel centre from each figure's centre:
    two float64 arrays of shape (m, S, 1) and (m, 1, S)."""
    centres = np.arange(size, dtype=np.float64) + 0.5
    dy = centres[None, :, None] - fig.cy[:, None, None]
    dx = centres[None, None, :] - fig.cx[:, None, None]
    return dy, dx


def _coverage(distance: np.ndarray) -> np.ndarray:
    """Coverage in [0, 1] from a signed distance in pixels (negative inside)."""
    return np.clip(0.5 - distance, 0.0, 1.0)


def _bands(u: np.ndarray, period: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Soft square wave of duty one half along the coordinate ``u`` (pixels):
    coverage in [0, 1] of bright bands of width period/2, one band centred at
    ``u = phase * period``. ``period`` and ``phase`` broadcast against ``u``."""
    t = u / period - phase
    distance = np.abs(t - np.round(t)) * period  # to the nearest band centre
    return _coverage(distance - period / 4)


def coverage_mask(kind: str, size: int, fig: Figures) -> np.ndarray:
    """Coverage masks of m figures of ``kind``: float64 (m, S, S) in [0, 1]."""
    dy, dx = _offsets(size, fig)
    ady, adx = np.abs(dy), np.abs(dx)
    half = fig.extent[:, None, None] / 2
    detail = fig.detail[:, None, None]
    if kind == "square":
        return _coverage(np.maximum(ady, adx) - half)
    if kind == "ring":
        r = np.hypot(dy, dx)
        return _coverage(np.abs(r - (half - detail / 2)) - detail / 2)
    if kind == "cross":
        arm = detail / 2
        across = np.maximum(adx - half, ady - arm)
        down = np.maximum(ady - half, adx - arm)
        return _coverage(np.minimum(across, down))

    # textures: a pattern in [0, 1] times a soft square patch
    patch = _coverage(np.maximum(ady, adx) - half)
    py = fig.phase[:, 0, None, None]
    px = fig.phase[:, 1, None, None]
    if kind == "stripes":
        pattern = _bands(dy, detail, py)
    elif kind == "checker":
        a = _bands(dy, detail, py)
        b = _bands(dx, detail, px)
        pattern = a * b + (1.0 - a) * (1.0 - b)  # bright where both or neither
    elif kind == "diagonal":
        pattern = _bands((dy + dx) / np.sqrt(2.0), detail, py)
    else:
        check_kind(kind)
        raise AssertionError("unreachable")
    return patch * pattern


# ------------------------------------------------------------------- moving


def background_level(images: np.ndarray) -> np.ndarray:
    """Estimate of each image's background brightness: the median over its last
    two (row, column) axes, shape ``images.shape[:-2]``. For the images of this
    module the figure covers well under half the pixels, so the median is a
    background pixel (with noise, slightly above the true level)."""
    return np.median(np.asarray(images, dtype=np.float64), axis=(-2, -1))


def shift(
    images: np.ndarray, dy: int, dx: int, fill: float | np.ndarray | None = None
) -> np.ndarray:
    """Translate images by whole pixels without wrapping around.

    Args:
        images: float array (..., S_rows, S_cols), e.g. (S, S), (n, S, S) or
            (n, 1, S, S); the last two axes are rows and columns.
        dy: rows to move down (negative: up).
        dx: columns to move right (negative: left).
        fill: value of the vacated border. None (the default) fills each image
            with its own background estimate, ``background_level`` (the median of
            that image); a number fills every image with it; an array of shape
            ``images.shape[:-2]`` gives one value per image.

    Returns:
        A new float64 array of the same shape: ``out[..., i + dy, j + dx] ==
        images[..., i, j]`` wherever both indices are inside, ``fill`` elsewhere.
        A move of a whole side or more leaves only the fill.
    """
    a = np.asarray(images, dtype=np.float64)
    if a.ndim < 2:
        raise ValueError(f"images need at least two axes (rows, columns), got shape {a.shape}")
    for name, step in (("dy", dy), ("dx", dx)):
        if isinstance(step, bool) or not isinstance(step, int | np.integer):
            raise ValueError(f"{name} must be a whole number of pixels, got {step!r}")
    levels = background_level(a) if fill is None else np.asarray(fill, dtype=np.float64)
    out = np.empty_like(a)
    out[...] = np.broadcast_to(levels, a.shape[:-2])[..., None, None]
    rows, cols = a.shape[-2:]
    if abs(dy) < rows and abs(dx) < cols:
        dst_r, src_r = _span(int(dy), rows)
        dst_c, src_c = _span(int(dx), cols)
        out[..., dst_r, dst_c] = a[..., src_r, src_c]
    return out


def _span(step: int, length: int) -> tuple[slice, slice]:
    """Destination and source slices of a move by ``step`` along an axis."""
    if step >= 0:
        return slice(step, length), slice(0, length - step)
    return slice(0, length + step), slice(-step, length)


# ------------------------------------------------------------ pooling lesson


def flat_background(size: int = 16, level: float = 0.1) -> np.ndarray:
    """A plain image: float64 (S, S), every pixel ``level`` (in [0, 1])."""
    size = check_size(size)
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    return np.full((size, size), float(level))


def texture_on_background(
    size: int = 16, background: float = 0.1, texture_level: float = 0.9, period: int = 4
) -> np.ndarray:
    """A sparse texture of single bright dots on a plain background: float64 (S, S).

    A dot of brightness ``texture_level`` sits at every pixel (i, j) with
    i mod period == j mod period == period // 2; all other pixels are
    ``background``. Any period x period window (at any position) then holds
    exactly one dot, so pooling over such windows gives
    ``max == texture_level`` and
    ``mean == background + (texture_level - background) / period**2``
    (0.15 for the defaults): mean pooling keeps roughly the background level,
    max pooling keeps the texture's peaks.
    """
    size = check_size(size)
    for name, level in (("background", background), ("texture_level", texture_level)):
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {level}")
    if isinstance(period, bool) or not isinstance(period, int | np.integer):
        raise ValueError(f"period must be an integer, got {period!r}")
    if not 2 <= period <= size:
        raise ValueError(f"period must be between 2 and the size {size}, got {period}")
    on = np.arange(size) % period == period // 2
    image = np.full((size, size), float(background))
    image[np.ix_(on, on)] = float(texture_level)
    return image
