"""Raw point generators for the playground's toy data sets.

Each generator draws ``n`` points in "natural" coordinates, roughly inside the
square [-6, 6] x [-6, 6] like TensorFlow Playground (1-D sets use x in [-3, 3]),
and returns ``(X, y)``:

- ``X``: float64, shape ``(n, 2)`` (or ``(n, 1)`` for the 1-D sets);
- ``y``: int64 labels of shape ``(n,)`` for classification (0/1, or 0..k-1), or
  float64 targets of shape ``(n,)`` for regression.

The signature is always ``fn(n, noise, rng, **params)``. ``noise`` lies in
[0, 0.5]; for 2-D sets it adds Gaussian jitter with standard deviation
``noise * JITTER`` to the points after they have been labelled (0.5 is heavy),
and for 1-D sets it jitters the target instead. All randomness comes from the
``numpy.random.Generator`` passed in, so a seed fixes every number.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Generated = tuple[np.ndarray, np.ndarray]
Generator = Callable[..., Generated]

#: Half-width of the natural plotting square.
PLANE = 6.0
#: Jitter standard deviation (in plane units) per unit of ``noise``.
JITTER = 3.0
#: Half-width of the x range of the 1-D sets.
LINE = 3.0


def _jitter(points: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Add Gaussian jitter of standard deviation ``noise * JITTER`` to (n, d) points."""
    if noise > 0:
        points = points + rng.normal(0.0, noise * JITTER, size=points.shape)
    return points


def _split(n: int, k: int) -> np.ndarray:
    """Class label of each of ``n`` points when they are shared out evenly over
    ``k`` classes, in order: shape (n,), int64, e.g. n=5, k=2 -> [0, 0, 0, 1, 1]."""
    return (np.arange(n, dtype=np.int64) * k) // n


def _polar(r: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Points (n, 2) from radii (n,) and angles (n,) in radians."""
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


# --------------------------------------------------------------------- binary


def circle(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """An inner disk (radius below 2.5, class 1) inside a ring (radius 3.5 to 5,
    class 0). Labels follow the radius of the point before jitter."""
    y = (_split(n, 2) == 0).astype(np.int64)  # first half inner (1), rest outer (0)
    low = np.where(y == 1, 0.0, 3.5)
    high = np.where(y == 1, 2.5, 5.0)
    r = rng.uniform(low, high)
    theta = rng.uniform(0.0, 2.0 * np.pi, size=n)
    return _jitter(_polar(r, theta), noise, rng), y


def xor(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """Points uniform in the square [-5.3, 5.3]^2 minus a gap of 0.3 around both
    axes; label 1 where the coordinates' signs differ (x1*x2 < 0), as in the XOR
    truth table, and 0 where they agree. Half the points are in each class."""
    y = _split(n, 2)
    size = rng.uniform(0.3, 5.3, size=(n, 2))
    first = rng.choice(np.array([-1.0, 1.0]), size=n)
    second = np.where(y == 1, -first, first)
    pts = size * np.column_stack([first, second])
    return _jitter(pts, noise, rng), y


def gauss(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """Two round Gaussian blobs (standard deviation 1) centred at (2, 2), class 1,
    and (-2, -2), class 0."""
    y = (_split(n, 2) == 0).astype(np.int64)
    centres = np.where(y[:, None] == 1, 2.0, -2.0)
    pts = centres + rng.normal(0.0, 1.0, size=(n, 2))
    return _jitter(pts, noise, rng), y


def _spiral_arms(n: int, k: int, noise: float, rng: np.random.Generator) -> Generated:
    """``k`` interleaved spiral arms; arm j is rotated by 2*pi*j/k and carries
    label j. Each arm winds 1.75 turns outwards from the centre to radius 5."""
    y = _split(n, k)
    counts = np.bincount(y, minlength=k)
    # position of each point along its own arm, in [0, 1)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    t = (np.arange(n) - start[y]) / np.maximum(counts[y], 1)
    r = 5.0 * t
    theta = 1.75 * 2.0 * np.pi * t + 2.0 * np.pi * y / k
    return _jitter(_polar(r, theta), noise, rng), y


def spiral(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """Two interleaved spirals, half a turn apart (classes 0 and 1)."""
    return _spiral_arms(n, 2, noise, rng)


def moons(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """Two interleaved half moons scaled to the plane: an upper arc (class 0) and
    a lower arc shifted right (class 1), together spanning about [-4.5, 4.5] in x."""
    y = _split(n, 2)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    unit = np.where(y[:, None] == 0, upper, lower)
    pts = (unit - np.array([0.5, 0.25])) * 3.0
    return _jitter(pts, noise, rng), y


# ----------------------------------------------------------------- multiclass


def blobs(n: int, noise: float, rng: np.random.Generator, classes: int = 3) -> Generated:
    """``classes`` Gaussian blobs (standard deviation 0.8) centred evenly on a
    circle of radius 3.5, the first at the top; labels 0..classes-1."""
    y = _split(n, classes)
    angles = np.pi / 2 + 2.0 * np.pi * np.arange(classes) / classes
    centres = _polar(np.full(classes, 3.5), angles)
    pts = centres[y] + rng.normal(0.0, 0.8, size=(n, 2))
    return _jitter(pts, noise, rng), y


def spirals(n: int, noise: float, rng: np.random.Generator, classes: int = 3) -> Generated:
    """``classes`` interleaved spiral arms; labels 0..classes-1."""
    return _spiral_arms(n, classes, noise, rng)


# ------------------------------------------------------------- 2-D regression


def plane(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """Points uniform in [-6, 6]^2 with target (x1 + x2) / 12, in [-1, 1]."""
    pts = rng.uniform(-PLANE, PLANE, size=(n, 2))
    target = (pts[:, 0] + pts[:, 1]) / (2.0 * PLANE)
    return _jitter(pts, noise, rng), target


#: (centre x1, centre x2, sign) of the bumps of ``multi_gaussian``.
_BUMPS = np.array(
    [
        [-3.0, 3.0, 1.0],
        [3.0, 3.0, -1.0],
        [0.0, 0.0, 1.0],
        [-3.0, -3.0, -1.0],
        [3.0, -3.0, 1.0],
    ]
)


def multi_gaussian(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """Points uniform in [-6, 6]^2; the target is a sum of five signed Gaussian
    bumps (width 1.2) on a chequer pattern, clipped to [-1, 1]."""
    pts = rng.uniform(-PLANE, PLANE, size=(n, 2))
    d2 = ((pts[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)  # (n, bumps)
    target = (np.exp(-d2 / (2.0 * 1.2**2)) * _BUMPS[:, 2]).sum(axis=1)
    return _jitter(pts, noise, rng), np.clip(target, -1.0, 1.0)


# ------------------------------------------------------------- 1-D regression


def _line(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` x values uniform in [-3, 3], shape (n, 1)."""
    return rng.uniform(-LINE, LINE, size=(n, 1))


def _jitter_target(t: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``noise`` to targets (n,)."""
    if noise > 0:
        t = t + rng.normal(0.0, noise, size=t.shape)
    return t


def sine(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """y = sin(pi * x / 2) for x in [-3, 3]: one and a half periods."""
    x = _line(n, rng)
    return x, _jitter_target(np.sin(np.pi * x[:, 0] / 2.0), noise, rng)


def absolute(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """y = |x| / 3 for x in [-3, 3], a V in [0, 1]."""
    x = _line(n, rng)
    return x, _jitter_target(np.abs(x[:, 0]) / LINE, noise, rng)


def step(n: int, noise: float, rng: np.random.Generator) -> Generated:
    """y = 0 for x < 0 and 1 for x >= 0."""
    x = _line(n, rng)
    return x, _jitter_target((x[:, 0] >= 0).astype(np.float64), noise, rng)


# ------------------------------------------------------------------ xor table


def xor_table(n: int = 4, noise: float = 0.0, rng: np.random.Generator | None = None) -> Generated:
    """Exactly the four XOR points (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0;
    ``n``, ``noise`` and ``rng`` are ignored. X is float64 (4, 2), y int64 (4,)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0], dtype=np.int64)
